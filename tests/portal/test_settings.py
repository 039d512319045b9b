"""Production start-up refuses unsafe settings; settings come only from the environment."""

import os
import subprocess
import sys

GOOD_KEY = "k" * 10 + "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"


def _check(env_overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _check({"DJANGO_ENV": "production", "DJANGO_ALLOWED_HOSTS": "portal.example"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_a_development_key():
    result = _check(
        {
            "DJANGO_ENV": "production",
            "DJANGO_ALLOWED_HOSTS": "portal.example",
            "DJANGO_SECRET_KEY": "django-insecure-" + "x" * 60,
        }
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _check({"DJANGO_ENV": "production", "DJANGO_SECRET_KEY": GOOD_KEY})
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_refuses_debug():
    result = _check(
        {
            "DJANGO_ENV": "production",
            "DJANGO_SECRET_KEY": GOOD_KEY,
            "DJANGO_ALLOWED_HOSTS": "portal.example",
            "DJANGO_DEBUG": "true",
        }
    )
    assert result.returncode != 0
    assert "DJANGO_DEBUG" in result.stderr


def test_production_starts_with_real_settings():
    result = _check(
        {
            "DJANGO_ENV": "production",
            "DJANGO_SECRET_KEY": GOOD_KEY,
            "DJANGO_ALLOWED_HOSTS": "portal.example",
        }
    )
    assert result.returncode == 0, result.stderr


def test_a_misspelt_boolean_is_an_error_not_false():
    result = _check({"DJANGO_ENV": "development", "DJANGO_DEBUG": "ture"})
    assert result.returncode != 0
    assert "DJANGO_DEBUG" in result.stderr


def test_an_unknown_mode_is_an_error():
    result = _check({"DJANGO_ENV": "staging"})
    assert result.returncode != 0
    assert "DJANGO_ENV" in result.stderr


def test_manage_py_alone_runs_in_development_mode():
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings; print(settings.DJANGO_ENV)",
        ],
        env={k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "development"
