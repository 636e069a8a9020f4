"""WSGI entry point (gunicorn smartgov.wsgi). Signed gateway calls under /gateway/ take the
thin path of sharing.gateway_wsgi; every other request goes through Django as usual."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartgov.settings")
django_application = get_wsgi_application()

from smartgov.sharing.gateway_wsgi import GatewayDispatcher  # noqa: E402

application = GatewayDispatcher(django_application)
