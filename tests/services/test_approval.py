"""Approval (审批): steps in sequence and in parallel, denial, the payment gate, the result
e-license, withdrawal, the permission refusals and the audit trail."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from smartgov.core import events
from smartgov.core.audit import verify_chain
from smartgov.core.errors import Conflict, InvalidInput, NotFound, PermissionDeniedError
from smartgov.core.models import AuditRecord
from smartgov.core.workbench import inbox_for
from smartgov.core.workcalendar import add_working_days
from smartgov.licenses.models import License
from smartgov.licenses.verification import verify_license
from smartgov.services import applications as apps
from smartgov.services import approval
from smartgov.services.application_models import (
    Application,
    ApplicationEvent,
    ApplicationStatus,
    PaymentStatus,
    WarningLevel,
)
from smartgov.services.approval_selectors import my_tasks, task_for, timeline
from smartgov.services.permissions import APPROVER
from smartgov.services.workflow_models import ApprovalTask, EventAttachment, TaskStatus
from tests.services.approval_fixtures import *  # noqa: F403 (fixtures)
from tests.services.approval_fixtures import GOOD_FORM, PDF, PNG, accepted, tasks_of, upload
from tests.services.conftest import CITIZEN_ID


def kinds(application):
    return list(application.events.values_list("kind", flat=True))


def test_acceptance_lays_out_the_steps(citizen, make_published, desk):
    item = make_published()
    application = accepted(citizen, item, desk)
    first, review, decision = tasks_of(application)
    # The leading 受理 step is the acceptance itself: done by the front desk.
    assert (first.name, first.status, first.finished_by) == ("受理", TaskStatus.DONE, desk)
    today = timezone.localdate()
    assert review.status == TaskStatus.ACTIVE and review.due_date == add_working_days(today, 3)
    assert decision.status == TaskStatus.WAITING and decision.due_date is None
    assert review.department == item.department
    assert kinds(application) == ["submit", "accept", "step_started"]
    assert application.status == ApplicationStatus.ACCEPTED


def test_steps_in_sequence_to_approval(citizen, make_published, desk, approver, approver2):
    ended = []

    def on_ended(**kw):
        ended.append(kw["application"].number)

    events.subscribe(apps.ENDED, on_ended)
    try:
        item = make_published(result_name="准予许可决定书")
        application = accepted(citizen, item, desk)
        _first, review, decision = tasks_of(application)
        assert [t.pk for t in my_tasks(approver)] == [review.pk]
        claimed = approval.claim_task(actor=approver, task_id=review.pk)
        assert claimed.assignee == approver
        assert approval.claim_task(actor=approver, task_id=review.pk).assignee == approver
        with pytest.raises(Conflict) as err:
            approval.complete_task(actor=approver2, task_id=review.pk)
        assert err.value.code == "task_claimed"
        with pytest.raises(Conflict) as err:  # the decision waits for the review
            approval.complete_task(actor=approver2, task_id=decision.pk)
        assert err.value.code == "task_not_active"
        approval.complete_task(
            actor=approver,
            task_id=review.pk,
            comment="材料齐全，符合条件",
            attachments=[SimpleUploadedFile("审查意见.pdf", PDF)],
        )
        decision.refresh_from_db()
        assert decision.status == TaskStatus.ACTIVE
        application.refresh_from_db()
        assert application.status == ApplicationStatus.ACCEPTED and ended == []
        approval.complete_task(actor=approver2, task_id=decision.pk, comment="准予许可")
        with pytest.raises(Conflict) as err:
            approval.complete_task(actor=approver2, task_id=decision.pk)
        assert err.value.code == "task_already_done"
    finally:
        events.unsubscribe(apps.ENDED, on_ended)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.result_text == "准予许可决定书" and application.result_license is None
    assert application.completed_at is not None and application.on_time is True
    assert application.handling_days == 0
    assert ended == [application.number]
    assert kinds(application)[-4:] == [
        "step_completed",
        "step_started",
        "step_completed",
        "approve",
    ]
    opinion = ApplicationEvent.objects.filter(kind="step_completed").first()
    attachment = EventAttachment.objects.get(event=opinion)
    assert attachment.content_type == "application/pdf" and attachment.size == len(PDF)
    assert attachment.file.read() == PDF and len(attachment.sha256) == 64
    assert opinion.data["attachments"][0]["id"] == attachment.pk
    assert list(timeline(application))[-4].attachments.count() == 1
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {
        "services.task.complete",
        "services.application.step_started",
        "services.application.step_claimed",
        "services.application.approve",
    } <= actions
    assert AuditRecord.objects.filter(action="services.task.complete").count() == 2
    assert verify_chain().ok


def test_parallel_steps_across_departments(
    org, citizen, make_published, desk, approver, other_approver
):
    item = make_published(
        steps=[
            {"name": "受理", "limit_days": 0},
            {"name": "市场监管审查", "limit_days": 2, "parallel_group": "p"},
            {
                "name": "消防审查",
                "limit_days": 3,
                "parallel_group": "p",
                "department_id": org["shangcheng_bureau"].pk,
            },
            {"name": "决定", "limit_days": 1},
        ]
    )
    application = accepted(citizen, item, desk)
    _first, market, fire, decision = tasks_of(application)
    assert market.status == fire.status == TaskStatus.ACTIVE
    assert fire.department == org["shangcheng_bureau"]
    assert [t.pk for t in my_tasks(approver)] == [market.pk]
    assert [t.pk for t in my_tasks(other_approver)] == [fire.pk]
    with pytest.raises(NotFound) as err:  # another department's step
        approval.complete_task(actor=approver, task_id=fire.pk)
    assert err.value.code == "task_not_found"
    approval.complete_task(actor=other_approver, task_id=fire.pk, comment="符合消防要求")
    decision.refresh_from_db()
    assert decision.status == TaskStatus.WAITING  # the market review still runs
    approval.complete_task(actor=approver, task_id=market.pk)
    decision.refresh_from_db()
    assert decision.status == TaskStatus.ACTIVE
    # The other department sees the application through its step.
    assert apps.application_for(other_approver, application.number) == application


def test_deny_in_a_parallel_step_ends_and_cancels(
    org, citizen, make_published, desk, approver, other_approver
):
    item = make_published(
        steps=[
            {"name": "甲审查", "limit_days": 2, "parallel_group": "p"},
            {
                "name": "乙审查",
                "limit_days": 2,
                "parallel_group": "p",
                "department_id": org["shangcheng_bureau"].pk,
            },
            {"name": "决定", "limit_days": 1},
        ]
    )
    application = accepted(citizen, item, desk)
    first, second, decision = tasks_of(application)
    assert first.status == second.status == TaskStatus.ACTIVE  # no 受理 step to skip
    with pytest.raises(InvalidInput) as err:
        approval.complete_task(actor=other_approver, task_id=second.pk, decision="deny")
    assert err.value.code == "deny_reason_required"
    with pytest.raises(InvalidInput):
        approval.complete_task(actor=other_approver, task_id=second.pk, decision="maybe")
    approval.complete_task(
        actor=other_approver, task_id=second.pk, decision="deny", comment="不符合规划要求"
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DENIED
    assert application.result_text == "不符合规划要求" and application.completed_at
    first.refresh_from_db()
    decision.refresh_from_db()
    assert first.status == decision.status == TaskStatus.CANCELLED
    with pytest.raises(Conflict) as err:
        approval.complete_task(actor=approver, task_id=first.pk)
    assert err.value.code == "task_cancelled"
    assert kinds(application)[-1] == "deny"


def test_item_without_steps_gets_one_decision(citizen, make_published, desk, approver):
    item = make_published()
    item.steps.all().delete()
    application = accepted(citizen, item, desk)
    (task,) = tasks_of(application)
    assert task.name == "审批决定" and task.status == TaskStatus.ACTIVE
    assert task.department == item.department
    approval.complete_task(actor=approver, task_id=task.pk)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED


def test_payment_gate(citizen, make_published, desk, approver):
    item = make_published(steps=[{"name": "决定", "limit_days": 1}])
    application = accepted(citizen, item, desk)
    Application.objects.filter(pk=application.pk).update(
        payment_status=PaymentStatus.UNPAID, fee_total="50.00"
    )
    (task,) = tasks_of(application)
    with pytest.raises(Conflict) as err:
        approval.complete_task(
            actor=approver, task_id=task.pk, attachments=[SimpleUploadedFile("a.png", PNG)]
        )
    assert err.value.code == "payment_required"
    task.refresh_from_db()
    application.refresh_from_db()
    assert task.status == TaskStatus.ACTIVE and application.status == ApplicationStatus.ACCEPTED
    assert not EventAttachment.objects.exists()
    assert "step_completed" not in kinds(application)
    Application.objects.filter(pk=application.pk).update(payment_status=PaymentStatus.PAID)
    approval.complete_task(actor=approver, task_id=task.pk)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED


def test_result_e_license_issued_and_verifiable(citizen, make_published, desk, approver, residence):
    item = make_published(
        result_name="居住证", result_license_type="jzz", steps=[{"name": "决定", "limit_days": 1}]
    )
    application = accepted(citizen, item, desk)
    (task,) = tasks_of(application)
    fields = {f["name"]: f for f in approval.result_license_fields(application)}
    assert fields["phone"]["value"] == "13800138000" and fields["phone"]["source"] == "form"
    assert fields["issued_on"]["source"] == "decision_day"
    assert fields["address"]["missing"] is True
    with pytest.raises(Conflict) as err:
        approval.complete_task(actor=approver, task_id=task.pk)
    assert err.value.code == "result_license_data_missing"
    assert err.value.detail["fields"] == [{"name": "address", "label": "居住地址"}]
    with pytest.raises(InvalidInput) as err:
        approval.complete_task(actor=approver, task_id=task.pk, result_data={"colour": "红"})
    assert err.value.code == "result_data_unknown_field"
    assert not License.objects.exists()
    approval.complete_task(
        actor=approver, task_id=task.pk, result_data={"address": "杭州市西湖区文三路 1 号"}
    )
    application.refresh_from_db()
    license = application.result_license
    assert application.status == ApplicationStatus.APPROVED and license is not None
    assert license.license_type == residence and license.holder_name == "张三"
    assert license.data["address"] == "杭州市西湖区文三路 1 号"
    assert license.source == f"services:application:{application.number}"
    assert license.issued_by == approver
    result = verify_license(identifier=license.identifier)
    assert result.valid, result.reasons
    from smartgov.licenses.services import holder_licenses

    assert list(holder_licenses(citizen)) == [license]
    record = AuditRecord.objects.get(action="licenses.license.issue_on_decision")
    assert record.actor_id == approver.pk and application.number in record.after["decision"]
    approve_event = application.events.get(kind="approve")
    assert approve_event.data["license"] == license.identifier
    assert CITIZEN_ID not in str(approve_event.data)


def test_result_license_type_not_defined_gives_a_document(citizen, make_published, desk, approver):
    item = make_published(result_license_type="NOSUCH", steps=[{"name": "决定", "limit_days": 1}])
    application = accepted(citizen, item, desk)
    approval.complete_task(actor=approver, task_id=tasks_of(application)[0].pk)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED and application.result_license is None
    assert application.events.get(kind="approve").data["license_type_unavailable"] == "NOSUCH"


def test_attachments_checked_by_content(citizen, make_published, desk, approver, settings):
    item = make_published(steps=[{"name": "决定", "limit_days": 1}])
    application = accepted(citizen, item, desk)
    (task,) = tasks_of(application)

    def complete(*files):
        return approval.complete_task(actor=approver, task_id=task.pk, attachments=list(files))

    for files, code in (
        ([SimpleUploadedFile("fake.pdf", b"MZ\x90\x00 not a pdf")], "attachment_type"),
        ([SimpleUploadedFile("empty.pdf", b"")], "attachment_empty"),
        ([SimpleUploadedFile("x.zip", b"PK\x03\x04garbage")], "attachment_type"),
        ([SimpleUploadedFile(f"{i}.pdf", PDF) for i in range(10)], "too_many_attachments"),
    ):
        with pytest.raises(InvalidInput) as err:
            complete(*files)
        assert err.value.code == code
    settings.SERVICES_ATTACHMENT_MAX_BYTES = 20
    with pytest.raises(InvalidInput) as err:
        complete(SimpleUploadedFile("big.pdf", PDF + b"x" * 20))
    assert err.value.code == "attachment_too_large"
    del settings.SERVICES_ATTACHMENT_MAX_BYTES
    task.refresh_from_db()
    assert task.status == TaskStatus.ACTIVE and not EventAttachment.objects.exists()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("OFD.xml", "<ofd:OFD/>")
        archive.writestr("Doc_0/Document.xml", "<ofd:Document/>")
    complete(
        SimpleUploadedFile("决定书.ofd", buffer.getvalue()), SimpleUploadedFile("现场.png", PNG)
    )
    types = sorted(EventAttachment.objects.values_list("content_type", flat=True))
    assert types == ["application/ofd", "image/png"]


def test_wrong_department_and_role_refused(
    org, citizen, make_published, desk, approver, other_approver, supervisor
):
    item = make_published(steps=[{"name": "决定", "limit_days": 1, "role": APPROVER}])
    application = accepted(citizen, item, desk)
    (task,) = tasks_of(application)
    with pytest.raises(NotFound):
        approval.claim_task(actor=other_approver, task_id=task.pk)
    with pytest.raises(NotFound):
        approval.complete_task(actor=other_approver, task_id=task.pk)
    with pytest.raises(PermissionDeniedError):
        approval.complete_task(actor=citizen, task_id=task.pk)
    with pytest.raises(PermissionDeniedError):
        approval.complete_task(actor=desk, task_id=task.pk)
    with pytest.raises(NotFound):
        task_for(approver, 999999)
    # A step naming a platform role: an approver holding another role of the same scope.
    ApprovalTask.objects.filter(pk=task.pk).update(role="service_supervisor")
    assert list(my_tasks(approver)) == []
    with pytest.raises(PermissionDeniedError) as err:
        approval.complete_task(actor=approver, task_id=task.pk)
    assert err.value.code == "task_role_required"
    # A descriptive role (业务科室) leaves the step to any approver of the department.
    ApprovalTask.objects.filter(pk=task.pk).update(role="业务科室")
    assert [t.pk for t in my_tasks(approver)] == [task.pk]
    task.refresh_from_db()
    application.refresh_from_db()
    assert task.status == TaskStatus.ACTIVE and task.assignee is None
    assert application.status == ApplicationStatus.ACCEPTED
    assert "step_completed" not in kinds(application)


def test_withdraw_by_the_applicant(citizen, make_published, desk, approver):
    ended = []

    def on_ended(**kw):
        ended.append(kw["application"].status)

    events.subscribe(apps.ENDED, on_ended)
    try:
        item = make_published()
        application = accepted(citizen, item, desk)
        with pytest.raises(NotFound):
            approval.withdraw_application(actor=approver, number=application.number)
        approval.withdraw_application(actor=citizen, number=application.number, reason="不再需要")
        application.refresh_from_db()
        assert application.status == ApplicationStatus.WITHDRAWN
        assert {t.status for t in tasks_of(application)} == {TaskStatus.DONE, TaskStatus.CANCELLED}
        assert ended == [ApplicationStatus.WITHDRAWN]
        with pytest.raises(Conflict) as err:
            approval.withdraw_application(actor=citizen, number=application.number)
        assert err.value.code == "transition_not_allowed"
        assert list(my_tasks(approver)) == []
    finally:
        events.unsubscribe(apps.ENDED, on_ended)
    assert application.events.last().kind == "withdraw"


def test_application_in_approval_blocks_a_duplicate(citizen, make_published, desk, approver):
    item = make_published(steps=[{"name": "决定", "limit_days": 1}])
    application = accepted(citizen, item, desk)
    material = item.materials.get(name="申请书")
    with pytest.raises(Conflict) as err:
        apps.submit_application(
            actor=citizen,
            item_code=item.implementation_code,
            form_data=GOOD_FORM,
            uploads=[upload(material.pk)],
        )
    assert err.value.code == "duplicate_application"
    approval.complete_task(actor=approver, task_id=tasks_of(application)[0].pk)
    again = apps.submit_application(
        actor=citizen,
        item_code=item.implementation_code,
        form_data=GOOD_FORM,
        uploads=[upload(material.pk)],
    )
    assert again.status == ApplicationStatus.SUBMITTED


def test_tasks_in_the_workbench_inbox(citizen, make_published, desk, approver, other_approver):
    item = make_published()
    application = accepted(citizen, item, desk)
    review = tasks_of(application)[1]

    def approval_items(user):
        return [i for i in inbox_for(user).items if i.kind == "services_approval"]

    (entry,) = approval_items(approver)
    assert application.number in entry.title and "审查" in entry.title
    assert timezone.localtime(entry.deadline).date() == review.due_date
    assert entry.link in ("", f"/services/tasks/{review.pk}/")
    assert approval_items(other_approver) == [] and approval_items(citizen) == []
    approval.complete_task(actor=approver, task_id=review.pk)
    assert [i.title for i in approval_items(approver)] != [entry.title]


def test_only_consecutive_steps_of_a_group_run_together():
    def task(position, group=""):
        return ApprovalTask(position=position, name=f"s{position}", parallel_group=group)

    tasks = [task(0), task(1, "p"), task(2, "p"), task(3, "q"), task(4, "p"), task(5)]
    grouped = [[t.position for t in stage] for stage in approval.stages(tasks)]
    assert grouped == [[0], [1, 2], [3], [4], [5]]


def test_completion_clears_the_time_warning(citizen, make_published, desk, approver):
    """A warning is about time left: the completed application keeps its lateness in on_time."""
    item = make_published()
    item.steps.all().delete()
    application = accepted(citizen, item, desk)
    Application.objects.filter(pk=application.pk).update(warning_level=WarningLevel.RED)
    (task,) = tasks_of(application)
    approval.complete_task(actor=approver, task_id=task.pk)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.warning_level == WarningLevel.NONE and application.on_time is True
