"""Open-data pages: list with search, filters and empty state; the resource page; downloads in
four formats; the conditional flow (apply → approve in the inbox → download)."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client

from smartgov.core.audit import AuditRecord
from smartgov.core.workbench import inbox_for
from smartgov.opendata.models import ApplicationStatus, OpenApplication, Publication

pytestmark = pytest.mark.django_db

AIR = "308001001-000001"
ELEVATOR = "302001003-000001"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_list_needs_no_login_and_hides_closed(client, resources):
    response = client.get("/open/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "环境空气质量监测站点信息" in html and "电梯等特种设备使用登记信息" in html
    assert "机动车登记信息" not in html
    assert "数据开放" in html


def test_list_search_filters_and_empty_state(client, resources):
    html = client.get("/open/", {"q": "空气质量"}).content.decode()
    assert "环境空气质量监测站点信息" in html and "电梯等特种设备" not in html
    html = client.get("/open/", {"update_cycle": "weekly"}).content.decode()
    assert "电梯等特种设备" in html and "环境空气质量" not in html
    provider = resources["air"].provider_id
    html = client.get("/open/", {"provider": provider, "format": "table"}).content.decode()
    assert html.count('data-testid="open-result"') == 2
    response = client.get("/open/", {"q": "不存在的词语组合"})
    assert 'data-testid="empty-state"' in response.content.decode()
    # Bad input is ignored by the form, never a 500.
    assert client.get("/open/", {"provider": "abc", "page": "x"}).status_code == 200
    assert client.get("/open/", {"page": "999"}).status_code == 200


def test_resource_page_hides_personal_fields_and_counts_views(client, resources):
    html = client.get(f"/open/{AIR}/").content.decode()
    assert "站点名称" in html and "西溪湿地站" in html  # fields and preview
    assert 'data-testid="open-withheld"' in html and "联系人手机" in html  # listed as withheld
    assert "13800138000" not in html  # never its values
    for fmt in ("csv", "json", "xlsx", "parquet"):
        assert f"/open/{AIR}/download/{fmt}" in html
    assert Publication.objects.get(resource=resources["air"]).view_count == 1
    assert client.get("/open/301010001-000001/").status_code == 404


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_downloads_in_four_formats(client, resources):
    import openpyxl
    import pyarrow.parquet as pq

    csv_text = _body(client.get(f"/open/{AIR}/download/csv")).decode("utf-8-sig")
    assert csv_text.splitlines()[0] == "station_code,station_name,pm25,aqi,observed_on"
    assert "13800138000" not in csv_text
    rows = json.loads(_body(client.get(f"/open/{AIR}/download/json")))
    assert len(rows) == 3 and "contact_phone" not in rows[0]
    book = openpyxl.load_workbook(io.BytesIO(_body(client.get(f"/open/{AIR}/download/xlsx"))))
    assert book.active.max_row == 4
    table = pq.read_table(io.BytesIO(_body(client.get(f"/open/{AIR}/download/parquet"))))
    assert table.num_rows == 3 and "contact_phone" not in table.column_names
    assert Publication.objects.get(resource=resources["air"]).download_count == 4
    assert client.get(f"/open/{AIR}/download/exe").status_code == 404


def test_conditional_apply_approve_download(client, resources, developer, officer, other_officer):
    # Anonymous and unapproved visitors see the page but not the rows.
    page = client.get(f"/open/{ELEVATOR}/").content.decode()
    assert "文三路100号" not in page and "download/csv" not in page
    assert client.get(f"/open/{ELEVATOR}/download/csv").status_code == 403
    dev = logged_in(developer)
    assert dev.get(f"/open/{ELEVATOR}/download/csv").status_code == 403
    # A too-short purpose is refused; a real one is recorded.
    dev.post(f"/open/{ELEVATOR}/apply/", {"purpose": "x"})
    assert not OpenApplication.objects.exists()
    dev.post(f"/open/{ELEVATOR}/apply/", {"purpose": "开发电梯维保提醒小程序"})
    application = OpenApplication.objects.get()
    assert application.status == ApplicationStatus.PENDING
    assert AuditRecord.objects.filter(action="opendata.application.create").exists()
    # It waits in the provider's officer's inbox, not in another district's.
    assert any(i.source == "opendata" for i in inbox_for(officer).items)
    assert not any(i.source == "opendata" for i in inbox_for(other_officer).items)
    other = logged_in(other_officer)
    assert other.get(f"/open/applications/{application.pk}/").status_code == 404
    other.post(f"/open/applications/{application.pk}/", {"decision": "approve"})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING  # nothing changed
    provider = logged_in(officer)
    response = provider.post(f"/open/applications/{application.pk}/", {"decision": "reject"})
    assert "请说明驳回理由" in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING  # a rejection needs a reason
    provider.post(
        f"/open/applications/{application.pk}/", {"decision": "approve", "comment": "同意"}
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert AuditRecord.objects.filter(action="opendata.application.approve").exists()
    # Now the developer sees the rows and downloads them.
    assert "文三路100号" in dev.get(f"/open/{ELEVATOR}/").content.decode()
    assert "E1" in _body(dev.get(f"/open/{ELEVATOR}/download/csv")).decode("utf-8-sig")


def test_staff_and_anonymous_cannot_apply(client, resources, officer):
    client.post(f"/open/{ELEVATOR}/apply/", {"purpose": "开发电梯维保提醒小程序"})
    logged_in(officer).post(f"/open/{ELEVATOR}/apply/", {"purpose": "开发电梯维保提醒小程序"})
    assert not OpenApplication.objects.exists()


def test_developer_page_keys_shown_once_and_revoked(resources, developer):
    dev = logged_in(developer)
    response = dev.post("/open/developer/keys/", {"name": "我的应用"}, follow=True)
    html = response.content.decode()
    assert 'data-testid="new-key-secret"' in html
    secret = html.split('data-testid="new-key-secret">')[1].split("<")[0]
    assert secret.startswith("sgo_")
    assert secret not in dev.get("/open/developer/").content.decode()  # shown once
    key = developer.developer_keys.get()
    dev.post(f"/open/developer/keys/{key.pk}/revoke/")
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert AuditRecord.objects.filter(action="opendata.key.revoke").exists()


def test_download_with_key_header(client, resources, developer_key, approved):
    response = client.get(
        f"/open/{ELEVATOR}/download/json", headers={"Authorization": developer_key}
    )
    assert response.status_code == 200 and len(json.loads(_body(response))) == 2


def test_data_bureau_files_topic_tags_license(client, resources, data_admin, officer):
    from smartgov.opendata.models import Topic

    Topic.objects.create(code="environment", name="生态环境")
    admin = logged_in(data_admin)
    assert 'data-testid="open-publication"' in admin.get(f"/open/{AIR}/").content.decode()
    admin.post(
        f"/open/{AIR}/publication/",
        {"topic": "environment", "tags": "空气质量，监测站点", "license": "cc-zero"},
    )
    pub = Publication.objects.get(resource=resources["air"])
    assert pub.topic.code == "environment" and pub.license == "cc-zero"
    assert sorted(pub.tags.values_list("name", flat=True)) == ["监测站点", "空气质量"]
    assert AuditRecord.objects.filter(action="opendata.publication.file").exists()
    # A provider's data officer may not (and sees no form); nothing changes.
    provider = logged_in(officer)
    assert 'data-testid="open-publication"' not in provider.get(f"/open/{AIR}/").content.decode()
    provider.post(f"/open/{AIR}/publication/", {"topic": "", "tags": "", "license": "cc-by-4.0"})
    pub.refresh_from_db()
    assert pub.license == "cc-zero" and pub.topic is not None
