from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.utils import timezone

from smartgov.accounts.demo import load_demo
from smartgov.accounts.models import User
from smartgov.accounts.scope import has_perm
from smartgov.governance import demo, demo_history, duplicates, places
from smartgov.governance.models import (
    Case,
    CaseEvent,
    CaseFeedback,
    CaseStatus,
    ClassifierModel,
    DispatchRule,
    Grid,
    KpiDirtyDay,
    KpiRollup,
)
from smartgov.governance.permissions import Perm


@pytest.fixture
def small_demo(regions, monkeypatch):
    monkeypatch.setattr(demo_history, "HISTORY_CASES", 500)
    load_demo()
    out = StringIO()
    summary = demo.load_demo_governance(stdout=out)
    return summary, out.getvalue()


def test_demo(small_demo):
    """One load (it takes a while): contents, idempotency, timelines, hotspot."""
    check_contents(*small_demo)
    check_idempotent()
    check_timelines()
    check_hotspot()
    check_trains_when_an_earlier_run_left_no_model()


def check_trains_when_an_earlier_run_left_no_model():
    ClassifierModel.objects.all().delete()
    cases = Case.objects.count()
    demo.load_demo_governance()
    assert ClassifierModel.objects.filter(active=True).count() == 1
    assert Case.objects.count() == cases


def check_contents(summary, printed):
    assert "119 categories" in summary
    assert "gov_admin" in printed and "xihu_cg_handler" in printed
    assert "Governance classifier v1" in printed
    assert Grid.objects.count() == len(demo.STREET_CENTRES) * demo.GRID_SIDE**2
    placement = places.locate(lon=120.140, lat=30.278)
    assert placement.street.name == "西溪街道" and placement.grid.code.startswith("330106004")
    assert DispatchRule.objects.filter(region__level="street").exists()
    live = Case.objects.filter(source_system=demo.LIVE_SOURCE)
    assert live.count() == len(demo.LIVE_CALLS)
    assert Case.objects.count() == 500 + demo_history.HOTSPOT_REPORTS + len(demo.LIVE_CALLS)
    # Today's calls went through intake: each numbered for today with its classifier proposal.
    assert all(c.suggestions and c.recorded_by.username == "hotline_li" for c in live)
    model = ClassifierModel.objects.get(active=True)
    assert model.source == "cases" and model.sample_count > 150
    assert has_perm(User.objects.get(username="city_staff"), Perm.INTAKE)
    # The KPI rollup was rebuilt after the bulk import: no day waits, every closed day summed.
    assert not KpiDirtyDay.objects.exists() and KpiRollup.objects.exists()
    assert has_perm(User.objects.get(username="gov_admin"), Perm.CONFIGURE)
    assert has_perm(User.objects.get(username="xihu_cg_handler"), Perm.HANDLE)


def check_idempotent():
    counts = (
        Case.objects.count(),
        CaseEvent.objects.count(),
        Grid.objects.count(),
        DispatchRule.objects.count(),
        ClassifierModel.objects.count(),
        User.objects.count(),
    )
    demo.load_demo_governance()
    assert counts == (
        Case.objects.count(),
        CaseEvent.objects.count(),
        Grid.objects.count(),
        DispatchRule.objects.count(),
        ClassifierModel.objects.count(),
        User.objects.count(),
    )


def check_timelines():
    now = timezone.now()
    statuses = Counter(Case.objects.values_list("status", flat=True))
    assert statuses[CaseStatus.CLOSED] > 400
    assert (
        statuses[CaseStatus.CANCELLED]
        and statuses[CaseStatus.MERGED] >= demo_history.HOTSPOT_REPORTS - 1
    )
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers) and all(n.startswith("GZ") for n in numbers)
    for case in Case.objects.prefetch_related("events"):
        events = list(case.events.all())
        assert events[0].kind == "reported" and events[0].created_at == case.created_at
        times = [e.created_at for e in events]
        assert times == sorted(times) and times[-1] <= now
        changes = [e.to_status for e in events if e.to_status]
        assert changes[-1] == case.status, case.number
        if case.status == CaseStatus.CLOSED:
            assert case.dispatched_at <= case.handled_at <= case.closed_at
            assert case.closed_on_time == (case.handled_at <= case.due_at)
            assert case.department_id and case.category_id
        if case.status == CaseStatus.MERGED:
            assert case.main_case_id is not None
    assert CaseFeedback.objects.filter(level__gte=1, level__lte=5).count() > 50
    assert Case.objects.filter(rework_count__gt=0).exists()
    assert Case.objects.filter(return_count__gt=0, dispatch_count__gte=2).exists()
    assert Case.objects.filter(extension_count__gt=0).exists()
    assert Case.objects.filter(closed_on_time=False).exists()
    # History ends before today, so live case numbers of today never collide.
    today = timezone.localdate().strftime("%Y%m%d")
    assert (
        not Case.objects.filter(number__startswith=f"GZ{today}")
        .exclude(source_system=demo.LIVE_SOURCE)
        .exists()
    )


def check_hotspot():
    now = timezone.now()
    spots = duplicates.hotspots(start=now - timedelta(days=7), end=now)
    top = spots[0]
    assert top["count"] >= demo_history.HOTSPOT_REPORTS
    assert top["road"] == "文三路" and top["category"] == "0110" and top["street"] == "西溪街道"
    main = Case.objects.get(pk=top["case_ids"][0])
    assert main.status == CaseStatus.DISPATCHED
    assert Case.objects.filter(main_case=main).count() == demo_history.HOTSPOT_REPORTS - 1
