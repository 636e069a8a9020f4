"""Fixtures of the bundle, fee and shared-proof tests: two items of two departments that
share materials (by e-license type and by name), a bundle of them, a citizen applicant, and
a shared-data resource (a datastore table) with a grant for the first item's department."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from django.utils import timezone

from smartgov.catalog import services as catalog_services
from smartgov.catalog.permissions import DATA_ADMIN, DATA_OFFICER
from smartgov.datastore import services as datastore_services
from smartgov.services import bundles, forms, services
from smartgov.services.permissions import FRONT_DESK, SERVICE_SUPERVISOR
from smartgov.sharing import services as sharing_services
from smartgov.sharing.permissions import DATA_CONSUMER
from tests.catalog.conftest import field, resource_values
from tests.conftest import make_staff
from tests.datastore.conftest import citizen_id
from tests.services.conftest import CITIZEN_ID

FORM_A = [
    {"name": "reason", "label": "申请事由", "type": "text", "required": True, "min_length": 2},
    {"name": "phone", "label": "联系电话", "type": "phone", "required": True},
]
FORM_B = [
    {"name": "phone", "label": "手机号码", "type": "phone", "required": False},
    {"name": "shop_name", "label": "店铺名称", "type": "text", "required": True},
]
GOOD_FORM = {"reason": "开办餐饮店", "phone": "13800138000", "shop_name": "张三面馆"}


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


def publish(actor, draft, form):
    forms.set_form(actor=actor, item_id=draft.pk, fields=form)
    return services.publish_item(actor=actor, item_id=draft.pk)


@pytest.fixture
def sc_publisher(org):
    from smartgov.services.permissions import ITEM_PUBLISHER

    return make_staff("sc_item_publisher", org["shangcheng_bureau"], ITEM_PUBLISHER, "department")


@pytest.fixture
def item_a(make_item, publisher, marriage):
    """西湖区 bureau: 申请书, 营业场所证明, 结婚证 (e-license)."""
    draft = make_item(
        basic_code="BA001",
        implementation_code="IMPL-BA001",
        name="个体工商户登记",
        applicant_kind="citizen",
        materials=[
            {"name": "申请书"},
            {"name": "营业场所证明"},
            {
                "name": "结婚证",
                "proof_source": "e_license",
                "license_type_code": "MARRIAGE",
            },
        ],
        is_free=False,
        fees=[{"name": "登记费", "amount": "20", "basis": "收费文件"}],
    )
    return publish(publisher, draft, FORM_A)


@pytest.fixture
def item_b(make_item, sc_publisher, org, marriage):
    """上城区 bureau: 营业 场所证明 (same name, spaced), 婚姻证明 (the same e-license type),
    食品安全管理制度."""
    draft = make_item(
        actor=sc_publisher,
        department_id=org["shangcheng_bureau"].pk,
        basic_code="BB002",
        implementation_code="IMPL-BB002",
        name="食品经营许可",
        applicant_kind="citizen",
        materials=[
            {"name": "营业 场所证明（ ）"},
            {
                "name": "婚姻证明",
                "proof_source": "e_license",
                "license_type_code": "MARRIAGE",
            },
            {"name": "食品安全管理制度"},
        ],
    )
    return publish(sc_publisher, draft, FORM_B)


@pytest.fixture
def manager(org):
    return make_staff("bundle_manager", org["xihu_bureau"], SERVICE_SUPERVISOR, "department")


@pytest.fixture
def bundle(manager, org, item_a, item_b):
    made = bundles.create_bundle(
        actor=manager,
        code="OPEN-SHOP",
        name="开办餐饮店一件事",
        lead_department_id=org["xihu_bureau"].pk,
        basic_codes=["BA001", "BB002"],
        extra_fields=[{"name": "open_date", "label": "计划开业日期", "type": "date"}],
        tags=["开餐馆"],
    )
    return bundles.publish_bundle(actor=manager, bundle_id=made.pk)


@pytest.fixture
def desk_bundle(org):
    return make_staff("bundle_desk", org["xihu_bureau"], FRONT_DESK, "department")


def keys_by_name(bundle) -> dict:
    return {entry["name"]: entry["key"] for entry in bundles.merged_materials(bundle)}


def uploads_for(bundle, *names):
    keys = keys_by_name(bundle)
    return [
        {"key": keys[name], "file_name": f"{name}.pdf", "content": f"%PDF-1.4 {name}".encode()}
        for name in names
    ]


# --- Shared data ----------------------------------------------------------------------------


@pytest.fixture
def data_officer(org):
    """上城区 bureau's data officer: provides the population resource."""
    return make_staff("sc_data_officer", org["shangcheng_bureau"], DATA_OFFICER, "department")


@pytest.fixture
def data_admin(org):
    return make_staff("data_admin", org["data_bureau"], DATA_ADMIN, "city")


@pytest.fixture
def population(data_officer, data_admin, org):
    """An unconditional resource of residents keyed by citizen ID, with two current rows."""
    resource = catalog_services.create_resource(
        actor=data_officer,
        **resource_values(
            org["shangcheng_bureau"],
            name="户籍人口信息",
            fields=[
                field(
                    "citizen_id",
                    "公民身份号码",
                    "citizen_id",
                    is_key=True,
                    personal_kind="citizen_id",
                    masking="citizen_id",
                ),
                field("name", "姓名", personal_kind="name", masking="name"),
                field("household_address", "户籍地址", masking="address"),
            ],
        ),
    )
    catalog_services.submit_resource(actor=data_officer, resource_id=resource.pk)
    resource = catalog_services.approve_resource(actor=data_admin, resource_id=resource.pk)
    datastore_services.push_records(
        actor=data_officer,
        resource_id=resource.pk,
        mode="upsert",
        records=[
            {
                "citizen_id": CITIZEN_ID,
                "name": "张三",
                "household_address": "杭州市西湖区文三路1号",
            },
            {"citizen_id": citizen_id(2), "name": "李四", "household_address": "上城区"},
        ],
    )
    return resource


@pytest.fixture
def grant(org, population):
    """西湖区 bureau's app holds a grant for the resource (name in clear)."""
    consumer = make_staff("xh_consumer", org["xihu_bureau"], DATA_CONSUMER, "department")
    app, _secret = sharing_services.register_app(
        actor=consumer,
        name="西湖区政务服务系统",
        contact_name="王工",
        contact_phone="0571-87001234",
    )
    today = timezone.localdate()
    request = sharing_services.submit_request(
        actor=consumer,
        app_id=app.pk,
        resource_id=population.pk,
        fields=["citizen_id", "name", "household_address"],
        clear_fields=["name"],
        purpose="办事免提交户口簿",
        legal_basis="《浙江省公共数据条例》",
        valid_from=today,
        valid_until=today + timedelta(days=30),
    )
    return request.grant
