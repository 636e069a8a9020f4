"""The statistics and 好差评 over the real approval: completing the last step counts the
completion on its day (on time, handling days), the applicant rates it, a rebuild agrees."""

from __future__ import annotations

from django.utils import timezone

from smartgov.services import approval, ratings, stats
from smartgov.services.permissions import SERVICE_SUPERVISOR
from tests.conftest import make_staff
from tests.services.approval_fixtures import *  # noqa: F403 (fixtures)
from tests.services.approval_fixtures import accepted, tasks_of


def test_approved_application_counted_and_rated(citizen, make_published, desk, approver, org):
    viewer = make_staff("city_viewer", org["data_bureau"], SERVICE_SUPERVISOR, "city")
    item = make_published()
    item.steps.all().delete()
    application = accepted(citizen, item, desk)
    (task,) = tasks_of(application)
    approval.complete_task(actor=approver, task_id=task.pk)
    application.refresh_from_db()
    ratings.rate_application(actor=citizen, number=application.number, level=5)
    today = timezone.localdate()
    totals = stats.statistics(viewer, group_by="item", date_from=today, date_to=today)["totals"]
    assert (totals["applications"], totals["accepted"], totals["completed"]) == (1, 1, 1)
    assert totals["on_time"] == int(application.on_time is True)
    assert totals["avg_handling_days"] == application.handling_days
    assert totals["rated"] == 1 and totals["satisfaction"] == 1.0
    stats.rebuild_rollup()
    after = stats.statistics(viewer, group_by="item", date_from=today, date_to=today)["totals"]
    assert after == totals
