"""The workbench inbox of data sharing, and the roles that carry the sharing permissions."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from smartgov.accounts.models import Role
from smartgov.core.permissions import builtin_roles
from smartgov.core.workbench import inbox_for
from smartgov.sharing import inbox, services
from smartgov.sharing.models import ApprovalStep
from smartgov.sharing.permissions import DATA_CONSUMER, Perm


def kinds(user) -> list[str]:
    return [item.kind for item in inbox.pending_for(user)]


def test_roles_carry_the_sharing_permissions():
    roles = builtin_roles()
    assert str(Perm.CONSUME) in roles[DATA_CONSUMER].permissions
    assert {str(Perm.CONSUME), str(Perm.PROVIDE)} <= roles["data_officer"].permissions
    assert str(Perm.APPROVE_BUREAU) in roles["data_admin"].permissions
    assert roles["data_admin"].default_scope == "city"


def test_builtin_consumer_role_is_stored(db, consumer):
    assert Role.objects.filter(code=DATA_CONSUMER, builtin=True).exists()


def test_steps_reach_the_right_inboxes(
    app, people, submit, officer, data_admin, consumer, stranger
):
    request = submit(app, people)
    provider_step, bureau_step = request.steps.order_by("position")
    assert kinds(officer) == ["sharing_provider_step"]
    assert kinds(data_admin) == []  # the bureau's step is not open; it is nobody's provider
    assert kinds(stranger) == [] and kinds(consumer) == []
    item = inbox.pending_for(officer)[0]
    assert request.number in item.title and item.link.endswith(f"/{provider_step.pk}/")
    assert item.deadline.date() == provider_step.due_date
    # The merged workbench shows it too.
    assert any(i.kind == "sharing_provider_step" for i in inbox_for(officer).items)

    services.approve_step(actor=officer, step_id=provider_step.pk)
    assert kinds(officer) == []
    assert kinds(data_admin) == ["sharing_bureau_step"]
    services.reject_step(actor=data_admin, step_id=bureau_step.pk, reason="核心数据不予授权")
    assert kinds(data_admin) == []
    # The consumer who asked is told, until they look at the request.
    assert kinds(consumer) == ["sharing_outcome"]
    services.mark_outcome_seen(actor=consumer, request_id=request.pk)
    assert kinds(consumer) == []


def test_overdue_steps_are_flagged(app, people, submit, officer):
    request = submit(app, people)
    step = request.steps.get(position=1)
    ApprovalStep.objects.filter(pk=step.pk).update(
        due_date=timezone.localdate() - timedelta(days=2)
    )
    (item,) = inbox.pending_for(officer)
    assert item.status() == "overdue"


def test_citizens_have_no_workbench_items(citizen):
    assert inbox.pending_for(citizen) == []
