"""Data quality: derived and explicit rules, their evaluation over current rows, reports and
scores, timeliness and its to-dos, refusals."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from smartgov.accounts.demo import load_demo
from smartgov.accounts.models import User
from smartgov.catalog.demo import load_demo_catalog
from smartgov.catalog.models import Resource
from smartgov.core.errors import SmartgovError
from smartgov.core.models import AuditRecord
from smartgov.datastore import quality
from smartgov.datastore import quality_inbox as inbox
from smartgov.datastore.models import CheckTrigger, QualityReport, QualityRule, QualitySnapshot
from smartgov.datastore.quality_checks import delivery_deadline
from smartgov.datastore.quality_demo import DEMO_RULES, load_demo_quality
from tests.conftest import make_staff
from tests.datastore import quality_helpers
from tests.datastore.conftest import person
from tests.datastore.quality_helpers import age, insured, people, push

insurance = quality_helpers.insurance  # fixture


def kinds(rules) -> list[tuple[str, str, list]]:
    return [(r.origin, r.kind, r.fields) for r in rules]


def result_of(report, kind, fields=None):
    return next(
        r for r in report.results if r["kind"] == kind and (fields is None or r["fields"] == fields)
    )


def test_default_rules_follow_the_fields(officer, population):
    rules = quality.rules_of(officer, population.pk)
    assert kinds(rules) == [
        ("default", "acceptance", []),
        ("default", "completeness", []),
        ("default", "uniqueness", ["citizen_id"]),
        ("default", "timeliness", []),
    ]
    assert quality.rules_of(officer, population.pk) == rules  # idempotent
    assert [float(r.threshold) for r in rules] == [95, 100, 100, 100]


def test_check_measures_every_kind_with_samples(officer, population, deliver):
    rows = [
        *people(range(1, 7)),
        person(7, phone="", household_size="40", birth_date="2999-01-01"),
        person(8, phone="", name="X"),
        person(9, region="330102"),
        person(10, name="张1", birth_date="1990-01-01"),  # same name and birth date as #1
    ]
    push(population, rows, officer)
    add = quality.create_rule
    add(actor=officer, resource_id=population.pk, kind="completeness", fields=["phone"], weight=2)
    add(
        actor=officer,
        resource_id=population.pk,
        kind="validity",
        fields=["household_size"],
        params={"min": "1", "max": "20"},
    )
    add(
        actor=officer,
        resource_id=population.pk,
        kind="validity",
        fields=["birth_date"],
        params={"not_future": True},
    )
    add(
        actor=officer,
        resource_id=population.pk,
        kind="validity",
        fields=["name"],
        params={"pattern": r"张\d{1,3}"},
        threshold=80,
    )
    add(
        actor=officer,
        resource_id=population.pk,
        kind="validity",
        fields=["region"],
        params={"pattern": "330106"},
    )
    add(actor=officer, resource_id=population.pk, kind="uniqueness", fields=["name", "birth_date"])

    report = quality.run_quality_check(actor=officer, resource_id=population.pk)

    assert (report.rows, report.version, report.trigger) == (10, 1, "manual")
    phone = result_of(report, "completeness", ["phone"])
    assert (phone["checked"], phone["failed"], phone["passed"]) == (10, 2, False)
    ids = [person(n)["citizen_id"] for n in (7, 8)]
    assert [s["citizen_id"] for s in phone["samples"]] == ids
    assert phone["samples"][0]["phone"] is None
    size = result_of(report, "validity", ["household_size"])
    assert (size["checked"], size["failed"]) == (10, 1)
    assert size["samples"] == [{"citizen_id": ids[0], "household_size": 40}]
    future = result_of(report, "validity", ["birth_date"])
    assert (future["failed"], future["samples"][0]["birth_date"]) == (1, "2999-01-01")
    name = result_of(report, "validity", ["name"])
    assert (name["failed"], name["ratio"], name["passed"]) == (1, 0.9, True)
    assert name["samples"] == [{"citizen_id": ids[1], "name": "X"}]
    region = result_of(report, "validity", ["region"])
    assert region["failed"] == 1 and region["samples"][0]["region"] == "330102"
    twins = result_of(report, "uniqueness", ["name", "birth_date"])
    assert (twins["checked"], twins["failed"], twins["detail"]) == (10, 2, {"duplicate_values": 1})
    assert [s["citizen_id"] for s in twins["samples"]] == [
        person(1)["citizen_id"],
        person(10)["citizen_id"],
    ]
    key = result_of(report, "uniqueness", ["citizen_id"])
    assert (key["failed"], key["passed"], key["detail"]) == (0, True, {"by_key_index": True})
    assert result_of(report, "completeness", [])["score"] == 100
    assert result_of(report, "timeliness")["passed"] is True
    assert result_of(report, "acceptance")["score"] == 100

    scored = [r for r in report.results if r["score"] is not None]
    expected = sum(r["weight"] * r["score"] for r in scored) / sum(r["weight"] for r in scored)
    assert report.score == Decimal(str(round(expected, 2)))
    assert report.rules_failed == 5 and report.rules_passed == len(scored) - 5
    assert AuditRecord.objects.filter(action="datastore.quality.check").count() == 1


def test_samples_are_capped_and_history_kept(officer, population):
    push(population, people(range(1, 31), phone=""), officer)
    quality.create_rule(
        actor=officer, resource_id=population.pk, kind="completeness", fields=["phone"]
    )
    quality.run_quality_check(actor=officer, resource_id=population.pk)
    report = quality.run_quality_check(actor=officer, resource_id=population.pk)
    phone = result_of(report, "completeness", ["phone"])
    assert (phone["failed"], len(phone["samples"])) == (30, 20)
    assert QualityReport.objects.filter(resource=population).count() == 2


def test_consistency_with_another_resource(officer, population, insurance):
    rule = quality.create_rule(
        actor=officer,
        resource_id=insurance.pk,
        kind="consistency",
        fields=["citizen_id"],
        target_resource_id=population.pk,
        target_field="citizen_id",
    )
    push(insurance, [insured(n) for n in range(1, 6)], officer)
    report = quality.run_quality_check(actor=officer, resource_id=insurance.pk)
    assert result_of(report, "consistency")["error"] == "reference_no_data"

    push(population, people([1, 2, 3]), officer)
    push(population, [], officer, mode="replace")  # the population's current rows: none ...
    push(population, people([1, 2]), officer)  # ... then 1 and 2; old versions do not count
    report = quality.run_quality_check(actor=officer, resource_id=insurance.pk)
    found = result_of(report, "consistency")
    assert (found["rule_id"], found["checked"], found["failed"]) == (rule.pk, 5, 3)
    assert [s["citizen_id"] for s in found["samples"]] == [
        person(n)["citizen_id"] for n in (3, 4, 5)
    ]
    assert found["target"]["code"] == population.code

    # A field of the same resource can be the reference too (e.g. a guardian's ID).
    quality.create_rule(
        actor=officer,
        resource_id=population.pk,
        kind="consistency",
        fields=["phone"],
        target_resource_id=insurance.pk,
        target_field="employer",
    )
    report = quality.run_quality_check(actor=officer, resource_id=population.pk)
    assert result_of(report, "consistency")["failed"] == 2


def test_deliveries_are_checked_on_commit_and_scores_kept_per_day(
    officer, population, insurance, org, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        push(population, people(range(1, 5)), officer)
    report = QualityReport.objects.get(resource=population)
    assert (report.trigger, report.version, report.rows) == ("delivery", 1, 4)
    today = timezone.localdate()
    bureau = QualitySnapshot.objects.get(department=org["xihu_bureau"], day=today)
    city = QualitySnapshot.objects.get(department__isnull=True, day=today)
    assert bureau.score == city.score == report.score and bureau.resources == 1

    with django_capture_on_commit_callbacks(execute=True):
        push(insurance, [insured(1), insured(2, name="")], officer)  # one row rejected
    insurance_report = QualityReport.objects.get(resource=insurance)
    assert result_of(insurance_report, "acceptance")["failed"] == 1
    city.refresh_from_db()
    assert city.resources == 2
    assert city.score == Decimal(
        str(round((float(report.score) + float(insurance_report.score)) / 2, 2))
    )
    assert QualitySnapshot.objects.filter(day=today).count() == 2  # updated, not added


def test_failing_check_after_delivery_does_not_undo_it(
    officer, population, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(quality, "evaluate", broken)
    with django_capture_on_commit_callbacks(execute=True):
        delivery = push(population, people([1]), officer)
    assert delivery.inserted == 1 and not QualityReport.objects.exists()


def test_delivery_deadlines_follow_the_update_cycle(db):
    friday = timezone.make_aware(datetime(2025, 1, 3, 17, 0))
    assert delivery_deadline(friday, "daily") == timezone.make_aware(datetime(2025, 1, 6, 17, 0))
    assert delivery_deadline(friday, "weekly") == timezone.make_aware(datetime(2025, 1, 10, 17, 0))
    # The Spring Festival holiday (28 Jan – 4 Feb 2025) is not counted.
    before_holiday = timezone.make_aware(datetime(2025, 1, 27, 9, 0))
    assert delivery_deadline(before_holiday, "daily").date().isoformat() == "2025-02-05"
    assert delivery_deadline(friday, "realtime") == friday + timedelta(days=1)
    assert delivery_deadline(friday, "monthly") == friday + timedelta(days=31)
    assert delivery_deadline(friday, "irregular") is None


def test_overdue_delivery_fails_timeliness_and_raises_a_todo(officer, data_admin, population):
    push(population, people([1]), officer)
    assert inbox.pending_for(officer) == []
    age(population, days=10)
    report = quality.run_quality_check(actor=officer, resource_id=population.pk)
    timely = result_of(report, "timeliness")
    assert (timely["checked"], timely["failed"], timely["score"]) == (1, 1, 0)
    assert timely["detail"]["allowed"] == {"amount": 1, "unit": "working_day"}
    [item] = inbox.pending_for(officer)
    assert population.name in item.title and item.kind == "delivery_overdue"
    assert item.status() == "overdue" and item.deadline.isoformat() == timely["detail"]["deadline"]
    assert inbox.pending_for(data_admin) == []  # the data bureau reads counts on its page


def test_never_delivered_resource_is_due_after_publication(officer, population):
    report = quality.run_quality_check(actor=officer, resource_id=population.pk)
    assert result_of(report, "timeliness")["passed"] is True
    assert result_of(report, "completeness")["error"] == "no_data"
    assert report.rows == 0 and report.score is None  # no data, no score
    age(population, days=3)
    assert len(inbox.pending_for(officer)) == 1


def test_derived_rules_are_tuned_not_deleted(officer, population):
    rules = {r.kind: r for r in quality.rules_of(officer, population.pk)}
    rule = quality.update_rule(
        actor=officer, rule_id=rules["timeliness"].pk, changes={"enabled": False, "weight": 3}
    )
    assert (rule.enabled, rule.weight) == (False, 3)
    with pytest.raises(SmartgovError) as refused:
        quality.update_rule(actor=officer, rule_id=rule.pk, changes={"fields": ["name"]})
    assert refused.value.code == "default_rule_fixed"
    with pytest.raises(SmartgovError) as refused:
        quality.delete_rule(actor=officer, rule_id=rule.pk)
    assert refused.value.code == "default_rule_not_deletable"
    report = quality.run_quality_check(actor=officer, resource_id=population.pk)
    assert "timeliness" not in {r["kind"] for r in report.results}
    quality.ensure_default_rules(population)
    assert QualityRule.objects.get(pk=rule.pk).enabled is False  # the switch is kept


def test_explicit_rule_lifecycle_is_audited(officer, population):
    rule = quality.create_rule(
        actor=officer, resource_id=population.pk, kind="completeness", fields=["phone"]
    )
    assert rule.threshold == 100 and rule.origin == "explicit"
    rule = quality.update_rule(
        actor=officer, rule_id=rule.pk, changes={"threshold": "90", "note": "手机号码应尽量填写"}
    )
    assert rule.threshold == Decimal("90.00")
    with pytest.raises(SmartgovError) as refused:
        quality.create_rule(
            actor=officer, resource_id=population.pk, kind="completeness", fields=["phone"]
        )
    assert refused.value.code == "rule_exists"
    quality.delete_rule(actor=officer, rule_id=rule.pk)
    assert not QualityRule.objects.filter(pk=rule.pk).exists()
    actions = list(
        AuditRecord.objects.filter(action__startswith="datastore.quality.rule")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "datastore.quality.rule.create",
        "datastore.quality.rule.update",
        "datastore.quality.rule.delete",
    ]


BAD_RULES = [
    ({"kind": "timeliness"}, "unknown_rule_kind"),
    ({"kind": "completeness", "fields": ["nope"]}, "unknown_field"),
    ({"kind": "validity", "fields": []}, "rule_fields"),
    ({"kind": "uniqueness", "fields": ["name", "name"]}, "rule_fields"),
    ({"kind": "validity", "fields": ["name"]}, "validity_check_required"),
    ({"kind": "validity", "fields": ["name"], "params": {"pattern": "(["}}, "pattern_invalid"),
    (
        {"kind": "validity", "fields": ["name"], "params": {"pattern": r"(\w+\s?)+$"}},
        "pattern_unsafe",
    ),
    (
        {"kind": "validity", "fields": ["name"], "params": {"pattern": "x" * 201}},
        "pattern_too_long",
    ),
    (
        {"kind": "validity", "fields": ["income"], "params": {"pattern": "1"}},
        "pattern_not_for_type",
    ),
    ({"kind": "validity", "fields": ["name"], "params": {"min": "1"}}, "range_not_for_type"),
    ({"kind": "validity", "fields": ["income"], "params": {"min": "abc"}}, "range_bound_invalid"),
    (
        {"kind": "validity", "fields": ["birth_date"], "params": {"max": "2020-13-01"}},
        "range_bound_invalid",
    ),
    ({"kind": "validity", "fields": ["income"], "params": {"min": "9", "max": "1"}}, "range_empty"),
    (
        {"kind": "validity", "fields": ["income"], "params": {"not_future": True}},
        "not_future_not_for_type",
    ),
    ({"kind": "validity", "fields": ["income"], "params": {"lt": 3}}, "unknown_parameter"),
    ({"kind": "completeness", "params": {"min": 1}}, "params_not_allowed"),
    ({"kind": "consistency", "fields": ["phone"]}, "reference_not_found"),
    ({"kind": "completeness", "fields": ["phone"], "weight": 0}, "weight_range"),
    ({"kind": "completeness", "fields": ["phone"], "threshold": "101"}, "threshold_range"),
    ({"kind": "completeness", "fields": ["phone"], "threshold": "abc"}, "threshold_range"),
    ({"kind": "completeness", "fields": ["phone"], "note": "长" * 201}, "note_too_long"),
]


def test_bad_rules_are_refused_with_a_code(officer, population):
    codes = []
    for values in (dict(values) for values, _ in BAD_RULES):
        with pytest.raises(SmartgovError) as refused:
            quality.create_rule(actor=officer, resource_id=population.pk, **values)
        assert refused.value.status == 400 and refused.value.message
        codes.append(refused.value.code)
    assert codes == [code for _, code in BAD_RULES]
    assert not QualityRule.objects.filter(origin="explicit").exists()


def test_consistency_references_are_checked(officer, population, insurance, make_resource):
    def refused(**values) -> str:
        with pytest.raises(SmartgovError) as error:
            quality.create_rule(
                actor=officer,
                resource_id=insurance.pk,
                kind="consistency",
                fields=["citizen_id"],
                **values,
            )
        return error.value.code

    draft = make_resource(officer)
    assert refused(target_resource_id=draft.pk, target_field="credit_code") == "reference_not_found"
    assert (
        refused(target_resource_id=population.pk, target_field="nope")
        == "reference_field_not_found"
    )
    assert (
        refused(target_resource_id=population.pk, target_field="income")
        == "reference_type_mismatch"
    )
    assert (
        refused(target_resource_id=insurance.pk, target_field="citizen_id") == "reference_to_itself"
    )
    with pytest.raises(SmartgovError) as error:
        quality.create_rule(
            actor=officer, resource_id=insurance.pk, kind="completeness", target_field="name"
        )
    assert error.value.code == "reference_not_allowed"


def test_refusals_change_nothing(officer, other_officer, org, population):
    push(population, people([1]), officer)
    rule = quality.create_rule(
        actor=officer, resource_id=population.pk, kind="completeness", fields=["phone"]
    )
    staff = make_staff("plain_staff", org["xihu_bureau"], "staff", "department")
    audit_count = AuditRecord.objects.count()
    for actor, code in ((other_officer, "not_found"), (staff, "permission_denied")):
        for attempt in (
            lambda a: quality.create_rule(actor=a, resource_id=population.pk, kind="completeness"),
            lambda a: quality.update_rule(actor=a, rule_id=rule.pk, changes={"weight": 5}),
            lambda a: quality.delete_rule(actor=a, rule_id=rule.pk),
            lambda a: quality.run_quality_check(actor=a, resource_id=population.pk),
            lambda a: quality.rules_of(a, population.pk),
        ):
            with pytest.raises(SmartgovError) as refused:
                attempt(actor)
            assert refused.value.code == code
    rule.refresh_from_db()
    assert rule.weight == 1 and QualityRule.objects.filter(origin="explicit").count() == 1
    assert not QualityReport.objects.exists() and AuditRecord.objects.count() == audit_count


def test_unpublished_or_file_resources_are_not_checked(officer, data_admin, make_resource):
    draft = make_resource(officer)
    with pytest.raises(SmartgovError) as refused:
        quality.run_quality_check(actor=officer, resource_id=draft.pk)
    assert refused.value.code == "resource_not_published"
    files = make_resource(officer, format="file")  # documents, not rows
    with pytest.raises(SmartgovError) as refused:
        quality.create_rule(actor=data_admin, resource_id=files.pk, kind="completeness")
    assert refused.value.code == "not_a_table"


def test_nightly_command_checks_every_published_table(officer, population, insurance):
    push(population, people([1, 2]), officer)
    call_command("quality", "run")
    assert QualityReport.objects.filter(trigger="schedule").count() == 2
    call_command("quality", "run", "--resource", str(population.pk))
    assert QualityReport.objects.filter(resource=population).count() == 2
    with pytest.raises(CommandError):
        call_command("quality", "run", "--resource", "999999")


def test_demo_rules_and_checks_are_idempotent(regions):
    load_demo()
    load_demo_catalog()
    admin = User.objects.get(username="data_admin")
    population = Resource.objects.get(code="101001001/000001")
    rows = [
        {"citizen_id": person(n)["citizen_id"], "name": f"张{n}", "household_region": "330106"}
        for n in range(1, 4)
    ]
    rows[0]["birth_date"] = "2999-01-01"
    push(population, rows, admin)
    # Checked after its delivery, before the demo rules exist: checked again once they do.
    quality.evaluate(population, trigger=CheckTrigger.DELIVERY, refresh=False)

    tables = quality.published_tables().count()
    with_rules = len({code for code, *_ in DEMO_RULES})
    assert load_demo_quality() == (
        f"rules added to {with_rules} resources, {tables} resources checked"
    )
    assert load_demo_quality() == "rules added to 0 resources, 0 resources checked"
    report = QualityReport.objects.filter(resource=population).latest("id")
    future = result_of(report, "validity", ["birth_date"])
    assert (future["checked"], future["failed"]) == (1, 1)  # dates given: 1, in the future: 1
    insurance = Resource.objects.get(code="303001001/000001")
    assert QualityRule.objects.filter(resource=insurance, kind="consistency").count() == 1
    assert QualitySnapshot.objects.filter(department__isnull=True).count() == 1
