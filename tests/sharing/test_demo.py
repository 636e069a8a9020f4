"""The sharing demo: apps with the documented secret, requests in every state, grants on the
population and legal-entity resources, objections (one corrected); a second run changes
nothing."""

from __future__ import annotations

import io

from smartgov.accounts.demo import load_demo
from smartgov.catalog.demo import load_demo_catalog
from smartgov.core.crypto import decrypt_field
from smartgov.datastore.demo import load_demo_records
from smartgov.sharing.demo import DEMO_APP_SECRET, load_demo_sharing
from smartgov.sharing.models import (
    AccessRequest,
    ConsumerApp,
    Grant,
    Objection,
    ObjectionStatus,
    RequestStatus,
)


def test_demo_sharing(regions):
    load_demo()
    load_demo_catalog()
    load_demo_records()
    out = io.StringIO()
    summary = load_demo_sharing(stdout=out)
    apps = list(ConsumerApp.objects.all())
    assert len(apps) == 2
    assert all(decrypt_field(app.secret_encrypted) == DEMO_APP_SECRET for app in apps)
    assert DEMO_APP_SECRET in out.getvalue() and apps[0].app_key in out.getvalue()
    statuses = set(AccessRequest.objects.values_list("status", flat=True))
    assert statuses == set(RequestStatus.values)
    grants = Grant.objects.filter(status="active")
    assert {g.resource.code for g in grants} == {"101001001/000001", "101002001/000001"}
    narrowed = grants.get(resource__code="101001001/000001")
    assert "ethnicity" not in narrowed.fields and narrowed.clear_fields == ["name"]
    assert set(Objection.objects.values_list("status", flat=True)) == {
        ObjectionStatus.OPEN,
        ObjectionStatus.CORRECTED,
    }
    assert Objection.objects.get(status=ObjectionStatus.CORRECTED).corrected_version
    assert summary == load_demo_sharing()  # idempotent
    assert ConsumerApp.objects.count() == 2
