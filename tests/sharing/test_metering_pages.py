"""The metering page (共享调用统计) and "who read my data" (谁查看了我的数据), server-rendered
and in headless Chromium."""

from __future__ import annotations

import pytest

from smartgov.accounts import services as accounts
from tests.sharing import gateway_factories as gf
from tests.sharing.gateway_factories import citizen_id

_fresh_gateway_cache = gf._fresh_gateway_cache
officer, data_admin, other_officer = gf.officer, gf.data_admin, gf.other_officer
make_resource, publish = gf.make_resource, gf.publish
population, people, consumer = gf.population, gf.people, gf.consumer
app_and_secret, grant, signed = gf.app_and_secret, gf.grant, gf.signed


@pytest.fixture
def traffic(signed, grant, people):
    for n in (1, 1, 2):
        assert signed.lookup(people, citizen_id(n)).status_code == 200
    assert signed.lookup(people, citizen_id(1), secret="bad").status_code == 401
    return people


@pytest.mark.django_db
def test_usage_page_shows_totals_chart_and_table(client, data_admin, traffic):
    client.force_login(data_admin)
    response = client.get("/sharing/usage/?group_by=consumer")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="total-calls">4<' in html
    assert "echarts.min.js" in html and "usage-chart" in html
    assert "上城区市场监督管理局" in html
    assert "共享调用统计" in html


@pytest.mark.django_db
def test_usage_page_bad_period_shows_an_error(client, data_admin, traffic):
    client.force_login(data_admin)
    response = client.get("/sharing/usage/?date_from=2026-12-01&date_to=2020-01-01")
    assert response.status_code == 200
    assert 'data-testid="usage-error"' in response.content.decode()


@pytest.mark.django_db
def test_usage_page_refuses_staff_without_the_permission(client, xihu_staff):
    client.force_login(xihu_staff)
    assert client.get("/sharing/usage/").status_code == 403


@pytest.mark.django_db
def test_my_reads_page_lists_reads_and_empty_state(client, consumer, traffic):
    reader = accounts.create_citizen(
        actor=None, username="li01", real_name="李一", citizen_id=citizen_id(1), password=None
    )
    client.force_login(reader)
    html = client.get("/sharing/me/reads/").content.decode()
    assert html.count('data-testid="read-row"') == 2
    assert consumer.name in html and "社会救助资格核验" in html and "手机号码" in html
    assert "谁查看了我的数据" in html
    nobody = accounts.create_citizen(
        actor=None, username="wang9", real_name="王九", citizen_id=citizen_id(29), password=None
    )
    client.force_login(nobody)
    html = client.get("/sharing/me/reads/").content.decode()
    assert 'data-testid="empty-state"' in html and "read-row" not in html


@pytest.mark.django_db
def test_home_card_counts_recent_reads(client, traffic):
    reader = accounts.create_citizen(
        actor=None, username="li01", real_name="李一", citizen_id=citizen_id(1), password=None
    )
    client.force_login(reader)
    html = client.get("/").content.decode()
    assert "谁查看了我的数据" in html and "近 30 天被查看 2 次" in html
