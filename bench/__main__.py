"""`python -m bench` (what `make bench` runs): seed the benchmark database, measure, report.

    python -m bench [--rows 3000000] [--database-url postgres://...] [--repeat 50] [--reseed]

Environment: BENCH_ROWS and BENCH_DATABASE_URL are the defaults of the two options. The
settings are the development ones with DEBUG off (no query log), a broker that lives in memory
(so a submission hands its outbox message on as in production, to nobody) and quiet logs.
"""

import argparse
import os
import sys
import time

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/rdec_bench"


def _arguments(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=int(os.environ.get("BENCH_ROWS") or 3_000_000))
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL
    )
    parser.add_argument("--repeat", type=int, default=50, help="timed runs per operation")
    parser.add_argument("--warmup", type=int, default=5, help="untimed runs first")
    parser.add_argument("--reseed", action="store_true", help="seed even if already seeded")
    parser.add_argument("--results", default="bench/results", help="folder for latest.json/.md")
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 if a target is missed"
    )
    return parser.parse_args(argv)


def _configure(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_ENV"] = "development"
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rdec_portal.settings")
    import django

    django.setup()


def _say(message: str) -> None:
    print(message, flush=True)


def main(argv=None) -> int:
    args = _arguments(argv)
    from bench import database

    database.ensure_database(args.database_url)
    _configure(args.database_url)
    from bench import harness, seed

    started = time.monotonic()
    database.migrate()
    if database.needs_seed(args.rows, force=args.reseed):
        _say(f"Seeding {args.rows:,} petitions (COPY) ...")
        seeded = seed.seed(rows=args.rows, fresh=True, progress=_say)
        database.write_marker(args.rows, seeded.now)
        _say(
            f"  {seeded.petitions:,} petitions, {seeded.events:,} events, {seeded.users:,} users "
            f"in {time.monotonic() - started:.0f} s"
        )
        database.vacuum_analyze()
        _say(f"  VACUUM ANALYZE done at {time.monotonic() - started:.0f} s")
    else:
        _say(f"Database already seeded with {args.rows:,} petitions.")
    report = harness.run(repeat=args.repeat, warmup=args.warmup, rows=args.rows, progress=_say)
    paths = harness.write_results(report, args.results)
    _say("")
    _say(harness.markdown(report))
    _say(f"Written: {', '.join(str(p) for p in paths)} ({time.monotonic() - started:.0f} s in all)")
    return 1 if args.strict and not report.passed else 0


if __name__ == "__main__":
    sys.exit(main())
