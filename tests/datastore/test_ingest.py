"""File deliveries: formats and encodings, row validation, delivery-level errors, atomicity."""

from __future__ import annotations

import io
import json

import pytest
from django.db import connection
from openpyxl import Workbook

from smartgov.catalog import services as catalog
from smartgov.core.errors import SmartgovError
from smartgov.core.models import AuditRecord
from smartgov.datastore import columnar, db, ingest, selectors
from smartgov.datastore.models import Delivery, DeliveryStatus, Rejection, StoreTable
from tests.datastore.conftest import COLUMNS, credit_code, csv_bytes, person


@pytest.fixture(params=["columnar", "rows"])
def csv_reader(request, settings):
    """A CSV test asking for it runs through the columnar fast path and the row reader."""
    settings.DATASTORE_COLUMNAR_CSV = request.param == "columnar"
    return request.param


def current_rows(resource) -> list[tuple]:
    table = StoreTable.objects.filter(resource=resource).first()
    if table is None:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT citizen_id, name FROM {db.q(table.table_name)} "
            "WHERE _version_to IS NULL ORDER BY citizen_id"
        )
        return cursor.fetchall()


def test_csv_utf8_is_stored_with_typed_values(population, officer, deliver, csv_reader):
    delivery = deliver(population, csv_bytes([person(1), person(2)]))
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert (delivery.received, delivery.inserted, delivery.rejected) == (2, 2, 0)
    assert delivery.version == 1 and delivery.duration_ms >= 0
    page = selectors.read_records(officer, population.pk)
    row = page["rows"][0]
    assert row["name"] == "张1" and row["household_size"] == 3 and row["married"] is True
    assert row["birth_date"] == "1990-01-01" and row["income"] in ("12345.50", "12345.5")
    assert row["registered_at"] == "2024-05-01T00:30:00+00:00"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_with_bom_and_gb18030(population, deliver, encoding, csv_reader):
    delivery = deliver(population, csv_bytes([person(1, name="欧阳娜娜")], encoding=encoding))
    assert delivery.inserted == 1
    assert current_rows(population) == [(person(1)["citizen_id"], "欧阳娜娜")]


def test_xlsx(population, deliver):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    row = person(1)
    row["household_size"] = 4
    sheet.append([row[c] for c in COLUMNS])
    sheet.append([person(2)[c] for c in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    delivery = deliver(population, buffer.getvalue(), filename="people.xlsx")
    assert (delivery.inserted, delivery.rejected) == (2, 0)


def test_json_array_and_ndjson(population, deliver):
    array = json.dumps([person(1), person(2)], ensure_ascii=False).encode()
    assert deliver(population, array, filename="people.json").inserted == 2
    ndjson = "\n".join(json.dumps(p, ensure_ascii=False) for p in [person(2), person(3)])
    delivery = deliver(population, ndjson.encode(), filename="people.ndjson")
    assert (delivery.inserted, delivery.unchanged) == (1, 1)


def test_large_json_array_streams_across_buffers(population, deliver, monkeypatch):
    from smartgov.datastore import readers

    monkeypatch.setattr(readers, "_READ_BYTES", 50)
    array = json.dumps([person(n) for n in range(1, 30)], ensure_ascii=False).encode()
    assert deliver(population, array, filename="people.json").inserted == 29


@pytest.mark.parametrize(
    "overrides, field_name, code",
    [
        ({"name": ""}, "name", "required"),
        ({"name": "名" * 11}, "name", "too_long"),
        ({"gender": "未知"}, "gender", "not_in_enum"),
        ({"household_size": "3.5"}, "household_size", "integer_format"),
        ({"income": "abc"}, "income", "decimal_format"),
        ({"married": "maybe"}, "married", "boolean_format"),
        ({"birth_date": "1990-02-30"}, "birth_date", "date_format"),
        ({"registered_at": "yesterday"}, "registered_at", "datetime_format"),
        ({"region": "3301"}, "region", "region_code_format"),
        ({"phone": "12345"}, "phone", "phone_format"),
        ({"employer": "91330106MA27U2B490"}, "employer", "credit_code_checksum"),
        ({"citizen_id": "330106199001010010"}, "citizen_id", "citizen_id_checksum"),
    ],
)
def test_each_rule_rejects_the_row_with_its_reason(
    population, deliver, overrides, field_name, code, csv_reader
):
    bad = person(2, **overrides)
    delivery = deliver(population, csv_bytes([person(1), bad]))
    assert delivery.status == DeliveryStatus.PARTIALLY_REJECTED
    assert (delivery.inserted, delivery.rejected) == (1, 1)
    rejection = Rejection.objects.get(delivery=delivery)
    assert (rejection.row_number, rejection.field, rejection.code) == (3, field_name, code)
    assert rejection.reason and rejection.value == str(overrides[field_name])[:200]


def test_duplicate_keys_in_a_file_reject_the_later_row(population, deliver, csv_reader):
    delivery = deliver(population, csv_bytes([person(1), person(2), person(1, name="重复")]))
    assert (delivery.inserted, delivery.rejected) == (2, 1)
    rejection = Rejection.objects.get(delivery=delivery)
    assert rejection.row_number == 4 and rejection.reason == "duplicate key in this delivery"
    assert dict(current_rows(population))[person(1)["citizen_id"]] == "张1"


def test_duplicate_keys_across_chunks(population, deliver, monkeypatch, csv_reader):
    monkeypatch.setattr(ingest, "CHUNK_ROWS", 2)
    monkeypatch.setattr(columnar, "BLOCK_BYTES", 300)
    rows = [person(1), person(2), person(3), person(1, name="重复"), person(3)]
    delivery = deliver(population, csv_bytes(rows))
    assert (delivery.inserted, delivery.rejected) == (3, 2)


def test_ragged_rows_are_rejected(population, deliver, csv_reader):
    content = csv_bytes([person(1), person(2)]) + b"a,b\n"
    delivery = deliver(population, content)
    assert (delivery.inserted, delivery.rejected) == (2, 1)
    assert Rejection.objects.get(delivery=delivery).code == "ragged_row"


def _assert_failed(resource, code):
    failed = Delivery.objects.filter(resource=resource).latest("id")
    assert failed.status == DeliveryStatus.FAILED and failed.error_code == code
    assert failed.version is None
    audit = AuditRecord.objects.filter(action="datastore.delivery", object_id=str(failed.pk))
    assert audit.count() == 1 and audit.get().after["status"] == "failed"


def test_unknown_columns_fail_the_whole_delivery(population, deliver):
    deliver(population, csv_bytes([person(1)]))
    before = current_rows(population)
    content = csv_bytes([person(5, foo="x")], columns=[*COLUMNS, "foo"])
    with pytest.raises(SmartgovError) as caught:
        deliver(population, content)
    assert caught.value.code == "unknown_columns" and caught.value.detail["unknown"] == ["foo"]
    assert current_rows(population) == before
    _assert_failed(population, "unknown_columns")


def test_wrong_encoding_fails_and_leaves_data_unchanged(
    population, deliver, monkeypatch, csv_reader
):
    from smartgov.datastore import readers

    deliver(population, csv_bytes([person(1)]))
    before = current_rows(population)
    monkeypatch.setattr(readers, "_SNIFF_BYTES", 200)
    good = csv_bytes([person(n) for n in range(2, 6)])
    with pytest.raises(SmartgovError) as caught:
        deliver(population, good + "张三".encode() + b"\xff\xfe\xff,x\n")
    assert caught.value.code == "bad_encoding"
    assert current_rows(population) == before
    _assert_failed(population, "bad_encoding")


def test_file_too_large(population, deliver, settings):
    settings.DATASTORE_MAX_UPLOAD_BYTES = 100
    with pytest.raises(SmartgovError) as caught:
        deliver(population, csv_bytes([person(1), person(2)]))
    assert caught.value.code == "file_too_large"
    assert current_rows(population) == []
    _assert_failed(population, "file_too_large")


def test_an_exception_mid_delivery_rolls_everything_back(
    population, deliver, monkeypatch, csv_reader
):
    deliver(population, csv_bytes([person(1)]))
    before = current_rows(population)
    monkeypatch.setattr(ingest, "CHUNK_ROWS", 2)
    monkeypatch.setattr(columnar, "BLOCK_BYTES", 300)
    original = db.insert_rows
    calls = []

    def failing(*args):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return original(*args)

    monkeypatch.setattr(db, "insert_rows", failing)
    with pytest.raises(RuntimeError):
        deliver(population, csv_bytes([person(n, name="改") for n in range(1, 6)]))
    assert current_rows(population) == before
    assert StoreTable.objects.get(resource=population).version == 1
    _assert_failed(population, "internal_error")


def test_not_the_provider_is_refused_and_recorded(population, other_officer, deliver):
    with pytest.raises(SmartgovError) as caught:
        deliver(population, csv_bytes([person(1)]), actor=other_officer)
    assert caught.value.code == "not_provider" and caught.value.status == 403
    assert current_rows(population) == []
    _assert_failed(population, "not_provider")


def test_unpublished_resource_is_refused(population, officer, data_admin, deliver):
    catalog.withdraw_resource(actor=data_admin, resource_id=population.pk, reason="暂停")
    with pytest.raises(SmartgovError) as caught:
        deliver(population, csv_bytes([person(1)]))
    assert caught.value.code == "resource_not_published" and caught.value.status == 409
    assert current_rows(population) == []
    _assert_failed(population, "resource_not_published")


def test_one_audit_record_per_delivery_with_counts(population, officer, deliver):
    delivery = deliver(
        population, csv_bytes([person(n) for n in range(1, 20)] + [person(30, phone="1")])
    )
    records = AuditRecord.objects.filter(action="datastore.delivery")
    assert records.count() == 1
    after = records.get().after
    assert (after["received"], after["inserted"], after["rejected"]) == (20, 19, 1)
    assert records.get().object_id == str(delivery.pk) and records.get().actor_id == officer.pk


def test_fixed_line_phones_are_stored_normalised(population, officer, deliver, csv_reader):
    deliver(population, csv_bytes([person(1, phone="(0571) 8888 6666")]))
    assert selectors.read_records(officer, population.pk)["rows"][0]["phone"] == "0571-88886666"


@pytest.mark.parametrize("fmt", ["spatial", "api"])
def test_spatial_and_interface_resources_hold_records(
    officer, data_admin, make_resource, publish, deliver, fmt
):
    resource = publish(make_resource(officer, format=fmt), officer, data_admin)
    assert deliver(resource, b"credit_code\n" + credit_code().encode() + b"\n").inserted == 1


def test_file_resources_hold_no_records(officer, data_admin, make_resource, publish, deliver):
    resource = publish(make_resource(officer, format="file"), officer, data_admin)
    with pytest.raises(SmartgovError) as caught:
        deliver(resource, b"credit_code\n" + credit_code().encode() + b"\n")
    assert caught.value.code == "not_a_table" and caught.value.status == 400
    assert not StoreTable.objects.filter(resource=resource).exists()


def test_blank_lines_and_quoted_newlines_keep_row_numbers(population, deliver, csv_reader):
    lines = csv_bytes([person(1)]).decode().splitlines()
    bad = csv_bytes([person(3, phone="12")]).decode().splitlines()[1]
    quoted = csv_bytes([person(2)]).decode().splitlines()[1].replace("张2", '"张\n2"')
    content = "\n".join([*lines, "", quoted, ",,,,,,,,,,", bad]) + "\n"
    delivery = deliver(population, content.encode())
    assert (delivery.received, delivery.inserted, delivery.rejected) == (3, 2, 1)
    # header 1, 张1 2, blank 3, 张\n2 4, empty cells 5 (a blank row), bad 6
    assert Rejection.objects.get(delivery=delivery).row_number == 6


def test_nul_characters_reject_the_value(population, deliver, csv_reader):
    delivery = deliver(population, csv_bytes([person(1, name="张\x00三"), person(2)]))
    assert (delivery.inserted, delivery.rejected) == (1, 1)
    assert Rejection.objects.get(delivery=delivery).code == "nul_character"


def test_bulk_load_reports_rejections_of_many_blocks(population, deliver, monkeypatch):
    monkeypatch.setattr(columnar, "BLOCK_BYTES", 400)
    monkeypatch.setattr(ingest, "REJECTION_BATCH", 2)
    rows = [person(n, phone="12" if n % 3 == 0 else "13800138000") for n in range(1, 13)]
    delivery = deliver(population, csv_bytes(rows))
    assert (delivery.inserted, delivery.rejected) == (8, 4)
    assert list(
        Rejection.objects.filter(delivery=delivery).values_list("row_number", flat=True)
    ) == [4, 7, 10, 13]
    assert len(current_rows(population)) == 8
    # The indexes are back: a second load of the same keys updates instead of repeating.
    again = deliver(population, csv_bytes([person(1, name="改")]))
    assert (again.inserted, again.updated) == (0, 1)


def test_rows_arrow_cannot_vouch_for_are_decided_value_by_value(
    population, officer, deliver, csv_reader
):
    lower_x = citizen_id_with_x()
    rows = [
        person(1, name=" 张一 ", phone="12"),  # spaces are fine, the phone is not
        person(2, region=" 330106 ", birth_date="1990/01/02"),  # other spellings, all valid
        {**person(3), "citizen_id": lower_x.lower()},
    ]
    delivery = deliver(population, csv_bytes(rows))
    assert (delivery.inserted, delivery.rejected) == (2, 1)
    rejection = Rejection.objects.get(delivery=delivery)
    assert (rejection.row_number, rejection.field, rejection.code) == (2, "phone", "phone_format")
    stored = {r["citizen_id"]: r for r in selectors.read_records(officer, population.pk)["rows"]}
    assert stored[person(2)["citizen_id"]]["region"] == "330106"
    assert stored[person(2)["citizen_id"]]["birth_date"] == "1990-01-02"
    assert stored[lower_x]["name"] == "张3"


def citizen_id_with_x() -> str:
    from smartgov.core.validators import citizen_id_check_digit

    for n in range(1000):
        first17 = f"33010619900101{n:03d}"
        if citizen_id_check_digit(first17) == "X":
            return first17 + "X"
    raise AssertionError("no check digit X among 1,000 sequence numbers")
