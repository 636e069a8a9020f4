"""Work the foundation itself puts in administrators' workbench inboxes.

- System administrators (calendar permission): next year's public-holiday schedule must be
  entered before the year starts, or every working-day limit in it counts weekdays only.
- Security administrators (unlock permission): accounts locked after repeated failed logins,
  within their data scope.
"""

from __future__ import annotations

from datetime import datetime, time

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smartgov.accounts.models import User
from smartgov.accounts.permissions import Perm
from smartgov.accounts.scope import has_perm, restrict
from smartgov.core import workcalendar
from smartgov.core.workbench import InboxItem

SOURCE = "accounts"


def calendar_tasks(user) -> list[InboxItem]:
    if not has_perm(user, Perm.MANAGE_CALENDAR):
        return []
    today = timezone.localdate()
    items = []
    for year in workcalendar.uncovered_years([today.year, today.year + 1]):
        deadline = timezone.make_aware(
            datetime.combine(today.replace(year=year - 1, month=12, day=31), time(18, 0))
        )
        items.append(
            InboxItem(
                title=_("Enter the %(year)s public-holiday schedule") % {"year": year},
                source=SOURCE,
                kind="calendar",
                kind_label=_("Holiday schedule"),
                link=reverse("portal:admin_calendar_year", args=[year]),
                deadline=deadline,
            )
        )
    return items


def locked_accounts(user) -> list[InboxItem]:
    if not has_perm(user, Perm.UNLOCK_USER):
        return []
    now = timezone.now()
    locked = restrict(User.objects.filter(locked_until__gt=now), user, Perm.UNLOCK_USER)
    return [
        InboxItem(
            title=_("Account %(name)s is locked after failed logins") % {"name": str(account)},
            source=SOURCE,
            kind="lockout",
            kind_label=_("Account lockout"),
            link=reverse("portal:admin_user_detail", args=[account.pk]),
            deadline=account.locked_until,
        )
        for account in locked.order_by("locked_until")[:50]
    ]


def pending_for(user) -> list[InboxItem]:
    return calendar_tasks(user) + locked_accounts(user)
