"""Portal test helpers: a logged-in client per user."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture
def as_user(db):
    """``as_user(user)`` returns a test client logged in as ``user`` (Chinese by default)."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


def english(client: Client) -> Client:
    """Switch a client's session to English through Django's set_language view."""
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client
