#!/usr/bin/env python
"""Django's command-line utility for Sqeeze."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sqeeze.settings")
    from django.core.management import execute_from_command_line

    from core import tenancy

    # Commands are the platform operator's (core.tenancy); the development web
    # server is not: each request gets its own context.
    if sys.argv[1:2] != ["runserver"]:
        tenancy.set_process_default(tenancy.OPERATOR)
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
