from __future__ import annotations

import pytest

from smartgov.licenses import services
from smartgov.licenses.models import HolderKind, LicenseType
from smartgov.licenses.permissions import LICENSE_OFFICER
from tests.conftest import make_staff

CREDIT_CODE = "91330106MA27XL0G5J"


@pytest.fixture(autouse=True)
def _fresh_verify_cache():
    services.clear_verify_cache()
    yield
    services.clear_verify_cache()


@pytest.fixture
def officer(org):
    return make_staff("lic_officer", org["xihu_bureau"], LICENSE_OFFICER, "department")


@pytest.fixture
def other_officer(org):
    return make_staff("lic_other", org["shangcheng_bureau"], LICENSE_OFFICER, "department")


@pytest.fixture
def marriage(org):
    return LicenseType.objects.create(
        code="MARRIAGE",
        name="结婚证",
        department=org["xihu_bureau"],
        holder_kind=HolderKind.CITIZEN,
        validity_years=None,
        schema={
            "fields": [
                {"name": "spouse", "label": "配偶", "type": "string", "required": True},
                {"name": "registered_on", "label": "登记日期", "type": "date"},
            ]
        },
    )


@pytest.fixture
def business(org):
    return LicenseType.objects.create(
        code="BIZ",
        name="营业执照",
        department=org["xihu_bureau"],
        holder_kind=HolderKind.ENTERPRISE,
        validity_years=5,
        schema={"fields": [{"name": "capital", "type": "number", "required": True}]},
    )


@pytest.fixture
def issued(officer, marriage, citizen):
    return services.issue_license(
        actor=officer,
        license_type=marriage,
        holder_id="11010519491231002X",
        holder_name="张三",
        data={"spouse": "李四", "registered_on": "2020-05-20"},
        source="services:application:1",
    )
