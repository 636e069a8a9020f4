"""``smartgov create_admin``: bootstrap a platform administrator on a new installation.

The three platform roles (system administrator, security administrator, auditor) must be held by
different people; run this once per person. The password is asked for (or read from stdin with
--password-stdin), never taken from the command line.
"""

from __future__ import annotations

import getpass
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from smartgov.accounts import services
from smartgov.accounts.permissions import AUDITOR, SECURITY_ADMIN, SYSTEM_ADMIN
from smartgov.core import context
from smartgov.core.errors import SmartgovError
from smartgov.core.models import Department


class Command(BaseCommand):
    help = "Create a staff account holding a platform-administration role (city-wide scope)."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--name", required=True, help="Real name")
        parser.add_argument(
            "--role", required=True, choices=[SYSTEM_ADMIN, SECURITY_ADMIN, AUDITOR]
        )
        parser.add_argument(
            "--department", required=True, help="Department id or exact name (e.g. the data bureau)"
        )
        parser.add_argument(
            "--password-stdin", action="store_true", help="Read the password from standard input"
        )

    def handle(self, *args, username, name, role, department, password_stdin, **options):
        dept = (
            Department.objects.filter(pk=int(department)).first()
            if department.isdigit()
            else Department.objects.filter(name=department).first()
        )
        if dept is None:
            raise CommandError(
                f"No department {department!r}. Create departments first "
                "(or run `smartgov demo --no-serve` for the demo city)."
            )
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords differ.")
        try:
            with context.audit_context(channel="cli"), transaction.atomic():
                user = services.create_staff(
                    actor=None, username=username, name=name, password=password
                )
                services.grant_initial_role(
                    user=user, department=dept, role_code=role, scope="city"
                )
        except SmartgovError as exc:
            raise CommandError(f"{exc.message} ({exc.code})") from exc
        self.stdout.write(self.style.SUCCESS(f"Created {username} as {role} in {dept.name}."))
