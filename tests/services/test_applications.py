"""Applications: drafts, submission with e-license reuse, counter intake, acceptance, refusal,
correction with the clock stopped, and the bad input around them."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from django.utils import timezone

from smartgov.accounts import services as account_services
from smartgov.core.audit import verify_chain
from smartgov.core.errors import Conflict, InvalidInput, NotFound, PermissionDeniedError
from smartgov.core.models import AuditRecord
from smartgov.core.workcalendar import add_working_days, working_days_between
from smartgov.licenses import services as license_services
from smartgov.licenses.models import HolderKind, LicenseType, LicenseUse
from smartgov.licenses.permissions import LICENSE_OFFICER
from smartgov.services import applications as apps
from smartgov.services import services
from smartgov.services.application_models import (
    Application,
    ApplicationEvent,
    ApplicationStatus,
    SatisfiedBy,
)
from tests.conftest import make_staff
from tests.services.conftest import CITIZEN_ID

GOOD_FORM = {"reason": "办理户口迁移", "phone": "13800138000"}


def upload(material_id, name="申请书.pdf", content=b"%PDF-1.4 test"):
    return {
        "material_id": material_id,
        "file_name": name,
        "content_base64": base64.b64encode(content).decode(),
    }


def materials_of(item):
    return {m.name: m for m in item.materials.all()}


def submit(citizen, item, **overrides):
    values = {
        "actor": citizen,
        "item_code": item.implementation_code,
        "form_data": GOOD_FORM,
        "uploads": [upload(materials_of(item)["申请书"].pk)],
    }
    values.update(overrides)
    return apps.submit_application(**values)


def test_submit_with_license_satisfied_material(citizen, item, license):
    application = submit(citizen, item)
    assert application.number.startswith("BJ" + timezone.localdate().strftime("%Y%m%d"))
    assert len(application.number) == 15
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.item_id == item.pk and application.channel == "online"
    assert application.applicant_id_masked == "110105********002X"
    assert CITIZEN_ID not in application.applicant_id_encrypted
    assert apps.applicant_id(application) == CITIZEN_ID
    rows = {r.material.name: r for r in application.materials.select_related("material")}
    assert rows["结婚证"].satisfied_by == SatisfiedBy.E_LICENSE
    assert rows["结婚证"].license_id == license.pk
    assert rows["结婚证"].license_identifier == license.identifier
    assert not rows["结婚证"].file
    assert rows["申请书"].satisfied_by == SatisfiedBy.UPLOAD
    assert rows["申请书"].file.read() == b"%PDF-1.4 test"
    use = LicenseUse.objects.get(license=license)
    assert use.reference == application.number and use.department == item.department
    receipt = apps.receipt(application)
    assert receipt["number"] == application.number
    assert receipt["item"]["code"] == item.implementation_code
    assert receipt["applicant"]["name"] == "张三"
    how = {m["name"]: m["satisfied_by"] for m in receipt["materials"]}
    assert how == {"申请书": "upload", "结婚证": "e_license", "补充说明": "none"}
    kinds = list(application.events.values_list("kind", "to_status"))
    assert kinds == [("submit", "submitted")]
    assert AuditRecord.objects.filter(action="services.application.submit").count() == 1
    assert verify_chain().ok


def test_missing_materials_listed_at_once_and_nothing_stored(citizen, item):
    with pytest.raises(InvalidInput) as err:
        submit(citizen, item, uploads=None)  # no upload and no license found
    assert err.value.code == "materials_missing"
    names = [m["name"] for m in err.value.detail["materials"]]
    assert names == ["申请书", "结婚证"]
    assert not Application.objects.exists()
    assert not LicenseUse.objects.exists()


def test_invalid_form_all_errors_at_once(citizen, item, license):
    with pytest.raises(InvalidInput) as err:
        submit(citizen, item, form_data={"reason": "x", "phone": "12"})
    assert err.value.code == "form_invalid"
    fields = err.value.detail["fields"]
    assert fields["reason"]["code"] == "too_short" and set(fields) == {"reason", "phone"}
    assert not Application.objects.exists()
    assert not LicenseUse.objects.exists()


def test_draft_then_submit_and_double_submission(citizen, item, license):
    draft = apps.save_draft(actor=citizen, item_code=item.implementation_code, form_data={})
    assert draft.status == ApplicationStatus.DRAFT and draft.number
    apps.save_draft(
        actor=citizen,
        number=draft.number,
        form_data=GOOD_FORM,
        uploads=[upload(materials_of(item)["申请书"].pk)],
    )
    submitted = apps.submit_application(actor=citizen, number=draft.number)
    assert submitted.status == ApplicationStatus.SUBMITTED
    with pytest.raises(Conflict) as err:
        apps.submit_application(actor=citizen, number=draft.number)
    assert err.value.code == "already_submitted"
    with pytest.raises(Conflict) as err:  # a second application while one is open
        submit(citizen, item)
    assert err.value.code == "duplicate_application"
    assert Application.objects.count() == 1
    assert LicenseUse.objects.count() == 1
    assert list(submitted.events.values_list("kind", flat=True)) == ["draft", "submit"]


def test_counter_intake_on_behalf(citizen, item, license, desk):
    application = apps.counter_intake(
        actor=desk,
        item_code=item.implementation_code,
        applicant_type="citizen",
        applicant_name="张三",
        applicant_id=CITIZEN_ID,
        form_data=GOOD_FORM,
        uploads=[upload(materials_of(item)["申请书"].pk)],
    )
    assert application.channel == "counter" and application.recorded_by == desk
    assert application.applicant == citizen  # the account with this ID is linked
    assert application.status == ApplicationStatus.SUBMITTED
    assert apps.my_applications(citizen).get() == application


def test_counter_intake_refused_outside_scope_and_for_citizens(citizen, item, other_desk):
    values = {
        "item_code": item.implementation_code,
        "applicant_type": "citizen",
        "applicant_name": "张三",
        "applicant_id": CITIZEN_ID,
        "form_data": GOOD_FORM,
    }
    with pytest.raises(NotFound):
        apps.counter_intake(actor=other_desk, **values)
    with pytest.raises(PermissionDeniedError):
        apps.counter_intake(actor=citizen, **values)
    assert not Application.objects.exists()


def test_counter_intake_bad_id(item, desk):
    with pytest.raises(InvalidInput) as err:
        apps.counter_intake(
            actor=desk,
            item_code=item.implementation_code,
            applicant_type="citizen",
            applicant_name="张三",
            applicant_id="110105194912310021",
            form_data=GOOD_FORM,
        )
    assert err.value.code.startswith("citizen_id")
    assert not Application.objects.exists()


def test_accept_starts_the_clock(citizen, item, license, desk):
    application = submit(citizen, item)
    accepted = apps.accept_application(actor=desk, number=application.number)
    assert accepted.status == ApplicationStatus.ACCEPTED
    assert accepted.due_date == add_working_days(timezone.localdate(accepted.accepted_at), 5)
    # The approval's first step starts with the acceptance (approval.start_approval).
    assert list(accepted.events.values_list("kind", flat=True)) == [
        "submit",
        "accept",
        "step_started",
    ]


def test_wrong_department_refused_and_nothing_changed(citizen, item, license, other_desk):
    application = submit(citizen, item)
    for call, extra in (
        (apps.accept_application, {}),
        (apps.refuse_application, {"reason": "不符合条件"}),
        (apps.request_correction, {"items": ["缺少材料"]}),
    ):
        with pytest.raises(NotFound) as err:
            call(actor=other_desk, number=application.number, **extra)
        assert err.value.code == "application_not_found"
    with pytest.raises(PermissionDeniedError):
        apps.accept_application(actor=citizen, number=application.number)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED and application.due_date is None
    assert ApplicationEvent.objects.filter(application=application).count() == 1


def test_transition_not_allowed(citizen, item, license, desk):
    application = submit(citizen, item)
    apps.refuse_application(actor=desk, number=application.number, reason="不属于本部门受理范围")
    with pytest.raises(Conflict) as err:
        apps.accept_application(actor=desk, number=application.number)
    assert err.value.code == "transition_not_allowed"
    with pytest.raises(Conflict):
        apps.resubmit_application(actor=citizen, number=application.number)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REFUSED
    assert application.refusal_reason == "不属于本部门受理范围"
    assert list(application.events.values_list("kind", flat=True)) == ["submit", "refuse"]


def test_refuse_needs_reason(citizen, item, license, desk):
    application = submit(citizen, item)
    with pytest.raises(InvalidInput) as err:
        apps.refuse_application(actor=desk, number=application.number, reason="  ")
    assert err.value.code == "reason_required"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_correction_before_acceptance(citizen, item, license, desk):
    application = submit(citizen, item)
    with pytest.raises(InvalidInput):
        apps.request_correction(actor=desk, number=application.number, items=[])
    apps.request_correction(
        actor=desk,
        number=application.number,
        items=["申请书缺少签名", {"description": "补充说明", "material_id": None}],
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CORRECTION_REQUESTED
    assert [i["description"] for i in application.correction_items] == [
        "申请书缺少签名",
        "补充说明",
    ]
    again = apps.resubmit_application(
        actor=citizen,
        number=application.number,
        uploads=[upload(materials_of(item)["申请书"].pk, content=b"%PDF-1.4 signed")],
    )
    assert again.status == ApplicationStatus.RESUBMITTED and again.due_date is None
    accepted = apps.accept_application(actor=desk, number=application.number)
    assert accepted.status == ApplicationStatus.ACCEPTED


def test_correction_after_acceptance_pauses_the_clock(citizen, item, license, desk):
    application = submit(citizen, item)
    accepted = apps.accept_application(actor=desk, number=application.number)
    due = accepted.due_date
    apps.request_correction(actor=desk, number=application.number, items=["补充说明"])
    paused_at = timezone.now() - timedelta(days=14)
    Application.objects.filter(pk=application.pk).update(paused_at=paused_at)
    expected = working_days_between(paused_at, timezone.now())
    assert expected > 0
    resumed = apps.resubmit_application(actor=citizen, number=application.number)
    assert resumed.status == ApplicationStatus.ACCEPTED
    assert resumed.paused_days == expected and resumed.paused_at is None
    assert resumed.due_date == add_working_days(due, expected) and resumed.due_date > due
    events = list(resumed.events.values_list("kind", "to_status"))
    assert events[-2:] == [("request_correction", "correction_requested"), ("resubmit", "accepted")]


def test_only_the_applicant_resubmits(citizen, item, license, desk):
    application = submit(citizen, item)
    apps.request_correction(actor=desk, number=application.number, items=["补充说明"])
    with pytest.raises(NotFound):
        apps.resubmit_application(actor=desk, number=application.number)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CORRECTION_REQUESTED


def test_staff_cannot_apply_online_and_unknown_item(item, desk, citizen):
    with pytest.raises(PermissionDeniedError) as err:
        submit(desk, item)
    assert err.value.code == "applicant_only"
    with pytest.raises(NotFound):
        submit(citizen, item, item_code="nope")
    assert not Application.objects.exists()


def test_numbers_are_sequential(citizen, item, license, desk):
    first = submit(citizen, item)
    second = apps.counter_intake(
        actor=desk,
        item_code=item.implementation_code,
        applicant_type="citizen",
        applicant_name="王五",
        applicant_id="110101199003074477",
        form_data=GOOD_FORM,
        uploads=[
            upload(materials_of(item)["申请书"].pk),
            upload(materials_of(item)["结婚证"].pk, name="结婚证.jpg"),
        ],
    )
    assert int(second.number[-5:]) == int(first.number[-5:]) + 1
    assert second.applicant is None


def test_counter_application_resubmitted_by_front_desk(item, license, desk, other_desk):
    application = apps.counter_intake(
        actor=desk,
        item_code=item.implementation_code,
        applicant_type="citizen",
        applicant_name="王五",
        applicant_id="110101199003074477",
        form_data=GOOD_FORM,
        uploads=[
            upload(materials_of(item)["申请书"].pk),
            upload(materials_of(item)["结婚证"].pk, name="结婚证.jpg"),
        ],
    )
    apps.request_correction(actor=desk, number=application.number, items=["补充说明"])
    with pytest.raises(NotFound):
        apps.resubmit_application(actor=other_desk, number=application.number)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CORRECTION_REQUESTED
    again = apps.resubmit_application(actor=desk, number=application.number)
    assert again.status == ApplicationStatus.RESUBMITTED


@pytest.fixture
def enterprise(db):
    return account_services.create_enterprise(
        actor=None,
        username="shop",
        name="杭州小店有限公司",
        credit_code="91330106MA27XL0G5J",
        legal_representative="张三",
        password=None,
    )


def test_enterprise_applies_with_its_business_license(org, enterprise, make_item, publisher):
    LicenseType.objects.create(
        code="BIZ",
        name="营业执照",
        department=org["xihu_bureau"],
        holder_kind=HolderKind.ENTERPRISE,
        validity_years=5,
        schema={"fields": []},
    )
    officer = make_staff("biz_officer", org["xihu_bureau"], LICENSE_OFFICER, "department")
    biz = license_services.issue_license(
        actor=officer, license_type="BIZ", holder_id=enterprise.credit_code, holder_name="小店"
    )
    draft = make_item(
        materials=[
            {"name": "营业执照", "proof_source": "e_license", "license_type_code": "BIZ"},
        ]
    )
    item = services.publish_item(actor=publisher, item_id=draft.pk)
    application = apps.submit_application(
        actor=enterprise, item_code=item.implementation_code, form_data={}
    )
    assert application.applicant_type == "enterprise"
    assert application.applicant_credit_code == "91330106MA27XL0G5J"
    assert application.materials.get().license == biz
    assert LicenseUse.objects.get(license=biz).reference == application.number


def test_waiting_applications_in_the_front_desk_inbox(citizen, item, license, desk, other_desk):
    from smartgov.core.workbench import inbox_for

    application = submit(citizen, item)

    def waiting(user):
        return [i.title for i in inbox_for(user).items if i.kind == "services_acceptance"]

    assert len(waiting(desk)) == 1 and application.number in waiting(desk)[0]
    assert waiting(other_desk) == [] and waiting(citizen) == []
    apps.accept_application(actor=desk, number=application.number)
    assert waiting(desk) == []


def test_failed_submission_keeps_the_draft_and_burns_no_number(citizen, item, license):
    draft = apps.save_draft(
        actor=citizen, item_code=item.implementation_code, form_data={"reason": "迁移户口"}
    )
    with pytest.raises(InvalidInput) as err:
        apps.submit_application(actor=citizen, number=draft.number, form_data={"reason": "x"})
    assert err.value.code == "form_invalid"
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT and draft.form_data == {"reason": "迁移户口"}
    assert not LicenseUse.objects.exists()
    with pytest.raises(InvalidInput):
        submit(citizen, item, uploads=None)
    later = submit(citizen, item, item_code=item.implementation_code)
    assert int(later.number[-5:]) == int(draft.number[-5:]) + 1


def test_an_upload_must_be_a_document_by_its_bytes(citizen, item, license):
    """A file named .pdf that is not a PDF, OFD or scan is refused; nothing is stored."""
    with pytest.raises(InvalidInput) as caught:
        apps.submit_application(
            actor=citizen,
            item_code=item.implementation_code,
            form_data=GOOD_FORM,
            uploads=[upload(materials_of(item)["申请书"].pk, content=b"MZ\x90\x00 not a pdf")],
        )
    assert caught.value.code == "upload_type"
    assert caught.value.detail["file_name"] == "申请书.pdf"
    assert not Application.objects.exists()
