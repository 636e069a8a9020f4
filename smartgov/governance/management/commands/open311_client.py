"""``smartgov open311_client``: Open311 clients (outside systems that POST service requests).

smartgov open311_client create --name 城市大脑 --contact ops@example.gov.cn
smartgov open311_client list
smartgov open311_client revoke o311ab12cd
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from smartgov.core.errors import SmartgovError
from smartgov.governance import open311_clients
from smartgov.governance.models import Open311Client


class Command(BaseCommand):
    help = "Open311 clients: 'create' (api_key shown once), 'list', 'revoke PREFIX|ID'."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="open311_action", required=True)
        create = actions.add_parser("create", help="Register a client; prints its api_key once.")
        create.add_argument("--name", required=True)
        create.add_argument("--contact", default="")
        actions.add_parser("list", help="List clients (keys are never shown).")
        revoke = actions.add_parser("revoke", help="Revoke a client's key.")
        revoke.add_argument("client", help="The client's id or key prefix.")

    def handle(self, *args, open311_action: str, **options):
        action = open311_action
        try:
            if action == "create":
                client, key = open311_clients.create_open311_client(
                    actor=None, name=options["name"], contact=options["contact"]
                )
                self.stdout.write(self.style.SUCCESS(f"Registered Open311 client {client.name!r}."))
                self.stdout.write(f"api_key: {key}")
                self.stdout.write(
                    self.style.WARNING("Store the key now: it is kept only as an SM3 hash.")
                )
            elif action == "revoke":
                client = open311_clients.get_client(options["client"])
                open311_clients.revoke_open311_client(actor=None, client=client)
                self.stdout.write(self.style.SUCCESS(f"Revoked {client.name!r}."))
            else:
                for client in Open311Client.objects.all():
                    state = "active" if client.active else "revoked"
                    self.stdout.write(
                        f"{client.pk}\t{client.key_prefix}\t{state}\t{client.name}\t"
                        f"{client.contact}"
                    )
        except SmartgovError as exc:
            raise CommandError(f"{exc.message} [{exc.code}]") from exc
