from __future__ import annotations

from smartgov.accounts.demo import load_demo
from smartgov.accounts.models import User
from smartgov.licenses import services
from smartgov.licenses.demo import load_demo_licenses
from smartgov.licenses.models import License, LicenseUse


def test_demo_is_idempotent_and_verifiable(regions):
    load_demo()
    first = load_demo_licenses()
    assert first == load_demo_licenses()
    assert first == "6 e-license types, 7 e-licenses, 3 uses"
    citizen = User.objects.get(username="citizen")
    names = sorted(item.license_type.name for item in services.holder_licenses(citizen))
    assert names == ["不动产权证书", "机动车驾驶证", "结婚证"]
    enterprise = User.objects.get(username="enterprise")
    assert services.holder_licenses(enterprise).count() == 2
    for license in License.objects.all():
        assert services.verify_license(payload=services.qr_code(license)).valid
    assert LicenseUse.objects.filter(license__holder_index=citizen.citizen_id_index).count() == 1
