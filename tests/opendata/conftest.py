"""Open-data fixtures: an open and a conditionally open resource with rows, a closed one, a
developer (enterprise account) and the data officer who decides for the provider."""

from __future__ import annotations

import io

import pytest

from smartgov.accounts import services as account_services
from smartgov.core.validators import credit_code_check_char
from smartgov.datastore import services as datastore_services
from smartgov.opendata import services
from tests.catalog import conftest as catalog_fixtures
from tests.catalog.conftest import field
from tests.conftest import PASSWORD

officer = catalog_fixtures.officer
other_officer = catalog_fixtures.other_officer
data_admin = catalog_fixtures.data_admin
make_resource = catalog_fixtures.make_resource
publish = catalog_fixtures.publish

AIR_FIELDS = [
    field("station_code", "站点编码", is_key=True, required=True),
    field("station_name", "站点名称"),
    field("pm25", "PM2.5浓度", "decimal"),
    field("aqi", "空气质量指数", "integer"),
    field("observed_on", "监测日期", "date"),
    field(
        "contact_phone",
        "联系人手机",
        "phone",
        personal_kind="phone",
        grade="important",
        masking="phone",
    ),
]
AIR_ROWS = [
    ("S001", "西溪湿地站", "12.5", "35", "2026-11-01", "13800138000"),
    ("S002", "和睦小学站", "40.1", "88", "2026-11-01", "13900139000"),
    ("S003", "滨江站", "75.0", "120", "2026-11-02", "13700137000"),
]
ELEVATOR_FIELDS = [
    field("device_code", "设备代码", is_key=True, required=True),
    field("location", "安装地点"),
    field("next_check", "下次检验日期", "date"),
]


def _csv(columns, rows) -> bytes:
    lines = [",".join(columns)] + [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def enterprise_credit_code(seed: str = "MA27U2B49") -> str:
    first17 = f"91330106{seed}"
    return first17 + credit_code_check_char(first17)


@pytest.fixture
def air(officer, data_admin, make_resource, publish):
    resource = make_resource(
        officer,
        code="308001001/000001",
        name="环境空气质量监测站点信息",
        summary="全市环境空气质量自动监测站点及其最新监测值。",
        open_type="open",
        update_cycle="daily",
        fields=AIR_FIELDS,
    )
    resource = publish(resource, officer, data_admin)
    datastore_services.deliver_file(
        actor=officer,
        resource_id=resource.pk,
        stream=io.BytesIO(_csv([f["name"] for f in AIR_FIELDS], AIR_ROWS)),
        filename="air.csv",
        mode="upsert",
    )
    return resource


@pytest.fixture
def elevator(officer, data_admin, make_resource, publish):
    resource = make_resource(
        officer,
        code="302001003/000001",
        name="电梯等特种设备使用登记信息",
        summary="电梯等特种设备的使用单位和检验日期。",
        open_type="conditional",
        update_cycle="weekly",
        fields=ELEVATOR_FIELDS,
    )
    resource = publish(resource, officer, data_admin)
    datastore_services.deliver_file(
        actor=officer,
        resource_id=resource.pk,
        stream=io.BytesIO(
            _csv(
                [f["name"] for f in ELEVATOR_FIELDS],
                [("E1", "文三路100号", "2027-01-01"), ("E2", "天目山路8号", "2027-03-01")],
            )
        ),
        filename="elevator.csv",
        mode="upsert",
    )
    return resource


@pytest.fixture
def closed(officer, data_admin, make_resource, publish):
    resource = make_resource(officer, code="301010001/000001", name="机动车登记信息")
    return publish(resource, officer, data_admin)


@pytest.fixture
def resources(air, elevator, closed):
    return {"air": air, "elevator": elevator, "closed": closed}


@pytest.fixture
def developer(db):
    return account_services.create_enterprise(
        actor=None,
        username="devco",
        name="杭州开发者科技有限公司",
        credit_code=enterprise_credit_code(),
        legal_representative="刘洋",
        password=PASSWORD,
    )


@pytest.fixture
def developer_key(developer):
    _key, secret = services.create_key(actor=developer, name="测试应用")
    return secret


@pytest.fixture
def approved(developer, elevator, officer):
    application = services.apply_for_resource(
        actor=developer, resource_id=elevator.pk, purpose="开发电梯维保提醒应用"
    )
    return services.decide_application(
        actor=officer, application_id=application.pk, approve=True, comment="同意"
    )
