"""Admin console: the working-day calendar."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from smartgov.core.models import CalendarDay, CalendarYear
from smartgov.core.workcalendar import PACKAGE_YEARS

pytest.importorskip("smartgov.accounts.services.calendar")
pytestmark = pytest.mark.django_db

UNCOVERED = max(PACKAGE_YEARS) + 1


def test_overview_shows_coverage_and_loud_banner_for_uncovered_year(as_user, sysadmin):
    page = as_user(sysadmin).get("/console/calendar/").content.decode()
    this_year = timezone.localdate().year
    assert str(this_year) in page and str(this_year + 1) in page
    if any(y not in PACKAGE_YEARS for y in (this_year, this_year + 1)):
        assert 'data-testid="calendar-uncovered"' in page
        assert "周一至周五" in page


def test_calendar_refused_without_permission(as_user, secadmin, auditor):
    assert as_user(secadmin).get("/console/calendar/").status_code == 403
    assert as_user(auditor).get(f"/console/calendar/{UNCOVERED}/").status_code == 403
    response = as_user(secadmin).post(
        f"/console/calendar/{UNCOVERED}/days/new/",
        {"day": f"{UNCOVERED}-01-01", "status": "holiday", "name": "元旦"},
    )
    assert response.status_code == 403
    assert not CalendarDay.objects.exists()


def test_add_edit_delete_entry(as_user, sysadmin):
    client = as_user(sysadmin)
    year_page = client.get(f"/console/calendar/{UNCOVERED}/").content.decode()
    assert 'data-testid="calendar-uncovered"' in year_page and "本年度暂无条目" in year_page
    response = client.post(
        f"/console/calendar/{UNCOVERED}/days/new/",
        {"day": f"{UNCOVERED}-01-01", "status": "holiday", "name": "元旦"},
    )
    assert response.status_code == 302
    entry = CalendarDay.objects.get(date=date(UNCOVERED, 1, 1))
    assert not entry.is_workday and entry.name == "元旦"
    page = client.get(f"/console/calendar/{UNCOVERED}/").content.decode()
    assert "元旦" in page and "data-sg-confirm" in page
    client.post(
        f"/console/calendar/days/{UNCOVERED}-01-01/edit/",
        {"day": f"{UNCOVERED}-01-01", "status": "workday", "name": "调休"},
    )
    entry.refresh_from_db()
    assert entry.is_workday and entry.name == "调休"
    client.post(f"/console/calendar/days/{UNCOVERED}-01-01/delete/")
    assert not CalendarDay.objects.exists()


def test_entry_bad_input(as_user, sysadmin):
    client = as_user(sysadmin)
    response = client.post(
        f"/console/calendar/{UNCOVERED}/days/new/",
        {"day": "not-a-date", "status": "holiday", "name": ""},
    )
    assert response.status_code == 400 and "invalid-feedback" in response.content.decode()
    response = client.post(
        f"/console/calendar/{UNCOVERED}/days/new/",
        {"day": "1999-01-01", "status": "holiday", "name": ""},
    )
    assert response.status_code == 400
    assert not CalendarDay.objects.exists()
    assert client.get("/console/calendar/days/2027-02-30/edit/").status_code == 404


def test_mark_year_complete(as_user, sysadmin):
    client = as_user(sysadmin)
    missing_source = client.post(
        f"/console/calendar/{UNCOVERED}/complete/", {"source": "", "complete": "on"}
    )
    assert missing_source.status_code == 400
    assert not CalendarYear.objects.exists()
    response = client.post(
        f"/console/calendar/{UNCOVERED}/complete/",
        {"source": f"国务院办公厅关于{UNCOVERED}年部分节假日安排的通知", "complete": "on"},
    )
    assert response.status_code == 302
    assert CalendarYear.objects.get(year=UNCOVERED).complete
    page = client.get(f"/console/calendar/{UNCOVERED}/").content.decode()
    assert 'data-testid="calendar-uncovered"' not in page and "管理员录入" in page
