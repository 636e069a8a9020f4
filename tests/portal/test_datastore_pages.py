"""Data-store pages (数据归集): deliver, a delivery and its rejection report, delivery history,
the overview across departments, a resource's rows, versions, diffs, exports, and the data
section of the catalog detail page."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from smartgov.core.errors import InvalidInput
from smartgov.core.models import AuditRecord
from smartgov.core.validators import citizen_id_check_digit
from smartgov.datastore import inbox as datastore_inbox
from smartgov.datastore.models import Delivery, DeliveryStatus, StoreTable
from tests.catalog.conftest import field
from tests.datastore import conftest as store
from tests.datastore.conftest import COLUMNS, csv_bytes, person

# The data store's fixtures: a published 户籍人口 resource of 西湖区's bureau, its data officer,
# another district's officer, the data bureau's administrator, and a file delivery helper.
population = store.population
deliver = store.deliver
officer = store.officer
other_officer = store.other_officer
data_admin = store.data_admin
make_resource = store.make_resource
publish = store.publish

DELIVER = "/datastore/resources/{pk}/deliver/"


def _text(response) -> str:
    return response.content.decode().replace("\xa0", " ")  # sizes come with a no-break space


def _streamed(response) -> bytes:
    return b"".join(response.streaming_content)


def _upload(client, resource, content: bytes, *, filename="people.csv", **data):
    return client.post(
        DELIVER.format(pk=resource.pk),
        {"file": SimpleUploadedFile(filename, content), "mode": "upsert", **data},
    )


@pytest.fixture
def loaded(population, deliver):
    """Version 1: people 1–3; version 2: person 2 renamed, person 4 added."""
    deliver(population, csv_bytes([person(1), person(2), person(3)]))
    deliver(population, csv_bytes([person(2, name="李四"), person(4)]))
    return population


# --- Deliver ------------------------------------------------------------------------------


def test_deliver_page_shows_modes_limit_and_field_guide(as_user, officer, population, settings):
    settings.DATASTORE_MAX_UPLOAD_BYTES = 5 * 1024 * 1024
    response = as_user(officer).get(DELIVER.format(pk=population.pk))
    assert response.status_code == 200
    page = _text(response)
    for text in ("上传数据文件", "增量更新", "全量替换", "5.0 MB", "下载 CSV 模板", "字段说明"):
        assert text in page, text
    assert page.count('data-testid="guide-row"') == len(COLUMNS)
    assert "男、女" in page and "主键" in page


def test_deliver_page_roles(as_user, officer, other_officer, data_admin, xihu_staff, population):
    url = DELIVER.format(pk=population.pk)
    assert as_user(data_admin).get(url).status_code == 200
    assert as_user(other_officer).get(url).status_code == 404
    assert as_user(xihu_staff).get(url).status_code == 403
    assert as_user(officer).get(DELIVER.format(pk=999999)).status_code == 404


def test_upload_with_bad_rows_goes_to_the_delivery_page(as_user, officer, population):
    client = as_user(officer)
    content = csv_bytes([person(1), person(2, phone="123"), person(3, birth_date="明天")])
    response = _upload(client, population, content)
    delivery = Delivery.objects.get(resource=population)
    assert response.status_code == 302
    assert response["Location"] == f"/datastore/deliveries/{delivery.pk}/"
    assert delivery.status == DeliveryStatus.PARTIALLY_REJECTED
    assert (delivery.received, delivery.inserted, delivery.rejected) == (3, 1, 2)
    page = _text(client.get(response["Location"]))
    assert "已入库（部分行被拒收）" in page
    assert 'data-testid="count-rejected">2<' in page and 'data-testid="count-inserted">1<' in page
    assert page.count('data-testid="rejection-row"') == 2
    assert "手机号码" in page and "出生日期" in page  # field labels
    assert "不是日期（请使用 YYYY-MM-DD 格式）。" in page  # the reason, translated
    assert "上传修改后的文件" in page


@pytest.mark.parametrize(
    ("content", "filename", "code", "shown"),
    [
        (csv_bytes([person(1)], columns=[*COLUMNS, "extra"]), "p.csv", "unknown_columns", "extra"),
        (csv_bytes([person(1)], columns=COLUMNS[1:]), "p.csv", "missing_columns", "citizen_id"),
        ("姓名,性别\n张三,男\n".encode("utf-16"), "p.csv", "bad_encoding", "CSV UTF-8"),
        (b"{}", "p.txt", "unknown_file_format", "p.txt"),
    ],
)
def test_delivery_level_errors_are_shown_inline_with_detail(
    as_user, officer, population, content, filename, code, shown
):
    response = _upload(as_user(officer), population, content, filename=filename)
    assert response.status_code == 400
    page = _text(response)
    assert f'data-code="{code}"' in page and shown in page
    assert 'data-testid="deliver-form"' in page  # the form again, to try once more
    # Nothing was stored; the attempt is kept as a failed delivery.
    assert not StoreTable.objects.filter(resource=population, version__gt=0).exists()
    assert Delivery.objects.get(resource=population).status == DeliveryStatus.FAILED


def test_unknown_columns_detail_names_both_sides(as_user, officer, population):
    content = csv_bytes([person(1)], columns=[*COLUMNS, "remark"])
    page = _text(_upload(as_user(officer), population, content))
    assert "文件包含资源未定义的列（或有重复列）。" in page
    assert "资源未定义的列：remark" in page and "citizen_id（公民身份号码）" in page


def test_file_too_large_shows_the_configured_limit(as_user, officer, population, settings):
    settings.DATASTORE_MAX_UPLOAD_BYTES = 100
    response = _upload(as_user(officer), population, csv_bytes([person(n) for n in range(5)]))
    assert response.status_code == 400
    page = _text(response)
    assert 'data-code="file_too_large"' in page and "100 字节" in page


def test_replace_needs_confirmation(as_user, officer, population, deliver):
    deliver(population, csv_bytes([person(1), person(2)]))
    client = as_user(officer)
    response = _upload(client, population, csv_bytes([person(1)]), mode="replace")
    assert response.status_code == 400
    assert 'data-testid="confirm-error"' in _text(response)
    assert Delivery.objects.filter(resource=population).count() == 1  # nothing was attempted
    response = _upload(
        client, population, csv_bytes([person(1)]), mode="replace", confirm_replace="on"
    )
    assert response.status_code == 302
    assert Delivery.objects.filter(resource=population).first().deleted == 1


def test_upload_refusals_change_nothing(as_user, other_officer, xihu_staff, population):
    content = csv_bytes([person(1)])
    assert _upload(as_user(other_officer), population, content).status_code == 404
    assert _upload(as_user(xihu_staff), population, content).status_code == 403
    assert not Delivery.objects.exists()


def test_unpublished_resource_cannot_take_deliveries(as_user, officer, make_resource):
    draft = make_resource(officer, name="草稿资源")
    client = as_user(officer)
    page = _text(client.get(DELIVER.format(pk=draft.pk)))
    assert 'data-testid="not-publishable"' in page and "草稿" in page
    response = _upload(client, draft, b"credit_code\n")
    assert response.status_code == 409
    assert "只能向已发布的资源归集数据。" in _text(response)
    assert not StoreTable.objects.filter(resource=draft).exists()


def test_empty_upload_is_a_form_error(as_user, officer, population):
    response = _upload(as_user(officer), population, b"")
    assert response.status_code == 400
    assert "invalid-feedback" in _text(response)
    assert not Delivery.objects.exists()


def test_csv_template_has_the_header_row(as_user, officer, other_officer, population):
    response = as_user(officer).get(f"/datastore/resources/{population.pk}/template.csv")
    assert response.status_code == 200
    text = _streamed(response).decode("utf-8")
    assert text.startswith("\ufeff") and text[1:].strip() == ",".join(COLUMNS)
    assert "attachment" in response["Content-Disposition"]
    assert (
        as_user(other_officer).get(f"/datastore/resources/{population.pk}/template.csv").status_code
        == 404
    )


# --- One delivery and its rejection report ------------------------------------------------


def test_rejection_report_is_paginated_masked_and_downloadable(
    as_user, officer, population, deliver
):
    first17 = [person(n)["citizen_id"][:17] for n in range(1, 23)]
    bad_ids = [f + ("1" if citizen_id_check_digit(f) == "0" else "0") for f in first17]
    delivery = deliver(population, csv_bytes([person(99, citizen_id=i) for i in bad_ids]))
    assert delivery.rejected == 22
    client = as_user(officer)
    page = _text(client.get(f"/datastore/deliveries/{delivery.pk}/"))
    assert page.count('data-testid="rejection-row"') == 20
    assert 'data-testid="pagination"' in page and "共 22 条" in page
    assert bad_ids[0] not in page and bad_ids[0][:6] + "********" + bad_ids[0][14:] in page
    assert (
        len(
            _text(client.get(f"/datastore/deliveries/{delivery.pk}/?page=2")).split(
                'data-testid="rejection-row"'
            )
        )
        == 3
    )

    response = client.get(f"/datastore/deliveries/{delivery.pk}/rejections.csv")
    text = _streamed(response).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == ["行号", "字段", "字段名", "值", "错误代码", "原因"]
    assert len(rows) == 23 and rows[1][1:3] == ["公民身份号码", "citizen_id"]
    assert rows[1][3] == bad_ids[0][:6] + "********" + bad_ids[0][14:]
    assert bad_ids[0] not in text


def test_delivery_page_roles(as_user, officer, other_officer, data_admin, xihu_staff, population):
    delivery_url = "/datastore/deliveries/{pk}/"
    client = as_user(officer)
    _upload(client, population, csv_bytes([person(1)]))
    pk = Delivery.objects.get().pk
    page = _text(client.get(delivery_url.format(pk=pk)))
    assert "成功" in page and "没有被拒收的行" in page and "xihu_officer" in page
    assert as_user(data_admin).get(delivery_url.format(pk=pk)).status_code == 200
    assert as_user(other_officer).get(delivery_url.format(pk=pk)).status_code == 404
    assert as_user(other_officer).get(f"/datastore/deliveries/{pk}/rejections.csv").status_code == (
        404
    )
    assert as_user(xihu_staff).get(delivery_url.format(pk=pk)).status_code == 403


def test_failed_delivery_page_shows_the_error(as_user, officer, population):
    client = as_user(officer)
    _upload(client, population, csv_bytes([person(1)], columns=[*COLUMNS, "extra"]))
    delivery = Delivery.objects.get()
    page = _text(client.get(f"/datastore/deliveries/{delivery.pk}/"))
    assert 'data-testid="delivery-failed"' in page and "unknown_columns" in page
    assert "文件包含资源未定义的列（或有重复列）。" in page


# --- Delivery history ---------------------------------------------------------------------


@pytest.fixture
def two_departments(org, other_officer, data_admin, make_resource, publish, deliver, loaded):
    """The 西湖区 population (loaded) and a 上城区 resource with one failed delivery."""
    theirs = make_resource(other_officer, org["shangcheng_bureau"], name="上城区企业名录")
    publish(theirs, other_officer, data_admin)
    with pytest.raises(InvalidInput):
        deliver(theirs, b"nope\n1\n", actor=other_officer)
    return loaded, theirs


def test_overview_is_scoped_and_filtered(as_user, officer, data_admin, two_departments, org):
    admin = as_user(data_admin)
    page = _text(admin.get("/datastore/deliveries/"))
    assert "数据归集" in page and page.count('data-testid="delivery-row"') == 3
    assert 'data-testid="count-failed">1<' in page
    assert "上城区企业名录" in page and "户籍人口" in page
    page = _text(admin.get("/datastore/deliveries/", {"status": "failed"}))
    assert page.count('data-testid="delivery-row"') == 1 and "上城区企业名录" in page
    page = _text(admin.get("/datastore/deliveries/", {"department": org["xihu_bureau"].pk}))
    assert page.count('data-testid="delivery-row"') == 2
    page = _text(admin.get("/datastore/deliveries/", {"resource": "企业"}))
    assert page.count('data-testid="delivery-row"') == 1
    page = _text(
        admin.get("/datastore/deliveries/", {"date_from": "2000-01-01", "date_to": "2000-01-02"})
    )
    assert 'data-testid="empty-state"' in page and "没有符合条件的归集记录" in page
    # The officer sees their own department's deliveries only.
    page = _text(as_user(officer).get("/datastore/deliveries/"))
    assert page.count('data-testid="delivery-row"') == 2 and "上城区企业名录" not in page


def test_overview_bad_input_and_refusal(as_user, data_admin, xihu_staff, citizen, two_departments):
    response = as_user(data_admin).get(
        "/datastore/deliveries/", {"date_from": "2026-02-01", "date_to": "2026-01-01"}
    )
    assert response.status_code == 400 and 'data-testid="filter-error"' in _text(response)
    response = as_user(data_admin).get("/datastore/deliveries/", {"date_from": "昨天"})
    assert response.status_code == 400
    assert as_user(xihu_staff).get("/datastore/deliveries/").status_code == 403
    assert as_user(citizen).get("/datastore/deliveries/").status_code == 403


def test_nav_entry_for_data_officers_only(as_user, officer, xihu_staff):
    assert 'href="/datastore/deliveries/"' in _text(as_user(officer).get("/catalog/"))
    assert 'href="/datastore/deliveries/"' not in _text(as_user(xihu_staff).get("/catalog/"))


def test_resource_history_lists_every_delivery(as_user, officer, other_officer, loaded):
    url = f"/datastore/resources/{loaded.pk}/deliveries/"
    page = _text(as_user(officer).get(url))
    assert page.count('data-testid="delivery-row"') == 2 and "v2" in page
    assert as_user(other_officer).get(url).status_code == 404


# --- Data, versions, diff, export ---------------------------------------------------------


def test_data_page_masks_values_and_pages(as_user, officer, data_admin, loaded):
    page = _text(as_user(officer).get(f"/datastore/resources/{loaded.pk}/data/"))
    assert page.count('data-testid="data-row"') == 4
    assert person(1)["citizen_id"] not in page
    assert person(1)["citizen_id"][:6] + "********" in page
    assert "李*" in page and "李四" not in page
    assert "13800138000" in page  # no masking rule on the fixture's phone field
    assert "已脱敏" in page
    assert 'data-testid="export-csv"' in page


def test_data_page_as_of_a_version_and_by_key(as_user, officer, loaded):
    client = as_user(officer)
    page = _text(client.get(f"/datastore/resources/{loaded.pk}/data/", {"version": 1}))
    assert page.count('data-testid="data-row"') == 3 and "张*" in page and "李*" not in page
    page = _text(
        client.get(
            f"/datastore/resources/{loaded.pk}/data/", {"key_citizen_id": person(2)["citizen_id"]}
        )
    )
    assert page.count('data-testid="data-row"') == 1 and "李*" in page


def test_data_page_bad_version_is_inline(as_user, officer, loaded):
    client = as_user(officer)
    response = client.get(f"/datastore/resources/{loaded.pk}/data/", {"version": 9})
    assert response.status_code == 400
    assert 'data-testid="version-error"' in _text(response) and "该资源没有这个版本。" in _text(
        response
    )
    assert (
        client.get(f"/datastore/resources/{loaded.pk}/data/", {"version": "x"}).status_code == 400
    )


def test_data_pages_refuse_out_of_scope(as_user, other_officer, xihu_staff, loaded):
    for suffix in ("data/", "versions/", "diff/?from_version=1&to_version=2", "export/?format=csv"):
        url = f"/datastore/resources/{loaded.pk}/{suffix}"
        assert as_user(other_officer).get(url).status_code == 404, url
        assert as_user(xihu_staff).get(url).status_code == 403, url
    assert not AuditRecord.objects.filter(action="datastore.export").exists()


def test_data_page_before_any_delivery(as_user, officer, population):
    page = _text(as_user(officer).get(f"/datastore/resources/{population.pk}/data/"))
    assert 'data-testid="empty-state"' in page and "暂无数据" in page


def test_versions_and_diff(as_user, officer, loaded):
    client = as_user(officer)
    page = _text(client.get(f"/datastore/resources/{loaded.pk}/versions/"))
    assert page.count('data-testid="version-row"') == 2
    response = client.get(
        f"/datastore/resources/{loaded.pk}/diff/", {"from_version": 1, "to_version": 2}
    )
    assert response.status_code == 200
    page = _text(response)
    assert 'data-testid="diff-added">1<' in page and 'data-testid="diff-changed">1<' in page
    assert 'data-testid="diff-removed">0<' in page
    assert (
        "<del" in page
        and '<ins class="text-success fw-bold" data-testid="diff-new">李*</ins>' in page
    )
    assert "李四" not in page


def test_diff_bad_input(as_user, officer, loaded):
    client = as_user(officer)
    url = f"/datastore/resources/{loaded.pk}/diff/"
    response = client.get(url, {"from_version": 1, "to_version": 7})
    assert response.status_code == 400 and "该资源没有这个版本。" in _text(response)
    assert client.get(url, {"from_version": "a"}).status_code == 400


def test_export_streams_clear_values_and_is_audited(as_user, officer, data_admin, loaded):
    client = as_user(officer)
    response = client.get(f"/datastore/resources/{loaded.pk}/export/", {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(_streamed(response).decode("utf-8")[1:])))
    assert len(rows) == 4 and {r["name"] for r in rows} == {"张1", "李四", "张3", "张4"}
    response = as_user(data_admin).get(
        f"/datastore/resources/{loaded.pk}/export/", {"format": "json", "version": 1}
    )
    assert len(json.loads(_streamed(response))) == 3
    records = AuditRecord.objects.filter(action="datastore.export").order_by("seq")
    assert [(r.actor_name, r.after["format"], r.after["version"]) for r in records] == [
        ("xihu_officer", "csv", 2),
        ("data_admin", "json", 1),
    ]


def test_export_bad_input(as_user, officer, population, loaded):
    client = as_user(officer)
    url = f"/datastore/resources/{loaded.pk}/export/"
    for params, code in (
        ({"format": "xml"}, "unknown_export_format"),
        ({"format": "csv", "version": 9}, "unknown_version"),
        ({"format": "csv", "version": "x"}, "unknown_version"),
    ):
        response = client.get(url, params)
        assert response.status_code == 400 and code in _text(response), params
    assert not AuditRecord.objects.filter(action="datastore.export").exists()


# --- The catalog detail page's data section -----------------------------------------------


def test_catalog_detail_shows_a_masked_sample_to_any_staff(as_user, xihu_staff, loaded):
    page = _text(as_user(xihu_staff).get(f"/catalog/{loaded.pk}/"))
    assert 'data-testid="resource-data"' in page
    assert 'data-testid="data-version">v2<' in page and 'data-testid="data-row-count">4<' in page
    assert page.count('data-testid="data-row"') == 4
    assert person(1)["citizen_id"] not in page and "李四" not in page and "李*" in page
    # Plain staff get no links into the data store.
    assert 'data-testid="data-deliver"' not in page and 'data-testid="data-view"' not in page


def test_catalog_detail_links_for_the_provider(as_user, officer, other_officer, loaded):
    page = _text(as_user(officer).get(f"/catalog/{loaded.pk}/"))
    for testid in ("data-deliver", "data-view", "data-deliveries", "data-recent"):
        assert f'data-testid="{testid}"' in page, testid
    page = _text(as_user(other_officer).get(f"/catalog/{loaded.pk}/"))
    assert 'data-testid="data-sample"' in page and 'data-testid="data-deliver"' not in page


def test_catalog_detail_of_a_draft_has_no_data_section(as_user, officer, make_resource, population):
    draft = make_resource(officer, name="草稿资源")
    assert 'data-testid="resource-data"' not in _text(as_user(officer).get(f"/catalog/{draft.pk}/"))
    page = _text(as_user(officer).get(f"/catalog/{population.pk}/"))
    assert 'data-testid="data-empty"' in page


# --- Workbench ----------------------------------------------------------------------------


def test_workbench_to_do_until_a_clean_delivery(
    as_user, officer, other_officer, data_admin, population, deliver
):
    deliver(population, csv_bytes([person(1), person(2, phone="1")]))
    items = datastore_inbox.pending_for(officer)
    assert [i.title for i in items] == ["1 行被拒收：户籍人口"]
    assert items[0].link == f"/datastore/deliveries/{Delivery.objects.get().pk}/"
    assert "1 行被拒收：户籍人口" in _text(as_user(officer).get("/workbench/"))
    assert datastore_inbox.pending_for(other_officer) == []
    assert datastore_inbox.pending_for(data_admin) == []  # follows the 数据归集 page instead
    with pytest.raises(InvalidInput):
        deliver(population, csv_bytes([person(2)], columns=[*COLUMNS, "extra"]))
    assert [i.title for i in datastore_inbox.pending_for(officer)] == ["归集被拒绝：户籍人口"]
    deliver(population, csv_bytes([person(2)]))  # the corrected row
    assert datastore_inbox.pending_for(officer) == []


def test_data_page_key_that_cannot_exist_finds_nothing(
    as_user, officer, data_admin, make_resource, publish, deliver
):
    numbered = make_resource(officer, fields=[field("no", "编号", "integer", is_key=True)])
    publish(numbered, officer, data_admin)
    deliver(numbered, b"no\n1\n2\n")
    url = f"/datastore/resources/{numbered.pk}/data/"
    page = _text(as_user(officer).get(url, {"key_no": "2"}))
    assert page.count('data-testid="data-row"') == 1
    response = as_user(officer).get(url, {"key_no": "二"})  # not a whole number: no such row
    assert response.status_code == 200 and "没有该主键的数据行" in _text(response)


def test_data_page_number_past_the_end_shows_the_last_page(as_user, officer, loaded):
    client = as_user(officer)
    url = f"/datastore/resources/{loaded.pk}/data/"
    for number in ("3", "99999999999999999999999", "x"):
        response = client.get(url, {"page": number})
        assert response.status_code == 200, number
        assert _text(response).count('data-testid="data-row"') == 4
