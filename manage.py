#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rdec_portal.settings")
    # manage.py is mostly run by developers; gunicorn and Celery still default to production.
    # Production operators export DJANGO_ENV=production (see .env.example).
    os.environ.setdefault("DJANGO_ENV", "development")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
