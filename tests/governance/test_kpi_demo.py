"""The demo's historical cases (written with bulk_create) reach the KPIs' rollup."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from smartgov.accounts.demo import load_demo
from smartgov.governance import demo, demo_history, kpi
from smartgov.governance.models import Case, CaseStatus


def test_demo_history_is_in_the_kpis(regions, monkeypatch):
    monkeypatch.setattr(demo_history, "HISTORY_CASES", 200)
    load_demo()
    demo.load_demo_governance()
    admin = get_user_model().objects.get(username="gov_admin")
    today = timezone.localdate()
    start = today - timedelta(days=400)
    result = kpi.kpi_table(user=admin, group_by="department", start=start, end=today)
    period = kpi.parse_period(start, today)
    due = Case.objects.filter(due_at__gte=period.start_at, due_at__lt=period.end_before).exclude(
        status__in=[CaseStatus.CANCELLED, CaseStatus.MERGED]
    )
    assert result.totals["cases_due"] == due.count() > 100
    assert result.totals["on_time"] == due.filter(closed_on_time=True).count()
    assert kpi.KpiRollup.objects.filter(dim="department").exists()
