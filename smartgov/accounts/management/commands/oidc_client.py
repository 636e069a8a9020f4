"""``smartgov oidc_client``: register and list single sign-on (OIDC) clients.

smartgov oidc_client create --name 办事大厅 --redirect-uri https://hall.example.gov.cn/cb
smartgov oidc_client create --name Dev --redirect-uri http://localhost:3000/cb --public
smartgov oidc_client list
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from smartgov.accounts import services
from smartgov.core.errors import SmartgovError


class Command(BaseCommand):
    help = "Single sign-on clients: 'create' registers one (secret shown once); 'list' shows all."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser(
            "create", help="Register a client (authorization code + PKCE S256, RS256 id_token)."
        )
        create.add_argument("--name", required=True, help="Shown to users on the consent page.")
        create.add_argument(
            "--redirect-uri",
            dest="redirect_uris",
            action="append",
            required=True,
            help="Allowed redirect URI (repeat for several); https except for localhost.",
        )
        create.add_argument(
            "--public",
            action="store_true",
            help="A public client (single-page or mobile app): no secret, PKCE only.",
        )
        create.add_argument(
            "--trusted",
            action="store_true",
            help="A platform application: users are not asked for consent.",
        )
        actions.add_parser("list", help="List registered clients (secrets are never shown).")

    def handle(self, *args, action: str, **options):
        try:
            if action == "create":
                self._create(options)
            else:
                self._list()
        except SmartgovError as exc:
            detail = exc.detail
            if isinstance(detail, dict):
                detail = ", ".join(f"{key}={value}" for key, value in detail.items())
            detail = f" ({detail})" if detail else ""
            raise CommandError(f"{exc.message} [{exc.code}]{detail}") from exc

    def _create(self, options) -> None:
        application, secret = services.register_client(
            actor=None,
            name=options["name"],
            redirect_uris=options["redirect_uris"],
            confidential=not options["public"],
            skip_authorization=options["trusted"],
        )
        self.stdout.write(self.style.SUCCESS(f"Registered client {application.name!r}."))
        self.stdout.write(f"client_id:     {application.client_id}")
        if secret:
            self.stdout.write(f"client_secret: {secret}")
            self.stdout.write(
                self.style.WARNING("Store the secret now: it is kept only as a hash.")
            )
        else:
            self.stdout.write("client_secret: (public client, none; use PKCE S256)")

    def _list(self) -> None:
        clients = list(services.list_clients())
        if not clients:
            self.stdout.write("No single sign-on clients registered.")
            return
        for application in clients:
            flags = [application.client_type]
            if application.skip_authorization:
                flags.append("trusted")
            self.stdout.write(
                f"{application.pk}\t{application.client_id}\t{application.name}\t"
                f"{','.join(flags)}\t{application.redirect_uris}"
            )
