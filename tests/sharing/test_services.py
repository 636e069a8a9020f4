"""Sharing use cases: apps and secrets, requests through their steps, grants and expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from smartgov.core.crypto import decrypt_field
from smartgov.core.errors import Conflict, InvalidInput, NotFound, PermissionDeniedError
from smartgov.core.models import AuditRecord
from smartgov.sharing import services
from smartgov.sharing.models import (
    AccessRequest,
    AppStatus,
    Grant,
    GrantStatus,
    RequestStatus,
    StepStage,
    StepStatus,
)
from tests.sharing.conftest import request_values


def actions(prefix="sharing."):
    return list(
        AuditRecord.objects.filter(action__startswith=prefix)
        .order_by("seq")
        .values_list("action", flat=True)
    )


# --- Apps ---------------------------------------------------------------------------------


def test_register_app_gives_key_and_secret_once(consumer, org):
    app, secret = services.register_app(
        actor=consumer,
        name="业务系统",
        contact_name="王工",
        contact_phone="13800138000",
        ip_allowlist=["10.0.0.5", "10.1.2.3/24", "2001:db8::/32", "10.0.0.5"],
    )
    assert app.department == org["shangcheng_bureau"]
    assert app.app_key.startswith("sg") and len(app.app_key) == 32
    assert decrypt_field(app.secret_encrypted) == secret
    assert secret not in app.secret_encrypted
    assert app.ip_allowlist == ["10.0.0.5", "10.1.2.0/24", "2001:db8::/32"]
    assert app.secret_version == 1
    record = AuditRecord.objects.get(action="sharing.app.register")
    assert "secret_encrypted" not in record.after and secret not in str(record.after)


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"ip_allowlist": ["10.0.0.300"]}, "invalid_ip"),
        ({"ip_allowlist": ["not an ip"]}, "invalid_ip"),
        ({"ip_allowlist": ["10.0.0.0/33"]}, "invalid_ip"),
        ({"name": "  "}, "name_required"),
        ({"contact_phone": "12345"}, "phone_format"),
        ({"contact_name": ""}, "contact_required"),
    ],
)
def test_register_app_refuses_bad_input(consumer, values, code):
    data = {"name": "系统", "contact_name": "王工", "contact_phone": "13800138000", **values}
    with pytest.raises(InvalidInput) as caught:
        services.register_app(actor=consumer, **data)
    assert caught.value.code == code


def test_plain_staff_cannot_register_apps(xihu_staff):
    with pytest.raises(PermissionDeniedError):
        services.register_app(
            actor=xihu_staff, name="x", contact_name="y", contact_phone="13800138000"
        )


def test_rotate_secret_replaces_it(app, consumer):
    old = decrypt_field(app.secret_encrypted)
    rotated, secret = services.rotate_secret(actor=consumer, app_id=app.pk)
    assert secret != old
    assert decrypt_field(rotated.secret_encrypted) == secret
    assert rotated.secret_version == 2 and rotated.secret_rotated_at is not None


def test_other_department_cannot_touch_the_app(app, stranger):
    with pytest.raises(NotFound):
        services.rotate_secret(actor=stranger, app_id=app.pk)
    with pytest.raises(NotFound):
        services.revoke_app(actor=stranger, app_id=app.pk)
    app.refresh_from_db()
    assert app.status == AppStatus.ACTIVE and app.secret_version == 1


def test_revoking_an_app_stops_its_grants_and_requests(app, consumer, companies, people, submit):
    granted = submit(app, companies, fields=["org_name"], clear_fields=[])
    pending = submit(app, people)
    services.revoke_app(actor=consumer, app_id=app.pk, reason="系统下线")
    app.refresh_from_db()
    assert app.status == AppStatus.REVOKED and app.revoked_at
    assert Grant.objects.get(request=granted).status == GrantStatus.REVOKED
    pending.refresh_from_db()
    assert pending.status == RequestStatus.WITHDRAWN
    assert set(pending.steps.values_list("status", flat=True)) == {StepStatus.CANCELLED}
    with pytest.raises(Conflict) as caught:
        services.rotate_secret(actor=consumer, app_id=app.pk)
    assert caught.value.code == "app_revoked"
    with pytest.raises(Conflict) as caught:
        submit(app, companies, fields=["org_name"], clear_fields=[])
    assert caught.value.code == "app_revoked"


# --- Requests -----------------------------------------------------------------------------


def test_unconditional_request_is_granted_at_once(app, companies, submit):
    request = submit(app, companies, fields=["org_name", "address"], clear_fields=["address"])
    assert request.status == RequestStatus.APPROVED
    assert request.steps.count() == 0
    grant = Grant.objects.get(request=request)
    assert grant.status == GrantStatus.ACTIVE
    assert grant.fields == ["org_name", "address"] and grant.clear_fields == ["address"]
    assert grant.app == app and grant.rate_per_minute == 60
    assert actions() == ["sharing.app.register", "sharing.request.submit", "sharing.grant.create"]


def test_conditional_general_request_needs_the_provider_only(app, elevators, submit, officer):
    request = submit(app, elevators, fields=["device_code", "location"], clear_fields=[])
    assert request.status == RequestStatus.PENDING_PROVIDER
    (step,) = request.steps.all()
    assert step.stage == StepStage.PROVIDER and step.department == elevators.provider
    assert step.status == StepStatus.PENDING and step.due_date > timezone.localdate()
    services.approve_step(actor=officer, step_id=step.pk, comment="同意")
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED
    assert Grant.objects.get(request=request).fields == ["device_code", "location"]


def test_graded_request_goes_to_the_bureau_after_the_provider(
    app, people, submit, officer, data_admin
):
    request = submit(app, people)
    provider_step, bureau_step = request.steps.order_by("position")
    assert bureau_step.stage == StepStage.BUREAU and bureau_step.status == StepStatus.WAITING
    # The provider narrows: no gender, and the name only masked.
    services.approve_step(
        actor=officer, step_id=provider_step.pk, fields=["citizen_id", "name"], clear_fields=[]
    )
    request.refresh_from_db()
    bureau_step.refresh_from_db()
    assert request.status == RequestStatus.PENDING_BUREAU
    assert bureau_step.status == StepStatus.PENDING and bureau_step.due_date
    assert not Grant.objects.filter(request=request).exists()
    # The bureau cannot widen what the provider approved.
    with pytest.raises(InvalidInput) as caught:
        services.approve_step(
            actor=data_admin, step_id=bureau_step.pk, fields=["citizen_id", "name", "gender"]
        )
    assert caught.value.code == "fields_widened"
    with pytest.raises(InvalidInput) as caught:
        services.approve_step(actor=data_admin, step_id=bureau_step.pk, clear_fields=["name"])
    assert caught.value.code == "clear_fields_widened"
    services.approve_step(actor=data_admin, step_id=bureau_step.pk, fields=["citizen_id"])
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED
    grant = Grant.objects.get(request=request)
    assert grant.fields == ["citizen_id"] and grant.clear_fields == []
    assert actions()[-5:] == [
        "sharing.step.approve",
        "sharing.request.to_bureau",
        "sharing.step.approve",
        "sharing.request.approved",
        "sharing.grant.create",
    ]


def test_only_the_right_approver_decides(app, people, submit, stranger, data_admin, consumer):
    request = submit(app, people)
    provider_step, bureau_step = request.steps.order_by("position")
    with pytest.raises(NotFound):  # another department cannot even see the request
        services.approve_step(actor=stranger, step_id=provider_step.pk)
    with pytest.raises(PermissionDeniedError) as caught:  # the consumer sees it, cannot decide
        services.approve_step(actor=consumer, step_id=provider_step.pk)
    assert caught.value.code == "not_your_step"
    with pytest.raises(Conflict) as caught:  # the bureau's step is not due yet
        services.approve_step(actor=data_admin, step_id=bureau_step.pk)
    assert caught.value.code == "step_not_pending"
    provider_step.refresh_from_db()
    assert provider_step.status == StepStatus.PENDING


def test_rejection_needs_a_reason_and_ends_the_request(app, people, submit, officer):
    request = submit(app, people)
    provider_step = request.steps.get(position=1)
    with pytest.raises(InvalidInput) as caught:
        services.reject_step(actor=officer, step_id=provider_step.pk, reason=" ")
    assert caught.value.code == "reason_required"
    services.reject_step(actor=officer, step_id=provider_step.pk, reason="用途不明确")
    request.refresh_from_db()
    assert request.status == RequestStatus.REJECTED
    assert request.decision_comment == "用途不明确"
    assert request.steps.get(position=2).status == StepStatus.CANCELLED
    with pytest.raises(Conflict) as caught:  # no second decision
        services.approve_step(actor=officer, step_id=provider_step.pk)
    assert caught.value.code == "step_not_pending"


def test_withdraw_while_pending_only(app, people, companies, submit, consumer):
    request = submit(app, people)
    services.withdraw_request(actor=consumer, request_id=request.pk)
    request.refresh_from_db()
    assert request.status == RequestStatus.WITHDRAWN
    with pytest.raises(Conflict) as caught:
        services.withdraw_request(actor=consumer, request_id=request.pk)
    assert caught.value.code == "request_not_pending"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"fields": []}, "fields_required"),
        ({"fields": ["name", "no_such"]}, "unknown_fields"),
        ({"clear_fields": ["gender", "phone"]}, "clear_fields_not_requested"),
        ({"purpose": ""}, "purpose_required"),
        ({"legal_basis": " "}, "legal_basis_required"),
        ({"rate_per_minute": 0}, "rate_out_of_range"),
        ({"rate_per_minute": 10**6}, "rate_out_of_range"),
        ({"expected_daily_calls": -1}, "daily_calls_range"),
        ({"valid_from": timezone.localdate() - timedelta(days=1)}, "period_in_past"),
        ({"valid_until": timezone.localdate() - timedelta(days=1)}, "period_reversed"),
        ({"valid_until": timezone.localdate() + timedelta(days=4000)}, "period_too_long"),
        (
            {
                "valid_from": timezone.localdate() + timedelta(days=400),
                "valid_until": timezone.localdate() + timedelta(days=500),
            },
            "period_too_far",
        ),
    ],
)
def test_bad_requests_are_refused(app, people, submit, overrides, code):
    with pytest.raises(InvalidInput) as caught:
        submit(app, people, **overrides)
    assert caught.value.code == code
    assert not AccessRequest.objects.exists()


def test_not_shared_and_unknown_resources_are_refused(app, secret_resource, submit):
    with pytest.raises(Conflict) as caught:
        submit(app, secret_resource, fields=["credit_code"], clear_fields=[])
    assert caught.value.code == "resource_not_shared"
    secret_resource.pk = 999_999
    with pytest.raises(NotFound) as caught:
        submit(app, secret_resource, fields=["credit_code"], clear_fields=[])
    assert caught.value.code == "resource_not_found"


def test_second_pending_request_is_refused(app, people, submit):
    submit(app, people)
    with pytest.raises(Conflict) as caught:
        submit(app, people)
    assert caught.value.code == "request_pending"


def test_a_provider_does_not_request_its_own_data(officer, people, submit):
    own, _ = services.register_app(
        actor=officer, name="自有系统", contact_name="周", contact_phone="13800138000"
    )
    with pytest.raises(InvalidInput) as caught:
        submit(own, people, actor=officer)
    assert caught.value.code == "own_resource"


def test_request_for_another_departments_app_is_refused(app, people, stranger):
    with pytest.raises(NotFound):
        services.submit_request(actor=stranger, **request_values(app, people))


# --- Grants -------------------------------------------------------------------------------


def test_revoke_grant_with_reason(app, companies, submit, officer, consumer, stranger):
    grant = Grant.objects.get(request=submit(app, companies, fields=["org_name"], clear_fields=[]))
    with pytest.raises(NotFound):
        services.revoke_grant(actor=stranger, grant_id=grant.pk, reason="x")
    with pytest.raises(InvalidInput):
        services.revoke_grant(actor=officer, grant_id=grant.pk, reason="")
    services.revoke_grant(actor=officer, grant_id=grant.pk, reason="发现超范围使用")
    grant.refresh_from_db()
    assert grant.status == GrantStatus.REVOKED and grant.revoked_reason == "发现超范围使用"
    assert not services.is_usable(grant)
    with pytest.raises(Conflict) as caught:
        services.revoke_grant(actor=consumer, grant_id=grant.pk, reason="again")
    assert caught.value.code == "grant_not_active"


def test_expire_command_marks_past_grants(app, companies, submit):
    grant = Grant.objects.get(request=submit(app, companies, fields=["org_name"], clear_fields=[]))
    assert services.is_usable(grant)
    later = grant.valid_until + timedelta(days=1)
    call_command("sharing", "expire", "--today", grant.valid_until.isoformat())
    grant.refresh_from_db()
    assert grant.status == GrantStatus.ACTIVE  # the last day still counts
    call_command("sharing", "expire", "--today", later.isoformat())
    grant.refresh_from_db()
    assert grant.status == GrantStatus.EXPIRED
    assert AuditRecord.objects.filter(action="sharing.grant.expire").count() == 1
    assert services.expire_grants(today=later) == 0  # idempotent


def test_one_person_does_not_approve_both_steps(app, people, submit, data_admin):
    request = submit(app, people)
    provider_step, bureau_step = request.steps.order_by("position")
    services.approve_step(actor=data_admin, step_id=provider_step.pk)  # acting for the provider
    with pytest.raises(Conflict) as caught:
        services.approve_step(actor=data_admin, step_id=bureau_step.pk)
    assert caught.value.code == "same_approver"
    bureau_step.refresh_from_db()
    assert bureau_step.status == StepStatus.PENDING


def test_a_withdrawn_resource_cannot_be_granted(app, elevators, submit, officer, data_admin):
    from smartgov.catalog import services as catalog_services

    request = submit(app, elevators, fields=["device_code"], clear_fields=[])
    catalog_services.withdraw_resource(actor=data_admin, resource_id=elevators.pk, reason="停用")
    with pytest.raises(Conflict) as caught:
        services.approve_step(actor=officer, step_id=request.steps.get().pk)
    assert caught.value.code == "resource_not_published"
    assert not Grant.objects.exists()
    services.reject_step(actor=officer, step_id=request.steps.get().pk, reason="资源已停用")
