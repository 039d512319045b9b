#!/usr/bin/env bash
# What `make run` and `make test` need from the operating system, beyond Python 3.11, npm and git.
#
#   scripts/system-deps.sh run    venv support and msgfmt (compiling the zh-Hant translations)
#   scripts/system-deps.sh test   the same, plus what the slow test tiers need: Debian's Chromium
#                                 and a CJK font (browser tests), redis-server (integration and
#                                 load tests start private ones), and a PostgreSQL server running
#                                 at 127.0.0.1:5432 for the load smoke test
#
# Whatever is missing is installed with apt-get when this user may (root, or password-less sudo);
# otherwise the script stops at once with the one command to run. Nothing is installed when
# everything is there, so a second run costs a few milliseconds.
set -euo pipefail

profile="${1:-test}"
python="${PYTHON:-python3}"
cjk_font=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

have() { command -v "$1" >/dev/null 2>&1; }
postgres_installed() { compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null; }

# The load smoke test's PostgreSQL (tests/load/) is looked after only when it is the local default.
load_url="${LOAD_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/rdec_load_smoke}"
case "$load_url" in
  postgres://postgres@127.0.0.1:5432/* | postgresql://postgres@127.0.0.1:5432/*) local_load=yes ;;
  *) local_load=no ;;
esac

missing=()
"$python" -c "import ensurepip, venv" 2>/dev/null || missing+=("python3-venv")
have msgfmt || missing+=(gettext)
if [ "$profile" = test ]; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ -f "$cjk_font" ] || missing+=(fonts-noto-cjk)
  have redis-server || missing+=(redis-server)
  [ "$local_load" = no ] || postgres_installed || missing+=(postgresql)
fi

# How this user may act as root, if at all.
if [ "$(id -u)" = 0 ]; then
  as_root=()
elif have sudo && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  as_root=(none)
fi

stop() {
  echo >&2
  echo "make $profile: $1" >&2
  echo "Run this once, then try again:" >&2
  echo >&2
  echo "    $2" >&2
  echo >&2
  exit 1
}

fresh_postgres=no
if [ ${#missing[@]} -gt 0 ]; then
  have apt-get || stop "missing system packages (${missing[*]}) and no apt-get to install them." \
    "install: ${missing[*]}"
  if [ "${as_root[*]}" = none ]; then
    stop "missing system packages: ${missing[*]}." \
      "sudo apt-get update && sudo apt-get install -y ${missing[*]}"
  fi
  postgres_installed || fresh_postgres=yes
  echo "Installing system packages: ${missing[*]}"
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

[ "$profile" = test ] && [ "$local_load" = yes ] || exit 0

answers() { psql -w -h 127.0.0.1 -p 5432 -U postgres -d postgres -qAtc "SELECT 1" >/dev/null 2>&1; }
answers && exit 0

cluster_version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)"
[ -n "$cluster_version" ] || stop "PostgreSQL is installed but has no cluster." \
  "sudo pg_createcluster --start 15 main"
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  [ "${as_root[*]}" != none ] || stop "PostgreSQL is not running." \
    "sudo pg_ctlcluster --skip-systemctl-redirect $cluster_version main start"
  "${as_root[@]}" pg_ctlcluster --skip-systemctl-redirect "$cluster_version" main start
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
answers && exit 0

# A server this script has just installed asks for a password on 127.0.0.1; the test suite
# connects as postgres without one, as on the CI machine. Only a fresh, local cluster is changed.
hba="/etc/postgresql/$cluster_version/main/pg_hba.conf"
if [ "$fresh_postgres" = yes ]; then
  echo "Letting the local user postgres connect on 127.0.0.1 without a password ($hba)"
  "${as_root[@]}" sed -i '0,/^host/s//host    all             postgres        127.0.0.1\/32            trust\nhost/' "$hba"
  "${as_root[@]}" pg_ctlcluster --skip-systemctl-redirect "$cluster_version" main reload
  sleep 1
  answers && exit 0
fi
stop "PostgreSQL at 127.0.0.1:5432 does not let user postgres in without a password (the load smoke test needs it)." \
  "set LOAD_DATABASE_URL=postgres://USER:PASSWORD@HOST:PORT/rdec_load_smoke"
