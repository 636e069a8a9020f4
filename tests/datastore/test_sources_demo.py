"""The demo register (一数一源): elements and holders on the demo catalog, a first comparison
of whatever rows exist, a few decisions; running it again changes nothing."""

from __future__ import annotations

from smartgov.accounts.demo import load_demo
from smartgov.accounts.models import User
from smartgov.catalog.demo import load_demo_catalog
from smartgov.catalog.models import DataElement, ElementRevision, Resource, SourceHolder
from smartgov.core.demo import ordered_loaders
from smartgov.datastore import services
from smartgov.datastore.models import ConflictStatus, SourceConflict, SourceScan
from smartgov.datastore.sources_demo import load_demo_sources
from tests.datastore.conftest import citizen_id


def test_demo_register_compares_and_is_idempotent(regions):
    assert "sources" in [loader.code for loader in ordered_loaders()]
    assert load_demo_sources().startswith("no data-bureau administrator")
    load_demo()
    load_demo_catalog()
    admin = User.objects.get(username="data_admin")
    # Rows as the demo data store would deliver them: one name differs.
    people = Resource.objects.get(code="101001001/000001")
    insured = Resource.objects.get(code="303001001/000001")
    services.push_records(
        actor=admin,
        resource_id=people.pk,
        mode="replace",
        records=[{"citizen_id": citizen_id(n), "name": f"张{n}"} for n in (1, 2)],
    )
    services.push_records(
        actor=admin,
        resource_id=insured.pk,
        mode="replace",
        records=[
            {"citizen_id": citizen_id(1), "name": "张1", "insurance_type": "失业保险"},
            {"citizen_id": citizen_id(2), "name": "李二", "insurance_type": "失业保险"},
        ],
    )

    summary = load_demo_sources()
    assert summary.startswith("6 data elements with 24 holders")
    assert DataElement.objects.get(code="citizen_name").source_resource == people
    conflict = SourceConflict.objects.get()
    assert (conflict.holder.resource, conflict.holder_value) == (insured, "李二")
    assert conflict.status == ConflictStatus.HOLDER_NOTIFIED  # a demo decision
    counts = (
        SourceHolder.objects.count(),
        ElementRevision.objects.count(),
        SourceScan.objects.count(),
    )

    assert load_demo_sources() == summary
    assert (
        SourceHolder.objects.count(),
        ElementRevision.objects.count(),
        SourceScan.objects.count(),
    ) == counts
