"""Data-store API: uploads, pushes, history, rejection reports, rows, diffs, exports, refusals."""

from __future__ import annotations

import csv
import io
import json

import pyarrow.parquet as pq
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from smartgov.core.models import AuditRecord
from smartgov.datastore.models import Delivery, DeliveryStatus
from tests.datastore.conftest import COLUMNS, csv_bytes, person

BASE = "/api/v1/datastore"


def _upload(client, resource, content, headers, *, filename="people.csv", mode="upsert"):
    return client.post(
        f"{BASE}/resources/{resource.pk}/deliveries",
        {"file": SimpleUploadedFile(filename, content), "mode": mode},
        **headers,
    )


def _push(client, resource, body, headers):
    return client.post(
        f"{BASE}/resources/{resource.pk}/records",
        json.dumps(body, ensure_ascii=False),
        content_type="application/json",
        **headers,
    )


def _content(response) -> bytes:
    return b"".join(response.streaming_content)


def test_upload_with_bad_rows_then_read_the_report(api_client, bearer, officer, population):
    headers = bearer(officer)
    response = _upload(
        api_client, population, csv_bytes([person(1), person(2, phone="123")]), headers
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "partially_rejected" and (body["inserted"], body["rejected"]) == (1, 1)

    report = api_client.get(f"{BASE}/deliveries/{body['id']}/rejections", **headers).json()
    assert report["count"] == 1 and report["items"][0]["field"] == "phone"
    response = api_client.get(f"{BASE}/deliveries/{body['id']}/rejections.csv", **headers)
    text = _content(response).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == ["row_number", "field", "value", "code", "reason"]
    assert rows[1][:4] == ["3", "phone", "123", "phone_format"]

    history = api_client.get(f"{BASE}/resources/{population.pk}/deliveries", **headers).json()
    assert [d["id"] for d in history["items"]] == [body["id"]]
    assert api_client.get(f"{BASE}/deliveries/{body['id']}", **headers).json()["version"] == 1


def test_delivery_level_error_is_json_and_recorded(api_client, bearer, officer, population):
    content = csv_bytes([person(1)], columns=[*COLUMNS, "extra"])
    response = _upload(api_client, population, content, bearer(officer))
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_columns"
    assert Delivery.objects.get(resource=population).status == DeliveryStatus.FAILED


def test_push_records_and_diff_and_versions(api_client, bearer, officer, population):
    headers = bearer(officer)
    response = _push(
        api_client, population, {"mode": "upsert", "records": [person(1), person(2)]}, headers
    )
    assert response.status_code == 201 and response.json()["inserted"] == 2
    response = _push(
        api_client,
        population,
        {
            "mode": "upsert",
            "records": [person(2, name="李四")],
            "deletes": [person(1)["citizen_id"]],
        },
        headers,
    )
    assert (response.json()["updated"], response.json()["deleted"]) == (1, 1)
    page = api_client.get(f"{BASE}/resources/{population.pk}/records?version=1", **headers).json()
    assert page["count"] == 2 and page["version"] == 1
    current = api_client.get(f"{BASE}/resources/{population.pk}/records", **headers).json()
    assert [r["name"] for r in current["rows"]] == ["李四"]
    diff = api_client.get(f"{BASE}/resources/{population.pk}/diff?from=1&to=2", **headers).json()
    assert diff["counts"] == {"added": 0, "changed": 1, "removed": 1}
    bad = api_client.get(f"{BASE}/resources/{population.pk}/diff?from=one&to=2", **headers)
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_version"


@pytest.fixture
def loaded(api_client, bearer, officer, population):
    headers = bearer(officer)
    _push(
        api_client,
        population,
        {"mode": "upsert", "records": [person(n) for n in range(1, 6)]},
        headers,
    )
    _push(api_client, population, {"mode": "upsert", "records": [person(6, phone="")]}, headers)
    return headers


def _export(api_client, population, headers, fmt, version=None):
    url = f"{BASE}/resources/{population.pk}/export?format={fmt}"
    if version is not None:
        url += f"&version={version}"
    response = api_client.get(url, **headers)
    assert response.status_code == 200, response
    return _content(response)


def test_exports_parse_back_in_all_four_formats(api_client, population, loaded):
    text = _export(api_client, population, loaded, "csv").decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert len(rows) == 6 and rows[0]["citizen_id"] == person(1)["citizen_id"]
    assert rows[0]["name"] == "张1"  # the provider's own staff see unmasked values

    records = json.loads(_export(api_client, population, loaded, "json"))
    assert len(records) == 6 and records[5]["phone"] is None and records[0]["household_size"] == 3

    workbook = load_workbook(
        io.BytesIO(_export(api_client, population, loaded, "xlsx")), read_only=True
    )
    values = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert list(values[0]) == COLUMNS and len(values) == 7 and values[1][1] == "张1"

    table = pq.read_table(io.BytesIO(_export(api_client, population, loaded, "parquet")))
    assert table.num_rows == 6 and table.column_names == COLUMNS
    assert table.column("household_size").to_pylist()[0] == 3
    assert str(table.column("birth_date").to_pylist()[0]) == "1990-01-01"
    # Clear values leave the platform: each export is in the audit log.
    exported = AuditRecord.objects.filter(action="datastore.export", object_id=str(population.pk))
    assert sorted(exported.values_list("after__format", flat=True)) == [
        "csv",
        "json",
        "parquet",
        "xlsx",
    ]

    old = json.loads(_export(api_client, population, loaded, "json", version=1))
    assert len(old) == 5


def test_unknown_export_format_and_version(api_client, population, loaded):
    url = f"{BASE}/resources/{population.pk}/export"
    assert api_client.get(f"{url}?format=xml", **loaded).json()["code"] == "unknown_export_format"
    assert (
        api_client.get(f"{url}?format=csv&version=9", **loaded).json()["code"] == "unknown_version"
    )


def test_other_department_cannot_read_or_deliver(
    api_client, bearer, officer, other_officer, xihu_staff, population, loaded
):
    headers = bearer(other_officer)
    for url in (
        f"{BASE}/resources/{population.pk}/records",
        f"{BASE}/resources/{population.pk}/export?format=csv",
        f"{BASE}/resources/{population.pk}/deliveries",
        f"{BASE}/deliveries/{Delivery.objects.first().pk}",
    ):
        assert api_client.get(url, **headers).status_code == 404, url
    before = Delivery.objects.exclude(status=DeliveryStatus.FAILED).count()
    response = _push(api_client, population, {"mode": "replace", "records": []}, headers)
    assert response.status_code == 403 and response.json()["code"] == "not_provider"
    response = _upload(api_client, population, csv_bytes([]), bearer(xihu_staff))
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert Delivery.objects.exclude(status=DeliveryStatus.FAILED).count() == before
    page = api_client.get(f"{BASE}/resources/{population.pk}/records", **loaded).json()
    assert page["count"] == 6


def test_data_admin_reads_every_department(api_client, bearer, data_admin, population, loaded):
    page = api_client.get(f"{BASE}/resources/{population.pk}/records", **bearer(data_admin)).json()
    assert page["count"] == 6
