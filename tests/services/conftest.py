"""Fixtures of the services tests: item officers and publishers, a complete item factory."""

from __future__ import annotations

import pytest

from smartgov.licenses import services as license_services
from smartgov.licenses.models import HolderKind, LicenseType
from smartgov.licenses.permissions import LICENSE_OFFICER
from smartgov.services import forms, services
from smartgov.services.permissions import FRONT_DESK, ITEM_OFFICER, ITEM_PUBLISHER
from tests.conftest import make_staff

CITIZEN_ID = "11010519491231002X"
FORM = [
    {"name": "reason", "label": "申请事由", "type": "text", "required": True, "min_length": 2},
    {"name": "phone", "label": "联系电话", "type": "phone", "required": True},
]


@pytest.fixture
def officer(org):
    return make_staff("item_officer", org["xihu_bureau"], ITEM_OFFICER, "department")


@pytest.fixture
def publisher(org):
    return make_staff("item_publisher", org["xihu_bureau"], ITEM_PUBLISHER, "department")


@pytest.fixture
def other_publisher(org):
    return make_staff("sc_publisher", org["shangcheng_bureau"], ITEM_PUBLISHER, "department")


def item_values(department, **overrides) -> dict:
    values = {
        "department_id": department.pk,
        "basic_code": "000101001000",
        "implementation_code": "11330106MB0000001X4000101001000",
        "name": "企业设立登记",
        "item_type": "licensing",
        "legal_basis": "《中华人民共和国市场主体登记管理条例》第三条",
        "conditions": "申请人具有完全民事行为能力，名称符合规定。",
        "process": "网上申请，审查，核准发照。",
        "places": "西湖区行政服务中心一楼综合窗口",
        "hours": "工作日 9:00-17:00",
        "consult_phone": "0571-12345",
        "complaint_phone": "0571-12345",
        "legal_days": 15,
        "promised_days": 1,
        "visits": 0,
        "online_level": "fully_online",
        "applicant_kind": "enterprise",
        "result_name": "营业执照",
        "tags": ["开公司", "企业开办"],
        "keywords": ["开办企业"],
        "materials": [
            {"name": "公司登记（备案）申请书", "material_type": "original"},
            {
                "name": "法定代表人身份证",
                "proof_source": "shared_data",
                "resource_id": None,
            },
        ],
        "steps": [
            {"name": "受理", "limit_days": 0},
            {"name": "审查", "limit_days": 1},
            {"name": "办结", "limit_days": 0},
        ],
    }
    values["materials"][1] = {"name": "法定代表人身份证", "material_type": "copy"}
    values.update(overrides)
    return values


@pytest.fixture
def make_item(officer, org):
    def make(actor=None, **overrides):
        return services.create_item(
            actor=actor or officer, **item_values(org["xihu_bureau"], **overrides)
        )

    return make


# --- Applications -------------------------------------------------------------------------


@pytest.fixture
def marriage(org):
    return LicenseType.objects.create(
        code="MARRIAGE",
        name="结婚证",
        department=org["xihu_bureau"],
        holder_kind=HolderKind.CITIZEN,
        validity_years=None,
        schema={"fields": [{"name": "spouse", "label": "配偶", "type": "string"}]},
    )


@pytest.fixture
def license(org, marriage):
    officer = make_staff("lic_officer", org["xihu_bureau"], LICENSE_OFFICER, "department")
    return license_services.issue_license(
        actor=officer,
        license_type=marriage,
        holder_id=CITIZEN_ID,
        holder_name="张三",
        data={"spouse": "李四"},
    )


@pytest.fixture
def item(make_item, publisher, marriage):
    draft = make_item(
        applicant_kind="citizen",
        legal_days=20,
        promised_days=5,
        materials=[
            {"name": "申请书", "material_type": "original"},
            {
                "name": "结婚证",
                "material_type": "original",
                "proof_source": "e_license",
                "license_type_code": "MARRIAGE",
            },
            {"name": "补充说明", "requirement": "conditional", "condition": "如有"},
        ],
        steps=[{"name": "受理", "limit_days": 0}, {"name": "审查", "limit_days": 3}],
    )
    forms.set_form(actor=publisher, item_id=draft.pk, fields=FORM)
    return services.publish_item(actor=publisher, item_id=draft.pk)


@pytest.fixture
def desk(org):
    return make_staff("desk", org["xihu_bureau"], FRONT_DESK, "department")


@pytest.fixture
def other_desk(org):
    return make_staff("other_desk", org["shangcheng_bureau"], FRONT_DESK, "department")
