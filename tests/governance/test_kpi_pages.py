"""The KPI page: table with totals, charts' data, group-by and period selectors, downloads,
empty state, refusal and bad input."""

from __future__ import annotations

import io
import json

from openpyxl import load_workbook

from tests.conftest import PASSWORD
from tests.governance.test_kpi import cases, staff  # noqa: F401  (fixtures)

URL = "/governance/kpi/"
PERIOD = "start=2026-03-01&end=2026-03-31"


def log_in(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_page_with_data(client, staff, cases, org):  # noqa: F811
    log_in(client, staff["admin"])
    response = client.get(f"{URL}?group_by=department&{PERIOD}")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="kpi-row"') == 3  # two departments + the total row
    assert org["xihu_bureau"].name in html
    assert 'data-testid="total-due">4<' in html
    assert "echarts.min.js" in html and "governance-kpi.js" in html
    chart = response.context["chart"]
    assert sum(chart["due"]) == 4 and len(chart["buckets"]) == 31
    assert chart["groups"][0] == org["xihu_bureau"].name
    data = json.loads(
        html.split('id="kpi-chart" type="application/json">')[1].split("</script>")[0]
    )
    assert data["group_overdue"][0] == 2
    assert "download.csv?" in html and "download.xlsx?" in html


def test_group_by_and_interval_selectors(client, staff, cases):  # noqa: F811
    log_in(client, staff["admin"])
    response = client.get(f"{URL}?group_by=category&interval=week&{PERIOD}")
    assert response.status_code == 200
    assert response.context["group_by"] == "category"
    assert "0101 暴露垃圾" in response.content.decode()
    assert response.context["chart"]["buckets"][0] == "2026-02-23"
    # An unknown choice falls back to the default rather than failing.
    response = client.get(f"{URL}?group_by=colour&interval=hour&{PERIOD}")
    assert response.context["group_by"] == "department"
    assert response.context["interval"] == "day"


def test_empty_state(client, staff):  # noqa: F811
    log_in(client, staff["admin"])
    response = client.get(f"{URL}?{PERIOD}")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="empty-state"' in html
    assert "data-sg-kpi-chart" not in html


def test_bad_period_shows_an_error(client, staff, cases):  # noqa: F811
    log_in(client, staff["admin"])
    response = client.get(f"{URL}?start=2026-03-31&end=2026-03-01")
    assert response.status_code == 200
    assert 'data-testid="kpi-error"' in response.content.decode()
    response = client.get(f"{URL}download.csv?start=nope")
    assert response.status_code == 400


def test_downloads(client, staff, cases):  # noqa: F811
    log_in(client, staff["admin"])
    response = client.get(f"{URL}download.csv?group_by=district&{PERIOD}")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "西湖区" in text and text.strip().splitlines()[-1].split(",")[1] == "4"
    response = client.get(f"{URL}download.xlsx?group_by=district&{PERIOD}")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=sheet.max_row, column=2).value == 4
    assert client.get(f"{URL}download.pdf").status_code == 404


def test_scope_and_refusal(client, staff, cases, org):  # noqa: F811
    log_in(client, staff["xihu_dispatcher"])
    html = client.get(f"{URL}?{PERIOD}").content.decode()
    assert org["xihu_bureau"].name in html and org["shangcheng_bureau"].name not in html
    client.logout()
    log_in(client, staff["handler"])
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}download.csv").status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302  # to the login page
