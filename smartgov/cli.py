"""The ``smartgov`` console script: Django management with the platform's settings.

smartgov demo            create the database, load the demo city, serve on 127.0.0.1:8000
smartgov serve           serve with waitress (production-grade WSGI server)
smartgov audit verify    check the audit hash chain
smartgov <command>       any Django management command (migrate, createsuperuser, …)
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartgov.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["smartgov", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
