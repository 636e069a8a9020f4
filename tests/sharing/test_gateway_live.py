"""A live server through the production entry point (smartgov.wsgi): the thin WSGI path
answers signed calls with the signing module's own client; other paths still reach Django."""

from __future__ import annotations

import threading
import urllib.request
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from django.db import connections

from smartgov.sharing.models import CallLog
from smartgov.sharing.signing import GatewayClient
from tests.sharing import gateway_factories as gf
from tests.sharing.gateway_factories import citizen_id

_fresh_gateway_cache = gf._fresh_gateway_cache
officer, data_admin = gf.officer, gf.data_admin
make_resource, publish = gf.make_resource, gf.publish
population, people, consumer = gf.population, gf.people, gf.consumer
app_and_secret, grant = gf.app_and_secret, gf.grant


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def thin_server(live_db):
    """smartgov.wsgi.application served from a thread sharing the test's connection."""
    from smartgov.wsgi import application

    connection = connections["default"]
    connection.inc_thread_sharing()

    def serve(server):
        connections["default"] = connection
        server.serve_forever()

    server = make_server("127.0.0.1", 0, application, WSGIServer, _Quiet)
    thread = threading.Thread(target=serve, args=(server,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    connection.dec_thread_sharing()


def test_signed_calls_through_the_thin_wsgi_path(thin_server, app_and_secret, grant, people):
    app, secret = app_and_secret
    client = GatewayClient(thin_server, app.app_key, secret)
    status, body = client.lookup(people.pk, citizen_id(3), fields=["name", "phone"])
    assert status == 200, body
    assert body["record"] == {"name": "张*", "phone": "138****0003"}
    status, body = client.query(people.pk, {"household_size": "2"}, page_size=3)
    assert status == 200 and len(body["records"]) == 3 and body["has_more"]
    status, body = GatewayClient(thin_server, app.app_key, "wrong").lookup(people.pk, "x")
    assert (status, body["code"]) == (401, "bad_signature")
    assert list(CallLog.objects.order_by("id").values_list("status", flat=True)) == [200, 200, 401]
    with urllib.request.urlopen(thin_server + "/gateway/v1/health") as response:  # noqa: S310
        assert response.status == 200
    # Pages still go through Django and its middleware.
    with urllib.request.urlopen(thin_server + "/login/") as response:  # noqa: S310
        assert response.status == 200
        assert "csrftoken" in response.headers.get("Set-Cookie", "")
