# ruff: noqa: F811 (the fixtures imported from the sibling test modules)
"""API of 好差评 and the statistics: rate, read, rectifications answer/revisit, stats, export."""

from __future__ import annotations

import json

import pytest

from smartgov.services.rating_models import Rating
from tests.services.test_ratings import approver, ended, supervisor  # noqa: F401 (fixtures)
from tests.services.test_stats import (  # noqa: F401 (fixtures)
    city_stats,
    history,
    items,
    period,
    xihu_stats,
)

BASE = "/api/v1/services"


def post(client, url, body, headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def test_indicators_are_public(client):
    body = client.get(f"{BASE}/ratings/indicators").json()
    assert body["levels"]["5"] == "非常满意"
    assert {"code": "one_time_notice", "label": "一次告知"} in body["indicators"]


def test_rate_read_answer_revisit(client, bearer, citizen, ended, approver, supervisor):
    url = f"{BASE}/applications/{ended.number}/rating"
    headers = bearer(citizen)
    assert client.get(url, **headers).json()["code"] == "not_rated"
    response = post(
        client, url, {"level": 2, "indicators": ["handling_time"], "comment": "慢"}, headers
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["level_label"] == "不满意" and body["indicator_labels"] == ["办理时长"]
    rectification = body["rectification"]
    assert rectification["status"] == "open" and rectification["overdue"] is False
    again = post(client, url, {"level": 5}, headers)
    assert again.status_code == 409 and again.json()["code"] == "already_rated"

    listed = client.get(f"{BASE}/rectifications?status=open", **bearer(approver)).json()
    assert [r["number"] for r in listed["items"]] == [ended.number]
    pk = rectification["id"]
    forbidden = post(client, f"{BASE}/rectifications/{pk}/answer", {"answer": "x"}, bearer(citizen))
    assert forbidden.status_code == 403
    answered = post(
        client, f"{BASE}/rectifications/{pk}/answer", {"answer": "已整改"}, bearer(approver)
    )
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    seen = client.get(url, **headers).json()
    assert seen["rectification"]["answer"] == "已整改"
    revisited = post(
        client,
        f"{BASE}/rectifications/{pk}/revisit",
        {"satisfied": True, "comment": "满意"},
        bearer(supervisor),
    )
    assert revisited.status_code == 200 and revisited.json()["status"] == "closed"
    twice = post(
        client, f"{BASE}/rectifications/{pk}/revisit", {"satisfied": True}, bearer(supervisor)
    )
    assert twice.status_code == 409


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"level": 9}, 400, "invalid_level"),
        ({"level": 4, "indicators": ["bogus"]}, 400, "unknown_indicator"),
        ({"level": 1}, 400, "reason_required"),
    ],
)
def test_rating_bad_input(client, bearer, citizen, ended, body, status, code):
    response = post(client, f"{BASE}/applications/{ended.number}/rating", body, bearer(citizen))
    assert response.status_code == status and response.json()["code"] == code
    assert not Rating.objects.exists()


def test_unknown_application_is_404(client, bearer, citizen):
    response = post(client, f"{BASE}/applications/BJ000/rating", {"level": 5}, bearer(citizen))
    assert response.status_code == 404


def test_stats_and_export(client, bearer, history, city_stats, xihu_stats):
    p = period()
    query = f"date_from={p['date_from']}&date_to={p['date_to']}"
    body = client.get(f"{BASE}/stats?group_by=item&{query}", **bearer(city_stats)).json()
    assert body["totals"]["applications"] == 5 and len(body["rows"]) == 2
    assert body["totals"]["compression_ratio"] == round(1 - 5 / 30, 4)
    mine = client.get(f"{BASE}/stats?group_by=department&{query}", **bearer(xihu_stats)).json()
    assert mine["totals"]["applications"] == 3 and mine["city_scope"] is False
    bad = client.get(f"{BASE}/stats?group_by=street", **bearer(city_stats))
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_group_by"
    csv_response = client.get(f"{BASE}/stats/export?format=csv&{query}", **bearer(city_stats))
    assert csv_response.status_code == 200
    assert csv_response["Content-Type"].startswith("text/csv")
    assert "attachment" in csv_response["Content-Disposition"]
    assert csv_response.content.decode("utf-8-sig").splitlines()[0].startswith("部门")
    xlsx = client.get(f"{BASE}/stats/export?format=xlsx&{query}", **bearer(city_stats))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    wrong = client.get(f"{BASE}/stats/export?format=pdf", **bearer(city_stats))
    assert wrong.status_code == 400 and wrong.json()["code"] == "invalid_format"
    denied = client.get(f"{BASE}/stats", **bearer(history["A"].applicant))
    assert denied.status_code == 403
