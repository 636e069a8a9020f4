"""``smartgov serve``: run the platform under waitress, a production-grade WSGI server."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve smartgov over HTTP with waitress (static files through WhiteNoise)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, host: str, port: int, threads: int, **options):
        from waitress import serve

        from smartgov.wsgi import application

        if not (settings.STATIC_ROOT / "portal").exists():
            call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(self.style.SUCCESS(f"smartgov serving on http://{host}:{port}/"))
        serve(
            application,
            host=host,
            port=port,
            threads=threads,
            ident="smartgov",
            max_request_body_size=64 * 1024 * 1024,
        )
