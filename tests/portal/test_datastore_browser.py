"""Browser test of the issue's main flow: register a resource, have it published, upload a file
with some bad rows, read the rejection report, and find the resource in the catalog."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from smartgov.catalog.permissions import DATA_ADMIN, DATA_OFFICER
from smartgov.datastore.models import Delivery, DeliveryStatus
from tests.conftest import make_staff
from tests.portal.test_browser import PHONE, log_in, shot
from tests.portal.test_catalog_browser import _fill_row

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
sync_api = pytest.importorskip("playwright.sync_api")
from tests.portal.test_browser import browser, new_page  # noqa: E402, F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Three good rows, a bad phone number (row 3) and a missing key (row 5): 3 stored, 2 rejected.
DOGS_CSV = (
    "licence_no,owner_name,owner_phone\n"
    "XH-0001,王小明,13800138000\n"
    "XH-0002,李雷,1380013\n"
    "XH-0003,韩梅梅,13912345678\n"
    ",赵六,13700000000\n"
    "XH-0004,孙七,13600000000\n"
).encode()


@pytest.fixture(autouse=True)
def _live_database(live_db):
    """Every test here runs against committed data (see live_db in tests/conftest.py)."""


def test_register_publish_deliver_with_bad_rows_and_find_it(live_server, new_page, org):  # noqa: F811
    make_staff("data_officer", org["xihu_bureau"], DATA_OFFICER, "department", name="周敏")
    make_staff("data_admin", org["data_bureau"], DATA_ADMIN, "city", name="郑华")
    expect = sync_api.expect

    # The data officer registers a resource with its fields and submits it.
    page = new_page()
    log_in(page, live_server, "data_officer")
    page.goto(f"{live_server.url}/catalog/new/")
    page.fill("#id_code", "301007001/000001")
    page.fill("#id_name", "养犬登记信息")
    page.fill("#id_summary", "西湖区养犬登记与犬主联系方式。")
    page.click("[data-testid=resource-form-submit]")
    expect(page.locator("[data-testid=page-title]")).to_have_text("编辑信息项")
    page.wait_for_load_state("load")  # the row editor's (deferred) script is bound
    for index in range(3):
        page.click("[data-testid=field-add]")
        expect(page.locator(f"#id_fields-{index}-name")).to_be_attached()
    _fill_row(page, 0, name="licence_no", label="养犬登记证号", required=True, is_key=True)
    _fill_row(page, 1, name="owner_name", label="犬主姓名", personal_kind="name", masking="name")
    _fill_row(page, 2, name="owner_phone", label="犬主手机号码", data_type="phone", masking="phone")
    page.click("[data-testid=fields-save]")
    page.click("[data-testid=resource-submit]")
    expect(page.locator("[data-testid=resource-status]")).to_have_text("审核中")
    detail_url = page.url

    # The data administrator approves it.
    admin = new_page()
    log_in(admin, live_server, "data_admin")
    admin.goto(detail_url)
    admin.click("[data-testid=resource-approve]")
    expect(admin.locator("[data-testid=resource-status]")).to_have_text("已发布")

    # The officer opens 归集数据 from the published entry, takes the template ...
    page.reload()
    page.click("[data-testid=data-deliver]")
    expect(page.locator("[data-testid=guide-row]")).to_have_count(3)
    with page.expect_download() as template:
        page.click("[data-testid=template-download]")
    header = Path(template.value.path()).read_text(encoding="utf-8-sig").strip()
    assert header == "licence_no,owner_name,owner_phone"
    # ... and uploads a file with bad rows: the counts and the rejection report follow.
    page.set_input_files(
        "#id_file", files=[{"name": "养犬登记.csv", "mimeType": "text/csv", "buffer": DOGS_CSV}]
    )
    page.click("[data-testid=deliver-submit]")
    expect(page.locator("[data-testid=delivery-status]").first).to_have_text(
        "已入库（部分行被拒收）"
    )
    expect(page.locator("[data-testid=count-received]")).to_have_text("5")
    expect(page.locator("[data-testid=count-inserted]")).to_have_text("3")
    expect(page.locator("[data-testid=count-rejected]")).to_have_text("2")
    report = page.locator("[data-testid=rejection-report]")
    expect(report.locator("[data-testid=rejection-row]")).to_have_count(2)
    expect(report).to_contain_text("犬主手机号码")
    expect(report).to_contain_text("必须填写值")
    shot(page, "datastore-delivery-desktop")
    with page.expect_download() as download:
        page.click("[data-testid=rejections-download]")
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert rows[0][0] == "\ufeff行号" and [r[0] for r in rows[1:]] == ["3", "5"]
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PARTIALLY_REJECTED and delivery.version == 1

    # The delivery page on a phone: nothing sticks out sideways.
    phone = new_page(PHONE)
    log_in(phone, live_server, "data_officer")
    phone.goto(f"{live_server.url}/datastore/deliveries/{delivery.pk}/")
    expect(phone.locator("[data-testid=rejection-row]")).to_have_count(2)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "datastore-delivery-phone")

    # Any staff member searches the catalog and finds it, with a masked sample of its data.
    page.goto(f"{live_server.url}/catalog/?q=养犬")
    expect(page.locator("[data-testid=catalog-result]")).to_have_count(1)
    page.click("[data-testid=catalog-result] a")
    sample = page.locator("[data-testid=data-sample]")
    expect(sample.locator("[data-testid=data-row]")).to_have_count(3)
    expect(sample).to_contain_text("王**")
    expect(sample).to_contain_text("138****8000")
    expect(page.locator("[data-testid=data-row-count]")).to_have_text("3")
    shot(page, "datastore-catalog-detail-desktop")
