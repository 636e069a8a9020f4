"""The per-resource table: creation with the right columns and key index, schema migration."""

from __future__ import annotations

import pytest
from django.db import connection

from smartgov.catalog import services as catalog
from smartgov.core.errors import Conflict
from smartgov.datastore import db, services
from smartgov.datastore.models import StoreTable
from tests.datastore.conftest import POPULATION_FIELDS, csv_bytes, field, person


def _constraints(table: str) -> dict:
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, table)


def test_ensure_table_creates_columns_and_a_unique_key_index(population):
    table = services.ensure_table(population)
    assert table.table_name == f"ds_{population.pk}"
    columns = db.table_columns(table.table_name)
    assert columns[:3] == ["_row_id", "_version_from", "_version_to"]
    assert columns[3:] == [f["name"] for f in POPULATION_FIELDS]
    unique = [
        c for c in _constraints(table.table_name).values() if c["unique"] and not c["primary_key"]
    ]
    assert [c["columns"] for c in unique] == [["citizen_id"]]
    assert [c["data_type"] for c in table.schema] == [f["data_type"] for f in POPULATION_FIELDS]
    # Idempotent: a second call finds the same table.
    assert services.ensure_table(population).pk == table.pk
    assert StoreTable.objects.count() == 1


def _change_fields(resource, officer, admin, fields):
    catalog.withdraw_resource(actor=admin, resource_id=resource.pk, reason="字段调整")
    catalog.set_fields(actor=officer, resource_id=resource.pk, fields=fields)
    catalog.submit_resource(actor=officer, resource_id=resource.pk)
    return catalog.approve_resource(actor=admin, resource_id=resource.pk)


def test_a_new_optional_field_adds_a_column(population, officer, data_admin, deliver):
    deliver(population, csv_bytes([person(1)]))
    fields = [*POPULATION_FIELDS, field("remark", "备注")]
    resource = _change_fields(population, officer, data_admin, fields)
    delivery = deliver(
        resource, csv_bytes([person(2, remark="新字段")], columns=[f["name"] for f in fields])
    )
    assert delivery.inserted == 1
    table = StoreTable.objects.get(resource=resource)
    assert db.table_columns(table.table_name)[-1] == "remark"
    assert table.schema[-1]["name"] == "remark"


@pytest.mark.parametrize(
    "change, reason",
    [
        (lambda fs: [*fs[:4], {**fs[4], "data_type": "string"}, *fs[5:]], "type changed"),
        (lambda fs: [fs[0], {**fs[1], "is_key": True}, *fs[2:]], "key fields changed"),
        (lambda fs: [fs[0], *fs[2:]], "removed but its column holds data"),
        (lambda fs: [*fs, field("nation", "民族", required=True)], "new required field"),
    ],
)
def test_unsafe_schema_changes_are_refused_with_reasons(
    population, officer, data_admin, deliver, change, reason
):
    deliver(population, csv_bytes([person(1)]))
    resource = _change_fields(population, officer, data_admin, change(POPULATION_FIELDS))
    table = StoreTable.objects.get(resource=resource)
    before = db.table_columns(table.table_name)
    with pytest.raises(Conflict) as caught:
        services.ensure_table(resource)
    assert caught.value.code == "schema_change_refused"
    assert any(reason in text for text in caught.value.detail["reasons"])
    assert db.table_columns(table.table_name) == before


def test_dropping_an_empty_field_is_allowed(population, officer, data_admin, deliver):
    deliver(population, csv_bytes([person(1, phone="")]))
    fields = [f for f in POPULATION_FIELDS if f["name"] != "phone"]
    resource = _change_fields(population, officer, data_admin, fields)
    table = services.ensure_table(resource)
    assert "phone" not in db.table_columns(table.table_name)
