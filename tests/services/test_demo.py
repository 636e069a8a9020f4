"""The services demo: at least 40 published items across departments, no-proof materials
wired to e-license types and catalog resources, promised limits within legal ones; a second
run changes nothing."""

from __future__ import annotations

from smartgov.accounts.demo import load_demo
from smartgov.catalog.demo import load_demo_catalog
from smartgov.services import selectors, services
from smartgov.services.demo import load_demo_services
from smartgov.services.models import ItemMaterial, ItemStatus, ServiceItem


def test_demo_services(regions):
    load_demo()
    load_demo_catalog()
    summary = load_demo_services()
    published = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED)
    assert published.count() >= 40 and "published service items" in summary
    assert published.values("department").distinct().count() >= 10
    for item in published:
        assert not services.publication_problems(item)
        ratio = services.compression_ratio(item)
        assert ratio is None or 0 <= ratio <= 1
    yyzz = ItemMaterial.objects.filter(proof_source="e_license", license_type_code="yyzz")
    assert yyzz.count() >= 10
    assert ItemMaterial.objects.filter(
        proof_source="shared_data", resource__code="101001001/000001"
    ).exists()
    assert selectors.published_items(query="开饭店")[0].name in {
        "食品经营许可",
        "个体工商户注册登记",
    }
    assert "食品经营许可" in [i.name for i in selectors.published_items(query="开饭店")]
    from smartgov.services.models import FormDefinition

    assert FormDefinition.objects.count() == 6
    count = ServiceItem.objects.count()
    load_demo_services()
    assert ServiceItem.objects.count() == count


def test_demo_licenses_satisfy_the_demo_items_no_proof_materials(regions):
    """The two demos speak of the same e-license types: a material that asks for the
    营业执照 or the 结婚证 finds the demo enterprise's and citizen's licenses."""
    from smartgov.accounts.models import User
    from smartgov.core.crypto import decrypt_field
    from smartgov.licenses.demo import load_demo_licenses
    from smartgov.licenses.services import find_valid_license

    load_demo()
    load_demo_catalog()
    load_demo_licenses()
    load_demo_services()
    asked = set(
        ItemMaterial.objects.filter(proof_source="e_license").values_list(
            "license_type_code", flat=True
        )
    )
    assert {"yyzz", "jhz"} <= asked
    enterprise = User.objects.get(username="enterprise")
    citizen = User.objects.get(username="citizen")
    assert find_valid_license(holder_id=enterprise.credit_code, type_code="yyzz") is not None
    citizen_id = decrypt_field(citizen.citizen_id_encrypted)
    assert find_valid_license(holder_id=citizen_id, type_code="jhz") is not None
