"""Data-quality API: rules, checks, reports, scores and history, overdue list; error codes."""

from __future__ import annotations

import json

from smartgov.accounts.models import Role
from smartgov.core.models import AuditRecord
from smartgov.datastore import quality
from smartgov.datastore.models import QualityRule
from tests.conftest import make_staff
from tests.datastore import quality_helpers
from tests.datastore.conftest import credit_code, person
from tests.datastore.quality_helpers import age, insured, people, push

insurance = quality_helpers.insurance  # fixture

BASE = "/api/v1/quality"


def send(client, method, url, headers, body=None):
    if method in ("get", "delete"):
        return getattr(client, method)(url, **headers)
    return getattr(client, method)(
        url, json.dumps(body or {}, ensure_ascii=False), content_type="application/json", **headers
    )


def test_rules_checks_and_reports(api_client, bearer, officer, population, insurance):
    headers = bearer(officer)
    push(population, people([1, 2]), officer)
    push(insurance, [insured(n) for n in (1, 2, 3)], officer)

    rules = api_client.get(f"{BASE}/resources/{insurance.pk}/rules", **headers).json()
    assert [r["kind"] for r in rules] == ["acceptance", "completeness", "uniqueness", "timeliness"]
    assert all(r["origin"] == "default" for r in rules)
    created = send(
        api_client,
        "post",
        f"{BASE}/resources/{insurance.pk}/rules",
        headers,
        {
            "kind": "consistency",
            "fields": ["citizen_id"],
            "target_resource_id": population.pk,
            "target_field": "citizen_id",
            "weight": 3,
        },
    )
    assert created.status_code == 201, created.json()
    rule = created.json()
    assert (rule["threshold"], rule["weight"], rule["origin"]) == (95.0, 3, "explicit")
    changed = send(api_client, "patch", f"{BASE}/rules/{rule['id']}", headers, {"threshold": 60})
    assert changed.status_code == 200 and changed.json()["threshold"] == 60.0

    response = api_client.post(f"{BASE}/resources/{insurance.pk}/checks", **headers)
    assert response.status_code == 201, response.json()
    report = response.json()
    consistency = next(r for r in report["results"] if r["kind"] == "consistency")
    assert (consistency["checked"], consistency["failed"], consistency["passed"]) == (3, 1, True)
    assert consistency["samples"] == [{"citizen_id": insured(3)["citizen_id"]}]
    latest = api_client.get(f"{BASE}/resources/{insurance.pk}/report", **headers).json()
    assert latest["id"] == report["id"] and latest["score"] == report["score"]
    history = api_client.get(f"{BASE}/resources/{insurance.pk}/reports", **headers).json()
    assert history["count"] == 1 and "results" not in history["items"][0]

    deleted = api_client.delete(f"{BASE}/rules/{rule['id']}", **headers)
    assert deleted.status_code == 204 and not QualityRule.objects.filter(pk=rule["id"]).exists()


def test_department_scores_history_and_overdue(
    api_client, bearer, officer, other_officer, data_admin, org, population, make_resource, publish
):
    push(population, people([1, 2]), officer)
    shangcheng = make_resource(other_officer, provider=org["shangcheng_bureau"], name="市场主体")
    publish(shangcheng, other_officer, data_admin)
    push(shangcheng, [{"credit_code": credit_code()}], other_officer)
    age(shangcheng, days=5)
    quality.run_all_checks()

    admin = bearer(data_admin)
    ranking = api_client.get(f"{BASE}/departments", **admin).json()
    assert [d["department_id"] for d in ranking] == [
        org["xihu_bureau"].pk,
        org["shangcheng_bureau"].pk,
    ]
    assert ranking[0]["rank"] == 1 and ranking[0]["score"] == 100.0
    assert ranking[1]["overdue"] == 1 and ranking[1]["score"] < 100
    city = api_client.get(f"{BASE}/history", **admin).json()
    assert len(city) == 1 and city[0]["department_id"] is None and city[0]["overdue"] == 1
    department = api_client.get(
        f"{BASE}/departments/{org['xihu_bureau'].pk}/history?days=7", **admin
    ).json()
    assert [d["score"] for d in department] == [100.0]
    overdue = api_client.get(f"{BASE}/overdue", **admin).json()
    assert [o["resource_id"] for o in overdue] == [shangcheng.pk]

    # A data officer sees only the own department.
    mine = bearer(officer)
    assert [d["department_id"] for d in api_client.get(f"{BASE}/departments", **mine).json()] == [
        org["xihu_bureau"].pk
    ]
    assert api_client.get(f"{BASE}/history", **mine).json() == []
    response = api_client.get(f"{BASE}/departments/{org['shangcheng_bureau'].pk}/history", **mine)
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert api_client.get(f"{BASE}/overdue", **mine).json() == []


def test_errors_are_codes(api_client, bearer, officer, other_officer, org, population):
    headers = bearer(officer)
    url = f"{BASE}/resources/{population.pk}/rules"
    bad = send(api_client, "post", url, headers, {"kind": "validity", "fields": ["name"]})
    assert bad.status_code == 400 and bad.json()["code"] == "validity_check_required"
    assert bad.json()["message"]
    malformed = send(api_client, "post", url, headers, {"fields": "name"})
    assert malformed.status_code == 422 and malformed.json()["code"] == "invalid_input"
    missing = api_client.get(f"{BASE}/resources/{population.pk}/report", **headers)
    assert missing.status_code == 404 and missing.json()["code"] == "no_report"
    rules = api_client.get(url, **headers).json()
    derived = rules[0]["id"]
    refused = api_client.delete(f"{BASE}/rules/{derived}", **headers)
    assert refused.status_code == 409 and refused.json()["code"] == "default_rule_not_deletable"

    other = bearer(other_officer)
    staff = bearer(make_staff("plain_staff", org["xihu_bureau"], "staff", "department"))
    audit_count = AuditRecord.objects.count()
    for method, path in (
        ("get", url),
        ("post", url),
        ("patch", f"{BASE}/rules/{derived}"),
        ("delete", f"{BASE}/rules/{derived}"),
        ("post", f"{BASE}/resources/{population.pk}/checks"),
        ("get", f"{BASE}/resources/{population.pk}/reports"),
    ):
        response = send(api_client, method, path, other, {"kind": "completeness", "weight": 2})
        assert response.status_code == 404, (method, path)
        assert response.json()["code"] == "not_found"
    response = api_client.get(f"{BASE}/departments", **staff)
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert QualityRule.objects.get(pk=derived).weight == 1
    assert AuditRecord.objects.count() == audit_count
    assert api_client.get(f"{BASE}/departments").status_code == 401


def test_samples_are_masked_for_readers_without_data_access(
    api_client, bearer, officer, org, population
):
    push(population, people([1], phone=""), officer)
    quality.create_rule(
        actor=officer, resource_id=population.pk, kind="completeness", fields=["phone"]
    )
    quality.run_quality_check(actor=officer, resource_id=population.pk)
    Role.objects.create(
        code="quality_reader", name="质量查看", permissions=["datastore.view_quality"]
    )
    reader = make_staff("reader", org["xihu_bureau"], "quality_reader", "department")
    cid = person(1)["citizen_id"]

    def phone_sample(user) -> dict:
        report = api_client.get(f"{BASE}/resources/{population.pk}/report", **bearer(user)).json()
        return next(r for r in report["results"] if r["fields"] == ["phone"])["samples"][0]

    assert phone_sample(reader) == {"citizen_id": cid[:6] + "********" + cid[14:], "phone": None}
    assert phone_sample(officer) == {"citizen_id": cid, "phone": None}


def test_openapi_lists_the_quality_endpoints(api_client):
    paths = api_client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/quality/resources/{resource_id}/rules" in paths
    assert "/api/v1/quality/departments/{department_id}/history" in paths
