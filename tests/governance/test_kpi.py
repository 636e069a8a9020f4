"""KPIs: the figures per group and period, scope, series, downloads, the API and its errors."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from smartgov.core.errors import InvalidInput, PermissionDeniedError
from smartgov.governance import kpi
from smartgov.governance.models import CaseEvent, CaseStatus, EventKind
from smartgov.governance.permissions import CASE_HANDLER, DISPATCHER, GOVERNANCE_ADMIN
from tests.conftest import make_staff
from tests.governance.kpi_factories import categories, local, make_case

NOW = local(2026, 3, 31, 18)


@pytest.fixture
def staff(org):
    return {
        "admin": make_staff("gov_admin", org["data_bureau"], GOVERNANCE_ADMIN, "city"),
        "xihu_dispatcher": make_staff("xihu_disp", org["xihu"], DISPATCHER, "region_tree"),
        "handler": make_staff("handler", org["xihu_bureau"], CASE_HANDLER, "department"),
        "agent": make_staff("agent", org["data_bureau"], DISPATCHER, "city", name="王接线"),
        "inspector": make_staff("insp", org["xihu"], DISPATCHER, "region_tree", name="李核查"),
    }


@pytest.fixture
def cases(org, staff):
    minor, other = categories()
    xihu, shangcheng = org["xihu_bureau"], org["shangcheng_bureau"]
    common = {"recorded_by": staff["agent"]}
    made = [
        # Xihu: on time, satisfied, verified by the inspector.
        make_case(
            department=xihu,
            category=minor,
            due=local(2026, 3, 3),
            closed=local(2026, 3, 2),
            on_time=True,
            handling_hours=4,
            satisfied=True,
            verified_by=staff["inspector"],
            **common,
        ),
        # Xihu: late, closed after more than twice its limit, reworked, extended, unhappy.
        make_case(
            department=xihu,
            category=minor,
            due=local(2026, 3, 10),
            dispatched=local(2026, 3, 8),
            closed=local(2026, 3, 20),
            on_time=False,
            handling_hours=30,
            rework=2,
            extensions=1,
            satisfied=False,
            repeat=True,
            **common,
        ),
        # Xihu: still open and past due (overdue, and more than twice the limit by NOW).
        make_case(
            department=xihu,
            category=other,
            due=local(2026, 3, 15),
            dispatched=local(2026, 3, 13),
            status=CaseStatus.DISPATCHED,
            **common,
        ),
        # Shangcheng: closed on time.
        make_case(
            department=shangcheng,
            category=other,
            due=local(2026, 3, 20),
            closed=local(2026, 3, 19),
            on_time=True,
            handling_hours=10,
            satisfied=True,
        ),
        # Outside the period (April) and a cancelled case: neither counts.
        make_case(
            department=xihu,
            category=minor,
            due=local(2026, 4, 2),
            closed=local(2026, 4, 1),
            on_time=True,
        ),
        make_case(
            department=xihu, category=minor, due=local(2026, 3, 5), status=CaseStatus.CANCELLED
        ),
    ]
    return made


def rows_by_label(rows):
    return {row["label"]: row for row in rows}


def test_department_rows_and_totals(staff, cases, org):
    result = kpi.kpi_table(
        user=staff["admin"],
        group_by="department",
        start=date(2026, 3, 1),
        end=date(2026, 3, 31),
        now=NOW,
    )
    rows = rows_by_label(result.rows)
    xihu = rows[org["xihu_bureau"].name]
    assert xihu["cases_due"] == 3
    assert xihu["handled"] == 2
    assert xihu["on_time"] == 1
    assert xihu["overdue"] == 2
    assert xihu["overdue_multiple"] == 2
    assert xihu["rework"] == 2 and xihu["extensions"] == 1
    assert xihu["avg_handling_hours"] == 17.0
    assert xihu["satisfaction_rate"] == 0.5
    assert xihu["repeat_rate"] == round(1 / 3, 4)
    shangcheng = rows[org["shangcheng_bureau"].name]
    assert (shangcheng["cases_due"], shangcheng["on_time"], shangcheng["overdue"]) == (1, 1, 0)
    assert result.totals["cases_due"] == 4
    assert result.totals["on_time"] == 2
    assert result.totals["satisfaction_rate"] == round(2 / 3, 4)
    assert result.city_scope is True
    assert result.rows[0]["label"] == org["xihu_bureau"].name  # largest first


def test_other_groupings(staff, cases, org):
    period = {"start": "2026-03-01", "end": "2026-03-31", "now": NOW}
    by_cat = rows_by_label(kpi.kpi_rows(user=staff["admin"], group_by="category", **period))
    assert by_cat["0101 暴露垃圾"]["cases_due"] == 2
    assert by_cat["0102 道路破损"]["cases_due"] == 2
    by_agent = rows_by_label(kpi.kpi_rows(user=staff["admin"], group_by="agent", **period))
    assert by_agent["王接线"]["cases_due"] == 3
    assert by_agent[""]["cases_due"] == 1  # not recorded by an agent
    by_inspector = rows_by_label(kpi.kpi_rows(user=staff["admin"], group_by="inspector", **period))
    assert by_inspector["李核查"]["cases_due"] == 1
    by_district = rows_by_label(kpi.kpi_rows(user=staff["admin"], group_by="district", **period))
    assert by_district["西湖区"]["cases_due"] == 3 and by_district["上城区"]["cases_due"] == 1


def test_scope_district_sees_its_tree(staff, cases, org):
    result = kpi.kpi_table(
        user=staff["xihu_dispatcher"],
        group_by="department",
        start="2026-03-01",
        end="2026-03-31",
        now=NOW,
    )
    assert [row["label"] for row in result.rows] == [org["xihu_bureau"].name]
    assert result.totals["cases_due"] == 3
    assert result.city_scope is False


def test_no_supervise_permission_is_refused(staff, cases):
    with pytest.raises(PermissionDeniedError):
        kpi.kpi_rows(user=staff["handler"], group_by="department")


def test_bad_parameters(staff):
    with pytest.raises(InvalidInput) as exc:
        kpi.kpi_rows(user=staff["admin"], group_by="colour")
    assert exc.value.code == "invalid_group_by"
    with pytest.raises(InvalidInput) as exc:
        kpi.kpi_rows(user=staff["admin"], group_by="street", start="2026-13-01")
    assert exc.value.code == "invalid_date"
    with pytest.raises(InvalidInput) as exc:
        kpi.kpi_rows(user=staff["admin"], group_by="street", start="2026-03-10", end="2026-03-01")
    assert exc.value.code == "invalid_period"
    with pytest.raises(InvalidInput) as exc:
        kpi.kpi_rows(user=staff["admin"], group_by="street", start="2020-01-01", end="2026-01-01")
    assert exc.value.code == "period_too_long"
    with pytest.raises(InvalidInput) as exc:
        kpi.kpi_series(user=staff["admin"], interval="hour")
    assert exc.value.code == "invalid_interval"


def test_series_by_day_week_month(staff, cases):
    days = kpi.kpi_series(user=staff["admin"], start="2026-03-01", end="2026-03-31", now=NOW)
    assert len(days) == 31
    by_day = {p["bucket"]: p for p in days}
    assert by_day["2026-03-03"]["cases_due"] == 1
    assert by_day["2026-03-04"]["cases_due"] == 0
    assert sum(p["cases_due"] for p in days) == 4
    weeks = kpi.kpi_series(
        user=staff["admin"], start="2026-03-01", end="2026-03-31", interval="week", now=NOW
    )
    assert weeks[0]["bucket"] == "2026-02-23"  # the Monday of the week of 1 March
    assert sum(p["cases_due"] for p in weeks) == 4
    months = kpi.kpi_series(
        user=staff["admin"], start="2026-03-01", end="2026-04-30", interval="month", now=NOW
    )
    assert [(p["bucket"], p["cases_due"]) for p in months] == [("2026-03-01", 4), ("2026-04-01", 1)]


def test_due_day_is_the_shanghai_day(staff, org):
    minor, _ = categories()
    # 00:30 on 1 March in Shanghai is 16:30 UTC on 28 February.
    make_case(
        department=org["xihu_bureau"],
        category=minor,
        due=local(2026, 3, 1, 0, 30),
        closed=local(2026, 2, 27),
        on_time=True,
    )
    days = kpi.kpi_series(user=staff["admin"], start="2026-02-28", end="2026-03-01", now=NOW)
    assert [(p["bucket"], p["cases_due"]) for p in days] == [("2026-02-28", 0), ("2026-03-01", 1)]
    rows = kpi.kpi_rows(
        user=staff["admin"], group_by="department", start="2026-02-28", end="2026-02-28", now=NOW
    )
    assert rows == []


def test_verified_event_sets_the_inspector(staff, org):
    minor, _ = categories()
    case = make_case(
        department=org["xihu_bureau"],
        category=minor,
        due=local(2026, 3, 3),
        closed=local(2026, 3, 2),
        on_time=True,
    )
    CaseEvent.objects.create(
        case=case, kind=EventKind.REWORK, actor=staff["agent"], created_at=local(2026, 3, 2)
    )
    case.refresh_from_db()
    assert case.verified_by is None
    CaseEvent.objects.create(
        case=case,
        kind=EventKind.VERIFIED,
        actor=staff["inspector"],
        created_at=local(2026, 3, 2, 12),
    )
    case.refresh_from_db()
    assert case.verified_by == staff["inspector"]


def test_csv_and_xlsx(staff, cases, org):
    result = kpi.kpi_table(
        user=staff["admin"], group_by="department", start="2026-03-01", end="2026-03-31", now=NOW
    )
    data = kpi.kpi_csv(result).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(data)))
    assert lines[0][1] == "Cases due" or lines[0][1] == "应结案数"
    assert lines[-1][1] == "4"
    assert len(lines) == 1 + len(result.rows) + 1
    book = load_workbook(io.BytesIO(kpi.kpi_xlsx(result)))
    sheet = book.active
    assert sheet.cell(row=sheet.max_row, column=2).value == 4
    assert sheet.cell(row=3, column=1).value == org["xihu_bureau"].name


# --- the API ------------------------------------------------------------------------------


def test_api_json_csv_xlsx(client, bearer, staff, cases):
    headers = bearer(staff["admin"])
    url = "/api/v1/governance/kpi?group_by=department&start=2026-03-01&end=2026-03-31"
    response = client.get(url, **headers)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["totals"]["cases_due"] == 4
    assert body["group_by"] == "department" and body["start"] == "2026-03-01"
    response = client.get(url + "&format=csv", **headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    response = client.get(url + "&format=xlsx", **headers)
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content)).active.max_row == 2 + 2 + 1
    response = client.get(
        "/api/v1/governance/kpi/series?start=2026-03-01&end=2026-03-31&interval=week", **headers
    )
    assert response.status_code == 200
    assert sum(p["cases_due"] for p in response.json()["points"]) == 4


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("group_by=colour", "invalid_group_by"),
        ("start=yesterday", "invalid_date"),
        ("start=2026-03-10&end=2026-03-01", "invalid_period"),
        ("format=pdf", "invalid_format"),
        ("district=999999", "unknown_district"),
    ],
)
def test_api_bad_parameters(client, bearer, staff, query, code):
    response = client.get(f"/api/v1/governance/kpi?{query}", **bearer(staff["admin"]))
    assert response.status_code == 400
    assert response.json()["code"] == code


def test_api_refusals(client, bearer, staff, cases):
    assert client.get("/api/v1/governance/kpi").status_code == 401
    response = client.get("/api/v1/governance/kpi", **bearer(staff["handler"]))
    assert response.status_code == 403


def test_api_district_filter(client, bearer, staff, cases):
    response = client.get(
        "/api/v1/governance/kpi?group_by=district&start=2026-03-01&end=2026-03-31&district=330102",
        **bearer(staff["admin"]),
    )
    assert response.status_code == 200
    assert [r["label"] for r in response.json()["rows"]] == ["上城区"]
    assert date.today() - timedelta(days=1) < date.today()


# --- the rollup ---------------------------------------------------------------------------


def _direct(user, group_by, start, end):
    """The same figures straight from Case in one query (the reference for the rollup)."""
    from django.db.models import F

    period = kpi.parse_period(start, end)
    rows = (
        kpi._cases(user, period, None)
        .values(key=F(kpi.GROUPS[group_by][0]))
        .annotate(**kpi._aggregates(NOW))
    )
    return {row["key"]: kpi._finish(dict(row)) for row in rows}


@pytest.mark.parametrize("group_by", list(kpi.GROUPS))
def test_rollup_matches_a_direct_query(staff, cases, group_by):
    # A whole month (month rows), days around whole months (both), days inside one month.
    periods = [
        ("2026-03-01", "2026-03-31"),
        ("2026-02-20", "2026-04-05"),
        ("2026-03-02", "2026-03-20"),
    ]
    for user, (start, end) in [
        (u, p) for u in (staff["admin"], staff["xihu_dispatcher"]) for p in periods
    ]:
        result = kpi.kpi_table(user=user, group_by=group_by, start=start, end=end, now=NOW)
        direct = _direct(user, group_by, start, end)
        assert {row["key"]: row["cases_due"] for row in result.rows} == {
            key: row["cases_due"] for key, row in direct.items()
        }
        for row in result.rows:
            for metric in kpi.METRICS:
                assert row[metric] == direct[row["key"]][metric], (group_by, metric)


def test_changes_after_closing_reach_the_kpis(staff, cases, org):
    period = {"start": "2026-03-01", "end": "2026-03-31", "now": NOW}

    def xihu():
        rows = kpi.kpi_rows(user=staff["admin"], group_by="department", **period)
        return next(r for r in rows if r["key"] == org["xihu_bureau"].pk)

    assert xihu()["satisfaction_rate"] == 0.5
    assert not kpi.KpiDirtyDay.objects.exists()  # refreshed by the query
    first = cases[0]
    first.satisfied = False  # e.g. a later revisit
    first.save()
    assert kpi.KpiDirtyDay.objects.count() == 1
    assert xihu()["satisfaction_rate"] == 0.0
    # Reopened: no longer on time, counted among the open cases (overdue by NOW).
    first.status = CaseStatus.DISPATCHED
    first.closed_on_time = None
    first.closed_at = None
    first.save()
    row = xihu()
    assert (row["cases_due"], row["on_time"], row["overdue"]) == (3, 0, 3)
    # Closed again with a new deadline in April: gone from March.
    first.status = CaseStatus.CLOSED
    first.due_at = local(2026, 4, 3)
    first.closed_at = local(2026, 4, 2)
    first.closed_on_time = True
    first.save()
    assert xihu()["cases_due"] == 2
    april = kpi.kpi_rows(
        user=staff["admin"], group_by="department", start="2026-04-01", end="2026-04-30", now=NOW
    )
    assert sum(r["cases_due"] for r in april) == 2
    first.delete()
    april = kpi.kpi_rows(
        user=staff["admin"], group_by="department", start="2026-04-01", end="2026-04-30", now=NOW
    )
    assert sum(r["cases_due"] for r in april) == 1


def test_rebuild_rollup(staff, cases):
    before = kpi.kpi_table(
        user=staff["admin"], group_by="category", start="2026-03-01", end="2026-04-30", now=NOW
    )
    kpi.KpiRollup.objects.all().delete()
    assert kpi.rebuild_rollup() == 4  # the due days of the closed cases
    after = kpi.kpi_table(
        user=staff["admin"], group_by="category", start="2026-03-01", end="2026-04-30", now=NOW
    )
    assert after.rows == before.rows and after.totals == before.totals


def test_a_key_patched_to_zero_leaves_no_row(staff, cases, org):
    period = {"start": "2026-03-01", "end": "2026-03-31", "now": NOW}
    kpi.kpi_rows(user=staff["admin"], group_by="department", **period)  # month rows exist
    shangcheng = cases[3]
    shangcheng.delete()
    rows = kpi.kpi_rows(user=staff["admin"], group_by="department", **period)
    assert [row["key"] for row in rows] == [org["xihu_bureau"].pk]


def test_kpi_page_is_table_plus_series(staff, cases):
    for group_by in kpi.GROUPS:
        table, series = kpi.kpi_page(
            user=staff["admin"],
            group_by=group_by,
            start="2026-02-20",
            end="2026-04-05",
            interval="week",
            now=NOW,
        )
        assert (
            table.rows
            == kpi.kpi_table(
                user=staff["admin"],
                group_by=group_by,
                start="2026-02-20",
                end="2026-04-05",
                now=NOW,
            ).rows
        )
        assert series == kpi.kpi_series(
            user=staff["admin"], start="2026-02-20", end="2026-04-05", interval="week", now=NOW
        )
    with pytest.raises(InvalidInput):
        kpi.kpi_page(user=staff["admin"], group_by="department", interval="hour")


def test_default_period_is_the_last_30_days_even_on_the_first_of_a_month():
    from datetime import date as _date

    period = kpi.default_period(_date(2026, 12, 1))
    assert (period.start, period.end) == (_date(2026, 11, 2), _date(2026, 12, 1))
    assert kpi.parse_period(None, None) == kpi.default_period()
