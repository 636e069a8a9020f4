"""Data-store fixtures: a published population resource with one field of every type."""

from __future__ import annotations

import io

import pytest

from smartgov.core.validators import citizen_id_check_digit, credit_code_check_char
from smartgov.datastore import services
from tests.catalog import conftest as catalog_fixtures
from tests.catalog.conftest import field

# The catalog's fixtures, shared: data officers of two districts and a data-bureau admin.
officer = catalog_fixtures.officer
other_officer = catalog_fixtures.other_officer
data_admin = catalog_fixtures.data_admin
make_resource = catalog_fixtures.make_resource
publish = catalog_fixtures.publish

POPULATION_FIELDS = [
    field("citizen_id", "公民身份号码", "citizen_id", is_key=True, masking="citizen_id"),
    field("name", "姓名", required=True, max_length=10, masking="name"),
    field("gender", "性别", "enum", enum_values=["男", "女"]),
    field("birth_date", "出生日期", "date"),
    field("household_size", "户内人数", "integer"),
    field("income", "年收入", "decimal"),
    field("married", "已婚", "boolean"),
    field("registered_at", "登记时间", "datetime"),
    field("region", "行政区划", "region_code"),
    field("phone", "手机号码", "phone"),
    field("employer", "工作单位信用代码", "credit_code"),
]
COLUMNS = [f["name"] for f in POPULATION_FIELDS]


def citizen_id(n: int) -> str:
    first17 = f"330106199001{(n % 28) + 1:02d}{n % 1000:03d}"
    return first17 + citizen_id_check_digit(first17)


def credit_code() -> str:
    first17 = "91330106MA27U2B49"
    return first17 + credit_code_check_char(first17)


def person(n: int, **overrides) -> dict:
    row = {
        "citizen_id": citizen_id(n),
        "name": f"张{n}",
        "gender": "男",
        "birth_date": "1990-01-01",
        "household_size": "3",
        "income": "12345.50",
        "married": "true",
        "registered_at": "2024-05-01 08:30:00",
        "region": "330106",
        "phone": "13800138000",
        "employer": credit_code(),
    }
    row.update(overrides)
    return row


def csv_bytes(rows: list[dict], *, columns=None, encoding="utf-8") -> bytes:
    columns = columns or COLUMNS
    lines = [",".join(columns)]
    lines += [",".join(str(row.get(c, "")) for c in columns) for row in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


@pytest.fixture
def population(officer, data_admin, make_resource, publish):
    resource = make_resource(
        officer,
        name="户籍人口",
        fields=POPULATION_FIELDS,
        code="101001001/000001",
        classification="base",
        base_resource="population",
    )
    return publish(resource, officer, data_admin)


@pytest.fixture
def deliver(officer):
    def run(resource, content: bytes, filename="people.csv", mode="upsert", actor=None):
        return services.deliver_file(
            actor=actor or officer,
            resource_id=resource.pk,
            stream=io.BytesIO(content),
            filename=filename,
            mode=mode,
        )

    return run
