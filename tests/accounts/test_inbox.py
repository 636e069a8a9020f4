from datetime import timedelta

from django.utils import timezone

from smartgov.accounts.models import User
from smartgov.core.workbench import inbox_for


def test_sysadmin_is_asked_for_an_uncovered_year(sysadmin):
    next_year = timezone.localdate().year + 1
    titles = [item.title for item in inbox_for(sysadmin).items]
    # chinesecalendar 1.11 stops at 2026: from 2026 on the next year is uncovered.
    if next_year > 2026:
        assert any(str(next_year) in title for title in titles)


def test_locked_account_reaches_security_admin_within_scope(secadmin, xihu_staff, sysadmin):
    User.objects.filter(pk=xihu_staff.pk).update(
        locked_until=timezone.now() + timedelta(minutes=10)
    )
    items = [i for i in inbox_for(secadmin).items if i.kind == "lockout"]
    assert [i.link for i in items] == [f"/console/users/{xihu_staff.pk}/"]
    # The system administrator cannot unlock, so the lockout is not their work.
    assert not [i for i in inbox_for(sysadmin).items if i.kind == "lockout"]
