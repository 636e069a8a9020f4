# ruff: noqa: F811 (the fixtures imported from the sibling test modules)
"""Pages of 好差评 and the statistics: the rating form, rectification list/detail with the
answer and revisit forms, the statistics page and its downloads."""

from __future__ import annotations

import pytest
from django.urls import reverse

from smartgov.services import ratings
from smartgov.services.rating_models import Rating, RectificationStatus
from tests.conftest import PASSWORD
from tests.services.test_ratings import (  # noqa: F401 (fixtures)
    approver,
    ended,
    other_approver,
    supervisor,
)
from tests.services.test_stats import (  # noqa: F401 (fixtures)
    city_stats,
    history,
    items,
    period,
    xihu_stats,
)


def login(client, user):
    client.force_login(user)
    return client


def test_rating_form_and_result(client, citizen, ended):
    login(client, citizen)
    url = reverse("portal:services_rate", args=[ended.number])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="rating-form"' in html and "非常满意" in html and "一次告知" in html
    bad = client.post(url, {"level": "1"})
    assert bad.status_code == 200 and 'data-testid="rating-error"' in bad.content.decode()
    assert "差评须至少选择一项指标或填写意见" in bad.content.decode()
    assert not Rating.objects.exists()
    done = client.post(url, {"level": "2", "indicators": ["handling_time"], "comment": "太慢"})
    assert done.status_code == 302 and done["Location"] == url
    html = client.get(url).content.decode()
    assert 'data-testid="rating-given"' in html and "不满意" in html and "办理时长" in html
    assert 'data-testid="rating-rectification"' in html
    assert Rating.objects.get().channel == "online"


def test_rating_page_of_someone_else_is_404(client, ended, org):
    from smartgov.accounts import services as account_services

    other = account_services.create_citizen(
        actor=None,
        username="lisi",
        real_name="李四",
        citizen_id="110105198001010016",
        password=PASSWORD,
        phone="13800138001",
    )
    login(client, other)
    assert client.get(reverse("portal:services_rate", args=[ended.number])).status_code == 404


def test_rectification_pages(client, citizen, ended, approver, other_approver, supervisor):
    rating = ratings.rate_application(
        actor=citizen, number=ended.number, level=1, indicators=["service_attitude"]
    )
    pk = rating.rectification.pk
    login(client, approver)
    listing = client.get(reverse("portal:services_rectifications"))
    assert listing.status_code == 200 and ended.number in listing.content.decode()
    assert (
        client.get(reverse("portal:services_rectifications") + "?status=closed").status_code == 200
    )
    url = reverse("portal:services_rectification", args=[pk])
    page = client.get(url).content.decode()
    assert 'data-testid="answer-form"' in page and 'data-testid="revisit-form"' not in page
    empty = client.post(url, {"action": "answer", "answer": ""})
    assert empty.status_code == 200 and "is-invalid" in empty.content.decode()
    assert client.post(url, {"action": "answer", "answer": "已整改"}).status_code == 302
    login(client, other_approver)
    assert client.get(url).status_code == 404
    login(client, supervisor)
    page = client.get(url).content.decode()
    assert 'data-testid="revisit-form"' in page and "已整改" in page
    missing = client.post(url, {"action": "revisit", "comment": ""})
    assert 'data-testid="revisit-error"' in missing.content.decode()
    assert client.post(url, {"action": "revisit", "satisfied": "yes"}).status_code == 302
    rating.rectification.refresh_from_db()
    assert rating.rectification.status == RectificationStatus.CLOSED
    login(client, citizen)
    html = client.get(reverse("portal:services_rate", args=[ended.number])).content.decode()
    assert 'data-testid="rectification-answer"' in html and "已整改" in html
    assert client.get(reverse("portal:services_rectifications")).status_code == 403


def test_stats_page(client, history, city_stats, xihu_stats, citizen):
    login(client, city_stats)
    p = period()
    url = reverse("portal:services_stats")
    query = f"?group_by=item&date_from={p['date_from']}&date_to={p['date_to']}"
    html = client.get(url + query).content.decode()
    assert 'data-testid="total-applications">5<' in html
    assert 'id="stats-chart"' in html and "个体工商户名称变更" in html
    assert html.count('data-testid="stats-row"') == 2 + 1  # two items and the total
    bad = client.get(url + "?date_from=2026-02-30").content.decode()
    assert 'data-testid="stats-error"' in bad
    login(client, xihu_stats)
    mine = client.get(url + query.replace("item", "department")).content.decode()
    assert 'data-testid="total-applications">3<' in mine
    login(client, citizen)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("fmt, prefix", [("csv", b"\xef\xbb\xbf"), ("xlsx", b"PK")])
def test_stats_downloads(client, history, city_stats, fmt, prefix):
    login(client, city_stats)
    p = period()
    response = client.get(
        reverse("portal:services_stats_export")
        + f"?format={fmt}&date_from={p['date_from']}&date_to={p['date_to']}"
    )
    assert response.status_code == 200 and response.content.startswith(prefix)
    assert "attachment" in response["Content-Disposition"]


def test_stats_download_bad_format(client, city_stats):
    login(client, city_stats)
    response = client.get(reverse("portal:services_stats_export") + "?format=pdf")
    assert response.status_code == 400


def test_front_desk_records_a_counter_rating(client, ended, desk):
    login(client, desk)
    url = reverse("portal:services_rate", args=[ended.number])
    assert "您正在登记申请人在窗口评价器上给出的评价" in client.get(url).content.decode()
    assert client.post(url, {"level": "5"}).status_code == 302
    rating = Rating.objects.get()
    assert rating.channel == "counter" and rating.rated_by == desk
