"""Data-quality pages (数据质量): overview, resource quality, rule forms, catalog badges."""

from __future__ import annotations

import pytest

from smartgov.datastore import quality
from smartgov.datastore.models import QualityReport, QualityRule
from tests.conftest import make_staff
from tests.datastore import conftest as datastore_fixtures
from tests.datastore import quality_helpers
from tests.datastore.quality_helpers import age, insured, people, push

officer = datastore_fixtures.officer
other_officer = datastore_fixtures.other_officer
data_admin = datastore_fixtures.data_admin
make_resource = datastore_fixtures.make_resource
publish = datastore_fixtures.publish
population = datastore_fixtures.population
insurance = quality_helpers.insurance


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def checked(officer, population, insurance):
    """Population and insurance with data, a consistency rule with failures, one check each."""
    push(population, people([1, 2, 3]), officer)
    push(insurance, [insured(n) for n in (1, 2, 5)], officer)
    rule = quality.create_rule(
        actor=officer,
        resource_id=insurance.pk,
        kind="consistency",
        fields=["citizen_id"],
        target_resource_id=population.pk,
        target_field="citizen_id",
    )
    quality.run_all_checks()
    return rule


def test_overview_for_the_data_bureau(as_user, data_admin, checked, population, insurance, org):
    page = text(as_user(data_admin).get("/quality/"))
    assert "数据质量" in page and "部门排名" in page and "评分趋势" in page
    assert org["xihu_bureau"].name in page and "quality-chart" in page
    assert f"/quality/resources/{insurance.pk}/" in page  # among the lowest scores
    assert "没有逾期" in page


def test_overview_is_scoped_and_refused_without_permission(as_user, other_officer, org, checked):
    page = text(as_user(other_officer).get("/quality/"))
    assert org["xihu_bureau"].name not in page and "没有已发布的资源" in page
    staff = make_staff("plain_staff", org["xihu_bureau"], "staff", "department")
    response = as_user(staff).get("/quality/")
    assert response.status_code == 403
    assert "数据质量" not in text(as_user(staff).get("/workbench/"))
    assert "数据质量" in text(as_user(other_officer).get("/workbench/"))  # the nav entry


def test_resource_page_shows_rules_results_and_samples(as_user, officer, insurance, checked):
    page = text(as_user(officer).get(f"/quality/resources/{insurance.pk}/"))
    assert page.count('data-testid="rule-row"') == 5
    assert "公民身份号码存在于“户籍人口”的公民身份号码中" in page
    assert "1 个未通过示例" in page and insured(5)["citizen_id"] in page
    assert "上次归集后31 天内再次报送（每月）" in page
    assert "history-chart" in page and "立即检查" in page and "添加规则" in page


def test_run_check_from_the_page_and_refusal(as_user, officer, other_officer, insurance, checked):
    before = QualityReport.objects.filter(resource=insurance).count()
    response = as_user(officer).post(f"/quality/resources/{insurance.pk}/check/", follow=True)
    assert response.status_code == 200 and "检查完成：质量评分" in text(response)
    assert QualityReport.objects.filter(resource=insurance).count() == before + 1
    response = as_user(other_officer).post(f"/quality/resources/{insurance.pk}/check/")
    assert response.status_code == 404
    assert as_user(other_officer).get(f"/quality/resources/{insurance.pk}/").status_code == 404
    assert QualityReport.objects.filter(resource=insurance).count() == before + 1


def test_add_rule_with_inline_errors_then_success(as_user, officer, population):
    client = as_user(officer)
    url = f"/quality/resources/{population.pk}/rules/new/"
    assert "规则类型" in text(client.get(url))
    bad = client.post(url, {"kind": "validity", "fields": ["name"], "pattern": "([", "weight": 1})
    assert bad.status_code == 400 and "格式不是有效的正则表达式" in text(bad)
    assert 'value="(["' in text(bad)  # what was typed is kept
    range_error = client.post(
        url, {"kind": "validity", "fields": ["income"], "minimum": "9", "maximum": "x", "weight": 1}
    )
    assert range_error.status_code == 400 and "范围的上下限与信息项的数据类型不符" in text(
        range_error
    )
    assert not QualityRule.objects.filter(origin="explicit").exists()
    good = client.post(
        url,
        {
            "kind": "validity",
            "fields": ["income"],
            "minimum": "0",
            "maximum": "100000",
            "weight": 2,
            "enabled": "on",
        },
    )
    assert good.status_code == 302
    rule = QualityRule.objects.get(origin="explicit")
    assert (rule.params, rule.weight, rule.enabled) == ({"min": "0", "max": "100000"}, 2, True)


def test_consistency_rule_from_the_form(as_user, officer, population, insurance):
    client = as_user(officer)
    response = client.post(
        f"/quality/resources/{insurance.pk}/rules/new/",
        {
            "kind": "consistency",
            "fields": ["citizen_id"],
            "reference": f"{population.pk}:citizen_id",
            "weight": 3,
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    rule = QualityRule.objects.get(origin="explicit")
    assert (rule.target_resource_id, rule.target_field) == (population.pk, "citizen_id")


def test_edit_derived_rule_settings_only_and_delete(as_user, officer, other_officer, population):
    client = as_user(officer)
    rules = {r.kind: r for r in quality.rules_of(officer, population.pk)}
    timeliness = rules["timeliness"]
    page = text(client.get(f"/quality/rules/{timeliness.pk}/edit/"))
    assert "自动生成" in page and 'name="kind"' not in page
    response = client.post(f"/quality/rules/{timeliness.pk}/edit/", {"weight": 4, "threshold": ""})
    assert response.status_code == 302
    timeliness.refresh_from_db()
    assert (timeliness.weight, timeliness.enabled) == (4, False)  # unticked: disabled

    response = client.post(f"/quality/rules/{timeliness.pk}/delete/", follow=True)
    assert "不能删除" in text(response) and QualityRule.objects.filter(pk=timeliness.pk).exists()
    explicit = quality.create_rule(
        actor=officer, resource_id=population.pk, kind="completeness", fields=["phone"]
    )
    page = text(client.get(f"/quality/resources/{population.pk}/"))
    assert "删除该规则？以往报告中的结果会保留。" in page
    assert as_user(other_officer).post(f"/quality/rules/{explicit.pk}/delete/").status_code == 404
    assert client.post(f"/quality/rules/{explicit.pk}/delete/").status_code == 302
    assert not QualityRule.objects.filter(pk=explicit.pk).exists()


def test_catalog_shows_the_quality_score(as_user, officer, org, insurance, checked):
    report = QualityReport.objects.filter(resource=insurance).first()
    staff = make_staff("plain_staff", org["xihu_bureau"], "staff", "department")
    detail = text(as_user(staff).get(f"/catalog/{insurance.pk}/"))
    assert "质量评分" in detail and f"{float(report.score):g}"[:4] in detail
    assert 'data-testid="quality-details"' not in detail  # no quality permission: no link
    assert 'data-testid="quality-details"' in text(
        as_user(officer).get(f"/catalog/{insurance.pk}/")
    )
    results = text(as_user(staff).get("/catalog/"))
    assert results.count('data-testid="quality-badge"') == 2


def test_overdue_delivery_is_a_todo_in_the_workbench(as_user, officer, data_admin, population):
    push(population, people([1]), officer)
    age(population, days=10)
    page = text(as_user(officer).get("/workbench/"))
    assert f"报送数据：{population.name}" in page and "逾期未报送" in page
    assert f"报送数据：{population.name}" not in text(as_user(data_admin).get("/workbench/"))
    overview = text(as_user(data_admin).get("/quality/"))
    assert 'data-testid="overdue-item"' in overview and population.name in overview
