"""Service statistics: values computed by hand on a small fixture, the rollup kept by the
events equals a rebuild from the applications, rebuilds are idempotent, scope, export."""

from __future__ import annotations

import csv
import io
import threading
from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from smartgov.core.errors import InvalidInput, PermissionDeniedError
from smartgov.services import applications as apps
from smartgov.services import forms, ratings, services, stats
from smartgov.services.application_models import Application, Channel
from smartgov.services.permissions import FRONT_DESK, SERVICE_SUPERVISOR
from smartgov.services.stats_models import ServiceStatsDay
from tests.conftest import make_staff
from tests.services.conftest import FORM, item_values
from tests.services.test_applications import GOOD_FORM, materials_of, upload
from tests.services.test_ratings import complete

ENTERPRISE_CODE = "91330106MA27XL0E1B"


def at(days_ago: int, hour: int = 10) -> datetime:
    day = timezone.localdate() - timedelta(days=days_ago)
    return datetime.combine(day, datetime.min.time().replace(hour=hour)).replace(
        tzinfo=timezone.get_current_timezone()
    )


@pytest.fixture
def city_stats(org):
    return make_staff("city_stats", org["data_bureau"], SERVICE_SUPERVISOR, "city")


@pytest.fixture
def xihu_stats(org):
    return make_staff("xihu_stats", org["xihu_bureau"], SERVICE_SUPERVISOR, "department")


@pytest.fixture
def sc_stats(org):
    return make_staff("sc_stats", org["shangcheng_bureau"], SERVICE_SUPERVISOR, "department")


def publish(officer, publisher, department, **values):
    draft = services.create_item(actor=officer, **item_values(department, **values))
    forms.set_form(actor=publisher, item_id=draft.pk, fields=FORM)
    return services.publish_item(actor=publisher, item_id=draft.pk)


@pytest.fixture
def items(org, officer, publisher, other_publisher):
    """A promised item (legal 20, promised 5, zero visits) in 西湖 and an immediate one
    (legal 10, promised 0, one visit) in 上城."""
    promised = publish(
        officer,
        publisher,
        org["xihu_bureau"],
        applicant_kind="citizen",
        legal_days=20,
        promised_days=5,
        visits=0,
        materials=[{"name": "申请书", "material_type": "original"}],
    )
    sc_officer = make_staff("sc_officer", org["shangcheng_bureau"], "item_officer", "department")
    immediate = publish(
        sc_officer,
        other_publisher,
        org["shangcheng_bureau"],
        implementation_code="11330102MB0000002X4000101002000",
        name="个体工商户名称变更",
        applicant_kind="citizen",
        handling_kind="immediate",
        legal_days=10,
        promised_days=0,
        visits=1,
        materials=[{"name": "申请书", "material_type": "original"}],
        steps=[{"name": "办结", "limit_days": 0}],
    )
    return promised, immediate


def _submit_as(citizen, item, when, desk=None):
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=when):
        if desk is not None:
            return apps.counter_intake(
                actor=desk,
                item_code=item.implementation_code,
                applicant_type="citizen",
                applicant_name="张三",
                applicant_id="11010519491231002X",
                form_data=GOOD_FORM,
                uploads=[upload(materials_of(item)["申请书"].pk)],
            )
        return apps.submit_application(
            actor=citizen,
            item_code=item.implementation_code,
            form_data=GOOD_FORM,
            uploads=[upload(materials_of(item)["申请书"].pk)],
        )


def _accept(desk, application, when):
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=when):
        apps.accept_application(actor=desk, number=application.number)
    application.refresh_from_db()
    return application


def _rate(actor, application, level, when, channel="online"):
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=when):
        return ratings.rate_application(
            actor=actor,
            number=application.number,
            level=level,
            comment="" if level > 2 else "慢",
            channel=channel,
        )


@pytest.fixture
def history(items, citizen, desk, org):
    """Five applications, worked through the services (by hand, the expected figures):

    promised item (西湖):  A online, accepted day −9, completed day −5 on time, 3 days, rated 5
                           B online, accepted day −9, completed day −2 late, 6 days, rated 2
                           C counter (西湖 desk), accepted day −9 (due −4): open, overdue
    immediate item (上城): D online, accepted and completed day −3 (immediate), 0 days, rated 4
                           E online, accepted day −3, completed day −2 (not on the day), 1 day
    """
    promised, immediate = items
    sc_desk = make_staff("sc_desk", org["shangcheng_bureau"], FRONT_DESK, "department")
    result = {}
    # One open application per applicant and item: submit, then finish, then the next.
    a = _accept(desk, _submit_as(citizen, promised, at(10)), at(9))
    result["A"] = complete(a, on_time=True, handling_days=3, at=at(5))
    b = _accept(desk, _submit_as(citizen, promised, at(10, 11)), at(9, 11))
    result["B"] = complete(b, on_time=False, handling_days=6, at=at(2))
    c = _accept(desk, _submit_as(citizen, promised, at(10, 12), desk=desk), at(9, 12))
    Application.objects.filter(pk=c.pk).update(due_date=timezone.localdate() - timedelta(days=4))
    result["C"] = c
    d = _accept(sc_desk, _submit_as(citizen, immediate, at(3, 9)), at(3, 9))
    result["D"] = complete(d, on_time=True, handling_days=0, at=at(3, 15))
    e = _accept(sc_desk, _submit_as(citizen, immediate, at(3, 10)), at(3, 10))
    result["E"] = complete(e, on_time=True, handling_days=1, at=at(2, 9))
    _rate(citizen, result["A"], 5, at(5, 16))
    _rate(citizen, result["B"], 2, at(1))
    _rate(sc_desk, result["D"], 4, at(3, 16), channel="counter")
    return result


def period(days=20):
    today = timezone.localdate()
    return {"date_from": today - timedelta(days=days), "date_to": today}


def test_totals_by_hand(history, city_stats):
    result = stats.statistics(city_stats, group_by="department", **period())
    t = result["totals"]
    assert result["city_scope"] is True
    assert t["applications"] == 5 and t["accepted"] == 5 and t["completed"] == 4
    assert t["on_time"] == 3
    assert t["overdue_completed"] == 1 and t["overdue_open"] == 1 and t["overdue"] == 2
    assert t["immediate_completed"] == 1 and t["immediate_rate"] == 0.25
    # 1 − (5 + 0) / (20 + 10)
    assert t["compression_ratio"] == round(1 - 5 / 30, 4)
    assert t["items"] == 2 and t["zero_visit_items"] == 1 and t["zero_visit"] == 0.5
    assert t["online"] == 4 and t["online_share"] == 0.8
    assert t["avg_handling_days"] == round((3 + 6 + 0 + 1) / 4, 2)
    assert t["rated"] == 3 and t["satisfied"] == 2 and t["satisfaction"] == round(2 / 3, 4)


def test_rows_per_department_and_item(history, city_stats, items, org):
    promised, immediate = items
    rows = {
        r["key"]: r for r in stats.statistics(city_stats, group_by="department", **period())["rows"]
    }
    xihu = rows[org["xihu_bureau"].pk]
    assert xihu["label"] == org["xihu_bureau"].name
    assert (xihu["applications"], xihu["completed"], xihu["overdue"]) == (3, 2, 2)
    assert xihu["compression_ratio"] == 0.75 and xihu["zero_visit"] == 1.0
    assert xihu["online_share"] == round(2 / 3, 4) and xihu["satisfaction"] == 0.5
    sc = rows[org["shangcheng_bureau"].pk]
    assert sc["immediate_rate"] == 0.5 and sc["compression_ratio"] == 1.0
    assert sc["zero_visit"] == 0.0 and sc["satisfaction"] == 1.0
    by_item = stats.statistics(city_stats, group_by="item", **period())["rows"]
    assert [r["key"] for r in by_item] == [
        promised.implementation_code,
        immediate.implementation_code,
    ]
    assert by_item[1]["label"] == "个体工商户名称变更"


def test_period_bounds_count_each_event_on_its_day(history, city_stats):
    today = timezone.localdate()
    # Days −4 … today: completions of B (−2), E (−2), D (−3); submissions of D, E (−3);
    # ratings of B (−1) and D (−3); C's due date (−4) is inside, so it is overdue here.
    result = stats.statistics(
        city_stats, group_by="department", date_from=today - timedelta(days=4), date_to=today
    )
    t = result["totals"]
    assert (t["applications"], t["accepted"], t["completed"]) == (2, 2, 3)
    assert t["overdue_open"] == 1 and t["overdue_completed"] == 1
    assert t["rated"] == 2
    # Days −20 … −5: C's due date is outside.
    early = stats.statistics(
        city_stats,
        group_by="department",
        date_from=today - timedelta(days=20),
        date_to=today - timedelta(days=5),
    )["totals"]
    assert (early["applications"], early["completed"], early["overdue_open"]) == (3, 1, 0)


def test_month_rows_cover_the_period(history, city_stats):
    today = timezone.localdate()
    start = (today.replace(day=1) - timedelta(days=40)).replace(day=1)
    result = stats.statistics(city_stats, group_by="month", date_from=start, date_to=today)
    keys = [r["key"] for r in result["rows"]]
    assert keys == sorted(keys) and len(keys) >= 2 and keys[-1] == today.strftime("%Y-%m")
    assert sum(r["applications"] for r in result["rows"]) == 5
    assert sum(r["overdue"] for r in result["rows"]) == 2


def test_rollup_equals_rebuild_and_rebuild_is_idempotent(history, city_stats):
    def snapshot():
        return sorted(
            ServiceStatsDay.objects.values_list(
                "day", "item_code", "department_id", "channel", *stats.COUNTS
            )
        )

    live = snapshot()
    assert live and sum(row[4] for row in live) == 5
    before = stats.statistics(city_stats, group_by="item", **period())
    assert stats.rebuild_rollup() == len(live)
    assert snapshot() == live
    assert stats.rebuild_rollup() == len(live)
    assert snapshot() == live
    assert stats.statistics(city_stats, group_by="item", **period()) == before
    ServiceStatsDay.objects.all().delete()
    call_command("services", "stats-rollup", verbosity=0)
    assert snapshot() == live


def test_failed_action_leaves_the_rollup_alone(items, citizen):
    promised, _immediate = items
    with pytest.raises(InvalidInput):
        apps.submit_application(
            actor=citizen, item_code=promised.implementation_code, form_data=GOOD_FORM
        )
    assert not ServiceStatsDay.objects.exists()


def test_scope(history, xihu_stats, sc_stats, org, citizen):
    xihu = stats.statistics(xihu_stats, group_by="department", **period())
    assert xihu["city_scope"] is False
    assert [r["key"] for r in xihu["rows"]] == [org["xihu_bureau"].pk]
    assert xihu["totals"]["applications"] == 3 and xihu["totals"]["overdue_open"] == 1
    sc = stats.statistics(sc_stats, group_by="item", **period())
    assert sc["totals"]["applications"] == 2 and sc["totals"]["overdue_open"] == 0
    # Asking for another department gives nothing, not its figures.
    other = stats.statistics(
        sc_stats, group_by="department", department_id=org["xihu_bureau"].pk, **period()
    )
    assert other["rows"] == [] and other["totals"]["applications"] == 0
    assert list(stats.departments_for(sc_stats)) == [org["shangcheng_bureau"]]
    with pytest.raises(PermissionDeniedError):
        stats.statistics(citizen, group_by="department", **period())


def test_department_filter(history, city_stats, org):
    result = stats.statistics(
        city_stats, group_by="item", department_id=org["shangcheng_bureau"].pk, **period()
    )
    assert result["totals"]["applications"] == 2 and len(result["rows"]) == 1


@pytest.mark.parametrize(
    "values, code",
    [
        ({"group_by": "district"}, "invalid_group_by"),
        ({"date_from": "2026-13-01"}, "invalid_date"),
        ({"date_from": "2026-05-01", "date_to": "2026-04-01"}, "invalid_period"),
        ({"date_from": "2020-01-01", "date_to": "2026-01-01"}, "period_too_long"),
        ({"department_id": "x"}, "invalid_department"),
    ],
)
def test_bad_input(city_stats, values, code):
    values = {"group_by": "department", **values}
    with pytest.raises(InvalidInput) as exc:
        stats.statistics(city_stats, **values)
    assert exc.value.code == code


def test_default_period_is_twelve_months(city_stats):
    result = stats.statistics(city_stats, group_by="month")
    assert len(result["rows"]) == 12 and result["date_to"] == timezone.localdate()
    assert result["date_from"].day == 1


def test_exports(history, city_stats):
    result = stats.statistics(city_stats, group_by="department", **period())
    body = stats.stats_csv(result).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(body)))
    assert len(lines) == 1 + len(result["rows"]) + 1
    assert lines[-1][1] == "5"
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(stats.stats_xlsx(result))).active
    assert sheet.cell(row=sheet.max_row, column=2).value == 5
    assert stats.download_name(result, "csv").startswith("services-stats-department-")


def test_channel_counter_counted_as_not_online(history):
    counter = ServiceStatsDay.objects.filter(channel=Channel.COUNTER)
    assert sum(counter.values_list("submitted", flat=True)) == 1


def test_only_approved_or_denied_count_as_completed(items, citizen, desk, city_stats):
    promised, _immediate = items
    application = _accept(desk, _submit_as(citizen, promised, at(3)), at(2))
    complete(application, status="withdrawn", on_time=None, handling_days=None, at=at(1))
    totals = stats.statistics(city_stats, group_by="item", **period())["totals"]
    assert (totals["applications"], totals["accepted"], totals["completed"]) == (1, 1, 0)
    stats.rebuild_rollup()
    again = stats.statistics(city_stats, group_by="item", **period())["totals"]
    assert again == totals


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_concurrent_events_add_up_on_postgresql(live_db, items):
    """Eight transactions bump the same (new) day row at once: none is lost."""
    promised, _immediate = items
    application = Application(item=promised, channel=Channel.ONLINE, submitted_at=timezone.now())
    errors = []

    def bump():
        try:
            with transaction.atomic():
                stats.on_submitted(application=application)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=bump) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert list(ServiceStatsDay.objects.values_list("submitted", flat=True)) == [8]
