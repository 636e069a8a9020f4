"""Approval, supervision, fee and 一件事 pages (Django test client): my tasks, the task page
(claim, opinion with attachments, approve / deny, time requests), supervision (warnings,
decisions), withdrawal and payment on the application page, bundles; the refusals."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from smartgov.services import applications as apps
from smartgov.services.application_models import ApplicationStatus, WarningLevel
from smartgov.services.workflow_models import (
    ApprovalTask,
    EventAttachment,
    TaskStatus,
    TimeRequest,
    TimeRequestStatus,
)
from tests.conftest import PASSWORD
from tests.services.approval_fixtures import *  # noqa: F403 (fixtures)
from tests.services.approval_fixtures import PDF, accepted, tasks_of

S = ApplicationStatus


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def task_url(task, action=""):
    if action:
        return reverse("portal:services_task_action", args=[task.pk, action])
    return reverse("portal:services_task", args=[task.pk])


@pytest.fixture
def in_approval(citizen, make_published, desk):
    return accepted(citizen, make_published(), desk)


def active_task(application) -> ApprovalTask:
    return application.tasks.filter(status=TaskStatus.ACTIVE).order_by("position").first()


# --- Tasks -----------------------------------------------------------------------------------


def test_my_tasks_and_the_task_page(client, approver, in_approval):
    login(client, approver)
    listing = client.get(reverse("portal:services_tasks"))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert in_approval.number in html and "未签收" in html
    task = active_task(in_approval)
    page = client.get(task_url(task))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="claim"' in html and 'data-testid="form-decide"' not in html
    assert html.count('data-testid="task-step"') == 3


def test_claim_then_approve_with_an_attachment_then_deny(client, approver, in_approval):
    login(client, approver)
    task = active_task(in_approval)
    assert client.post(task_url(task, "claim")).status_code == 302
    page = client.get(task_url(task)).content.decode()
    assert 'data-testid="form-decide"' in page and "data-sg-confirm-deny" in page
    opinion = SimpleUploadedFile("审查意见.pdf", PDF, content_type="application/pdf")
    response = client.post(
        task_url(task, "decide"),
        {
            "decide-decision": "approve",
            "decide-comment": "材料真实，同意",
            "decide-attachments": [opinion],
        },
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.decision == "approve"
    attachment = EventAttachment.objects.get()
    assert attachment.name == "审查意见.pdf"
    page = client.get(task_url(task)).content.decode()
    assert reverse("portal:services_event_attachment", args=[attachment.pk]) in page
    download = client.get(reverse("portal:services_event_attachment", args=[attachment.pk]))
    assert download.status_code == 200
    # The next step: a denial needs the reason (inline), then ends the application.
    nxt = active_task(in_approval)
    client.post(task_url(nxt, "claim"))
    bad = client.post(task_url(nxt, "decide"), {"decide-decision": "deny", "decide-comment": ""})
    assert bad.status_code == 400 and bad.context["forms"]["decide"].non_field_errors()
    in_approval.refresh_from_db()
    assert in_approval.status == S.ACCEPTED
    denial = {"decide-decision": "deny", "decide-comment": "不符合条件"}
    assert client.post(task_url(nxt, "decide"), denial).status_code == 302
    in_approval.refresh_from_db()
    assert in_approval.status == S.DENIED


def test_time_request_then_supervisor_decides(client, approver, supervisor, in_approval):
    login(client, approver)
    task = active_task(in_approval)
    client.post(task_url(task, "claim"))
    bad = client.post(task_url(task, "time"), {"time-kind": "extend", "time-days": "0"})
    assert bad.status_code == 400 and bad.context["forms"]["time"].errors
    response = client.post(
        task_url(task, "time"),
        {"time-kind": "extend", "time-days": "2", "time-reason": "需要现场核查"},
    )
    assert response.status_code == 302
    request = TimeRequest.objects.get()
    assert request.status == TimeRequestStatus.PENDING
    client.logout()
    login(client, supervisor)
    page = client.get(reverse("portal:services_supervision"))
    assert page.status_code == 200 and "需要现场核查" in page.content.decode()
    decide = reverse("portal:services_decide_time_request", args=[request.pk])
    assert client.post(decide, {"approve": "1", "comment": "同意"}).status_code == 302
    request.refresh_from_db()
    in_approval.refresh_from_db()
    assert request.status == TimeRequestStatus.APPROVED and in_approval.extended_days == 2


def test_supervision_lists_warnings(client, supervisor, in_approval):
    in_approval.warning_level = WarningLevel.RED
    in_approval.save(update_fields=["warning_level"])
    login(client, supervisor)
    html = client.get(reverse("portal:services_supervision")).content.decode()
    assert 'data-testid="warnings-red"' in html and in_approval.number in html
    staff_page = reverse("portal:services_staff_application", args=[in_approval.number])
    assert staff_page in html
    assert client.get(staff_page).status_code == 200


def test_task_pages_refuse_others(client, citizen, other_approver, desk, in_approval):
    task = active_task(in_approval)
    login(client, citizen)
    assert client.get(reverse("portal:services_tasks")).status_code == 403
    assert client.get(reverse("portal:services_supervision")).status_code == 403
    client.logout()
    login(client, other_approver)  # another department
    assert client.get(task_url(task)).status_code == 404
    assert client.post(task_url(task, "claim")).status_code == 404
    task.refresh_from_db()
    assert task.assignee is None
    client.logout()
    login(client, desk)
    assert client.get(reverse("portal:services_tasks")).status_code == 403


def test_my_tasks_empty_state(client, approver):
    login(client, approver)
    html = client.get(reverse("portal:services_tasks")).content.decode()
    assert 'data-testid="empty-state"' in html and "暂无审批任务" in html


# --- The applicant: withdrawal, payment, result -------------------------------------------------


def test_withdraw_from_the_application_page(client, citizen, in_approval):
    login(client, citizen)
    url = reverse("portal:services_withdraw", args=[in_approval.number])
    assert client.post(url, {"reason": "不再需要"}).status_code == 302
    in_approval.refresh_from_db()
    assert in_approval.status == S.WITHDRAWN
    html = client.get(
        reverse("portal:services_application", args=[in_approval.number])
    ).content.decode()
    assert 'data-testid="withdraw"' not in html and 'data-testid="rate-link"' not in html


def test_fees_and_pay_button(client, citizen, make_published, desk):
    item = make_published(is_free=False, fees=[{"name": "工本费", "amount": "20.00"}])
    application = accepted(citizen, item, desk)
    assert application.payment_status == "unpaid"
    login(client, citizen)
    html = client.get(
        reverse("portal:services_application", args=[application.number])
    ).content.decode()
    assert "工本费" in html and 'data-testid="pay"' in html
    response = client.post(reverse("portal:services_start_payment", args=[application.number]))
    assert response.status_code == 302 and "/pay/" in response.url


def test_result_and_rating_link(client, citizen, approver, in_approval):
    for _ in range(3):
        task = active_task(in_approval)
        if task is None:
            break
        from smartgov.services import approval

        approval.claim_task(actor=approver, task_id=task.pk)
        approval.complete_task(actor=approver, task_id=task.pk, comment="同意")
    in_approval.refresh_from_db()
    assert in_approval.status == S.APPROVED
    login(client, citizen)
    html = client.get(
        reverse("portal:services_application", args=[in_approval.number])
    ).content.decode()
    assert 'data-testid="result"' in html
    assert reverse("portal:services_rate", args=[in_approval.number]) in html
    assert tasks_of(in_approval)[-1].status == TaskStatus.DONE


def test_staff_counter_application_page_links_receipt(client, desk, in_approval):
    login(client, desk)
    html = client.get(
        reverse("portal:services_staff_application", args=[in_approval.number])
    ).content.decode()
    assert 'data-testid="task-steps"' in html and 'data-testid="form-accept"' not in html


def test_draft_is_not_counted_as_open(client, citizen, make_published):
    item = make_published()
    apps.save_draft(actor=citizen, item_code=item.implementation_code, form_data={})
    login(client, citizen)
    html = client.get(reverse("portal:services_my_applications") + "?status=open").content
    assert 'data-testid="application-row"' not in html.decode()


def test_approver_reaches_the_task_from_the_application(client, approver, supervisor, in_approval):
    login(client, approver)
    page = reverse("portal:services_staff_application", args=[in_approval.number])
    html = client.get(page).content.decode()
    assert task_url(active_task(in_approval)) in html and 'data-testid="open-task"' in html
    client.logout()
    login(client, supervisor)
    html = client.get(page).content.decode()
    assert 'data-testid="open-task"' not in html and 'data-testid="no-actions"' in html


def test_last_step_asks_for_the_license_data_the_form_lacks(
    client, citizen, make_published, desk, approver, residence
):
    from smartgov.licenses.models import License

    application = accepted(citizen, make_published(result_license_type="JZZ"), desk)
    login(client, approver)
    first = active_task(application)
    client.post(task_url(first, "claim"))
    assert "id_decide-result_address" not in client.get(task_url(first)).content.decode()
    client.post(task_url(first, "decide"), {"decide-decision": "approve", "decide-comment": "可"})
    last = active_task(application)
    client.post(task_url(last, "claim"))
    html = client.get(task_url(last)).content.decode()
    assert 'id="id_decide-result_address"' in html and "居住地址" in html
    refused = client.post(task_url(last, "decide"), {"decide-decision": "approve"})
    assert refused.status_code == 400  # the license cannot be issued without the address
    application.refresh_from_db()
    assert application.status == S.ACCEPTED
    response = client.post(
        task_url(last, "decide"),
        {"decide-decision": "approve", "decide-result_address": "西湖区文三路100号"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.APPROVED
    assert (
        License.objects.get(pk=application.result_license_id).data["address"] == "西湖区文三路100号"
    )
