"""Sharing fixtures: a provider (西湖区 bureau, with a graded population resource holding
records and an unconditional general one), a consumer department (上城区 bureau) with an app,
and the data bureau."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from smartgov.datastore import services as datastore_services
from smartgov.sharing import services
from smartgov.sharing.permissions import DATA_CONSUMER
from tests.catalog import conftest as catalog_fixtures
from tests.catalog.conftest import field
from tests.conftest import make_staff
from tests.datastore.conftest import citizen_id, credit_code, person

officer = catalog_fixtures.officer  # 西湖区 bureau's data officer: the provider
other_officer = catalog_fixtures.other_officer  # 上城区 bureau's data officer
data_admin = catalog_fixtures.data_admin  # the data bureau, city-wide
make_resource = catalog_fixtures.make_resource
publish = catalog_fixtures.publish

PEOPLE_FIELDS = [
    field(
        "citizen_id",
        "公民身份号码",
        "citizen_id",
        is_key=True,
        personal_kind="citizen_id",
        grade="important",
        masking="citizen_id",
    ),
    field("name", "姓名", required=True, personal_kind="name", grade="important", masking="name"),
    field("gender", "性别", "enum", enum_values=["男", "女"]),
    field("phone", "手机号码", "phone", masking="phone"),
    field("household_address", "户籍地址", personal_kind="address", masking="address"),
]


def people_row(n: int, **overrides) -> dict:
    row = {
        "citizen_id": citizen_id(n),
        "name": f"张{n}",
        "gender": "男",
        "phone": "13800138000",
        "household_address": f"杭州市西湖区文三路{n}号",
    }
    row.update(overrides)
    return row


@pytest.fixture
def consumer(org):
    """上城区 bureau's staff member who manages its apps and requests."""
    return make_staff("sc_consumer", org["shangcheng_bureau"], DATA_CONSUMER, "department")


@pytest.fixture
def stranger(org):
    """A data officer of a third department (西湖区政府): neither consumer nor provider here."""
    from smartgov.catalog.permissions import DATA_OFFICER

    return make_staff("xihu_gov_officer", org["xihu"], DATA_OFFICER, "department")


@pytest.fixture
def people(officer, data_admin, make_resource, publish):
    """Conditional, graded important: provider step then the data bureau."""
    resource = make_resource(
        officer,
        name="户籍人口",
        code="101001001/000001",
        classification="base",
        base_resource="population",
        share_type="conditional",
        share_conditions="用于法定职责",
        fields=PEOPLE_FIELDS,
    )
    publish(resource, officer, data_admin)
    datastore_services.push_records(
        actor=officer,
        resource_id=resource.pk,
        mode="upsert",
        records=[people_row(n) for n in range(1, 4)],
    )
    return resource


@pytest.fixture
def elevators(officer, data_admin, make_resource, publish):
    """Conditional, general data only: the provider's approval is the last step."""
    resource = make_resource(
        officer,
        name="电梯使用登记",
        share_type="conditional",
        share_conditions="用于安全监管",
        fields=[
            field("device_code", "设备代码", is_key=True),
            field("location", "位置"),
            field("user_unit", "使用单位"),
        ],
    )
    return publish(resource, officer, data_admin)


@pytest.fixture
def companies(officer, data_admin, make_resource, publish):
    """Unconditional, general: granted at once."""
    resource = make_resource(
        officer,
        name="企业登记",
        fields=[
            field("credit_code", "统一社会信用代码", "credit_code", is_key=True),
            field("org_name", "企业名称"),
            field("address", "地址"),
        ],
    )
    publish(resource, officer, data_admin)
    datastore_services.push_records(
        actor=officer,
        resource_id=resource.pk,
        mode="upsert",
        records=[{"credit_code": credit_code(), "org_name": "西溪科技", "address": "文三路1号"}],
    )
    return resource


@pytest.fixture
def secret_resource(officer, data_admin, make_resource, publish):
    resource = make_resource(officer, name="不予共享的资源", share_type="none")
    return publish(resource, officer, data_admin)


@pytest.fixture
def app(consumer):
    made, _secret = services.register_app(
        actor=consumer,
        name="上城区市场监管业务系统",
        contact_name="王工",
        contact_phone="0571-87001234",
        ip_allowlist=["10.20.0.0/16"],
    )
    return made


def period(days: int = 365):
    today = timezone.localdate()
    return {"valid_from": today, "valid_until": today + timedelta(days=days)}


def request_values(app, resource, **overrides) -> dict:
    values = {
        "app_id": app.pk,
        "resource_id": resource.pk,
        "fields": ["citizen_id", "name", "gender"],
        "clear_fields": ["name"],
        "purpose": "核验办事群众户籍信息",
        "legal_basis": "《浙江省公共数据条例》第二十六条",
        "expected_daily_calls": 500,
        "rate_per_minute": 60,
        **period(),
    }
    values.update(overrides)
    return values


@pytest.fixture
def submit(consumer):
    def run(app, resource, actor=None, **overrides):
        return services.submit_request(
            actor=actor or consumer, **request_values(app, resource, **overrides)
        )

    return run


__all__ = ["person"]
