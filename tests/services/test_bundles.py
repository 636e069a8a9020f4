"""一件事 bundles: merged form and de-duplicated materials, publishing checks, the fan-out into one
application per item and department (all or nothing), uploads stored once, proofs found
once, and completion tracking from the applications' end events."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from smartgov.core import events
from smartgov.core.audit import verify_chain
from smartgov.core.errors import Conflict, InvalidInput, NotFound, PermissionDeniedError
from smartgov.core.models import AuditRecord
from smartgov.licenses.models import LicenseUse
from smartgov.services import applications as apps
from smartgov.services import bundles, services
from smartgov.services.application_models import Application, ApplicationStatus, SatisfiedBy
from smartgov.services.bundle_models import Bundle, BundleApplication
from smartgov.services.forms import set_form
from tests.services import bundle_helpers as helpers
from tests.services.bundle_helpers import GOOD_FORM, uploads_for
from tests.services.conftest import CITIZEN_ID

sc_publisher = helpers.sc_publisher
item_a = helpers.item_a
item_b = helpers.item_b
manager = helpers.manager
bundle = helpers.bundle
desk_bundle = helpers.desk_bundle

NEEDED_UPLOADS = ("申请书", "营业场所证明", "食品安全管理制度")


def apply(citizen, bundle, **overrides):
    values = {
        "actor": citizen,
        "code": bundle.code,
        "form_data": GOOD_FORM,
        "uploads": uploads_for(bundle, *NEEDED_UPLOADS),
    }
    values.update(overrides)
    return bundles.apply_bundle(**values)


# --- Merged form and materials --------------------------------------------------------------


def test_materials_deduplicated_by_license_type_and_normalised_name(bundle, item_a, item_b):
    entries = bundles.merged_materials(bundle)
    by_name = {e["name"]: e for e in entries}
    assert sorted(by_name) == sorted(["申请书", "营业场所证明", "结婚证", "食品安全管理制度"])
    served = {name: sorted(i["basic_code"] for i in e["items"]) for name, e in by_name.items()}
    assert served == {
        "申请书": ["BA001"],
        "营业场所证明": ["BA001", "BB002"],  # "营业 场所证明（ ）" is the same material
        "结婚证": ["BA001", "BB002"],  # 婚姻证明: the same e-license type
        "食品安全管理制度": ["BB002"],
    }
    assert by_name["结婚证"]["key"] == "license:MARRIAGE"
    assert by_name["结婚证"]["proof_source"] == "e_license"
    assert by_name["营业场所证明"]["proof_source"] == "none"
    assert "found" not in by_name["结婚证"]
    assert len({e["key"] for e in entries}) == 4


def test_found_for_the_holder(bundle, license):
    by_name = {e["name"]: e for e in bundles.merged_materials(bundle, holder_id=CITIZEN_ID)}
    assert by_name["结婚证"]["found"]["identifier"] == license.identifier
    assert by_name["申请书"]["found"] is None
    assert not LicenseUse.objects.exists()  # looking is not using


def test_merged_form_unites_fields_by_name(bundle):
    form = {f["name"]: f for f in bundles.merged_form(bundle)}
    assert list(form) == ["reason", "phone", "shop_name", "open_date"]
    assert form["phone"]["items"] == ["BA001", "BB002"]
    assert form["phone"]["required"] is True  # required by one item: required
    assert form["phone"]["label"] == "联系电话"
    assert form["open_date"]["items"] == []  # the bundle's own field


# --- Bundle lifecycle -----------------------------------------------------------------------


def test_publish_refuses_conflicting_fields_and_lists_them(
    manager, org, make_item, publisher, item_a, item_b
):
    draft = make_item(
        basic_code="BC003",
        implementation_code="IMPL-BC003",
        name="户外招牌设置",
        applicant_kind="citizen",
    )
    set_form(
        actor=publisher,
        item_id=draft.pk,
        fields=[{"name": "phone", "label": "电话", "type": "text"}],
    )
    services.publish_item(actor=publisher, item_id=draft.pk)
    made = bundles.create_bundle(
        actor=manager,
        code="SHOP-SIGN",
        name="开店一件事",
        lead_department_id=org["xihu_bureau"].pk,
        basic_codes=["BA001", "BC003", "NOPE"],
    )
    with pytest.raises(InvalidInput) as err:
        bundles.publish_bundle(actor=manager, bundle_id=made.pk)
    problems = {p["code"]: p for p in err.value.detail["problems"]}
    assert problems["bundle_item_unpublished"]["basic_codes"] == ["NOPE"]
    conflict = problems["form_conflict"]["fields"]
    assert [c["name"] for c in conflict] == ["phone"]
    assert {d["basic_code"]: d["type"] for d in conflict[0]["definitions"]} == {
        "BA001": "phone",
        "BC003": "text",
    }
    made.refresh_from_db()
    assert made.status == "draft"


def test_withdraw_and_edit_then_publish_again(manager, bundle):
    with pytest.raises(Conflict):
        bundles.update_bundle(actor=manager, bundle_id=bundle.pk, name="新名称")
    bundles.withdraw_bundle(actor=manager, bundle_id=bundle.pk, reason="调整事项")
    with pytest.raises(NotFound):
        bundles.bundle_by_code(bundle.code)
    bundles.update_bundle(actor=manager, bundle_id=bundle.pk, name="开办餐馆一件事")
    bundles.publish_bundle(actor=manager, bundle_id=bundle.pk)
    assert bundles.bundle_by_code(bundle.code).name == "开办餐馆一件事"
    actions = list(
        AuditRecord.objects.filter(action__startswith="services.bundle.")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "services.bundle.create",
        "services.bundle.publish",
        "services.bundle.withdraw",
        "services.bundle.update",
        "services.bundle.publish",
    ]


def test_only_bundle_managers_of_the_department(org, officer, desk, item_a, item_b, manager):
    with pytest.raises(PermissionDeniedError):
        bundles.create_bundle(
            actor=officer,
            code="X",
            name="x",
            lead_department_id=org["xihu_bureau"].pk,
            basic_codes=["BA001", "BB002"],
        )
    with pytest.raises(NotFound):  # manager of 西湖区 bureau, lead department elsewhere
        bundles.create_bundle(
            actor=manager,
            code="X",
            name="x",
            lead_department_id=org["shangcheng_bureau"].pk,
            basic_codes=["BA001", "BB002"],
        )
    assert not Bundle.objects.exists()


def test_bad_input(manager, org):
    base = {
        "actor": manager,
        "code": "OK",
        "name": "一件事",
        "lead_department_id": org["xihu_bureau"].pk,
        "basic_codes": ["A", "B"],
    }
    for change, code in (
        ({"code": "不行"}, "bundle_code_invalid"),
        ({"basic_codes": []}, "bundle_items_required"),
        ({"basic_codes": ["A", "A"]}, "bundle_item_duplicate"),
        ({"name": ""}, "name_required"),
        ({"extra_fields": [{"name": "Bad", "label": "x", "type": "text"}]}, "form_field_name"),
    ):
        with pytest.raises(InvalidInput) as err:
            bundles.create_bundle(**{**base, **change})
        assert err.value.code == code
    bundles.create_bundle(**base)
    with pytest.raises(Conflict) as err:
        bundles.create_bundle(**base)
    assert err.value.code == "bundle_code_exists"


# --- Applying -------------------------------------------------------------------------------


def test_apply_fans_out_one_application_per_item_and_department(
    citizen, bundle, item_a, item_b, license, org
):
    bundle_application = apply(citizen, bundle)
    assert bundle_application.number.startswith("YJ" + timezone.localdate().strftime("%Y%m%d"))
    assert len(bundle_application.number) == 15
    assert bundle_application.status == "in_progress"
    assert bundle_application.applicant == citizen
    children = {a.item.basic_code: a for a in bundle_application.applications.all()}
    assert set(children) == {"BA001", "BB002"}
    a, b = children["BA001"], children["BB002"]
    assert a.item.department == org["xihu_bureau"] and b.item.department == org["shangcheng_bureau"]
    assert a.status == b.status == ApplicationStatus.SUBMITTED
    assert a.number != b.number and a.number.startswith("BJ")
    # Each item gets its own part of the merged form.
    assert a.form_data == {"reason": "开办餐饮店", "phone": "13800138000"}
    assert b.form_data == {"phone": "13800138000", "shop_name": "张三面馆"}
    assert bundle_application.form_data["shop_name"] == "张三面馆"
    # The shared upload is stored once and linked to both items.
    place_a = a.materials.get(material__name="营业场所证明")
    place_b = b.materials.get(material__name="营业 场所证明（ ）")
    assert place_a.satisfied_by == place_b.satisfied_by == SatisfiedBy.UPLOAD
    assert place_a.file.name == place_b.file.name
    assert place_b.file.read() == "%PDF-1.4 营业场所证明".encode()
    # The e-license is found once and serves both; each department's use is logged.
    assert a.materials.get(material__name="结婚证").license == license
    assert b.materials.get(material__name="婚姻证明").license == license
    uses = LicenseUse.objects.filter(license=license)
    assert {u.reference for u in uses} == {a.number, b.number}
    assert {u.department for u in uses} == {org["xihu_bureau"], org["shangcheng_bureau"]}
    assert list(a.events.values_list("kind", flat=True)) == ["submit"]
    assert AuditRecord.objects.filter(action="services.bundle_application.submit").count() == 1
    progress = bundles.progress(bundle_application)
    assert progress["total"] == 2 and progress["ended"] == 0
    assert {p["department"] for p in progress["applications"]} == {
        org["xihu_bureau"].name,
        org["shangcheng_bureau"].name,
    }
    assert verify_chain().ok


def stored_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def test_all_or_nothing_lists_every_problem_per_item(citizen, bundle, license):
    before = stored_files()
    with pytest.raises(InvalidInput) as err:
        apply(
            citizen,
            bundle,
            form_data={"reason": "开办餐饮店", "phone": "13800138000"},  # no shop_name
            uploads=uploads_for(bundle, "申请书", "营业场所证明"),  # no 食品安全管理制度
        )
    assert err.value.code == "bundle_application_invalid"
    assert err.value.detail["fields"]["shop_name"]["code"] == "required"
    problems = {p["basic_code"]: p for p in err.value.detail["items"]}
    assert set(problems) == {"BB002"}  # item A alone would have been fine
    detail = problems["BB002"]["detail"]
    assert "shop_name" in detail["fields"]
    assert [m["name"] for m in detail["materials"]] == ["食品安全管理制度"]
    assert detail["materials"][0]["key"] == "name:食品安全管理制度"
    assert not Application.objects.exists()
    assert not BundleApplication.objects.exists()
    assert not LicenseUse.objects.exists()
    assert stored_files() == before  # the uploads written for it are removed again


def test_missing_everything_lists_both_items(citizen, bundle):
    with pytest.raises(InvalidInput) as err:
        apply(citizen, bundle, uploads=None)  # no uploads and no license
    problems = {p["basic_code"]: p for p in err.value.detail["items"]}
    assert set(problems) == {"BA001", "BB002"}
    assert {m["name"] for m in problems["BA001"]["detail"]["materials"]} == {
        "申请书",
        "营业场所证明",
        "结婚证",
    }
    assert not Application.objects.exists()


def test_unknown_upload_key_and_second_application(citizen, bundle, license):
    with pytest.raises(InvalidInput) as err:
        apply(citizen, bundle, uploads=[{"key": "nope", "file_name": "x", "content": b"x"}])
    assert err.value.code == "material_unknown"
    key = helpers.keys_by_name(bundle)["申请书"]
    with pytest.raises(InvalidInput) as err:
        apply(citizen, bundle, uploads=[{"key": key, "file_name": "a.exe", "content": b"MZ.."}])
    assert err.value.code == "upload_type"
    apply(citizen, bundle)
    with pytest.raises(Conflict) as err:
        apply(citizen, bundle)
    assert err.value.code == "duplicate_application"
    assert BundleApplication.objects.count() == 1 and Application.objects.count() == 2


def test_counter_intake_by_front_desk_of_the_lead_department(
    citizen, bundle, license, desk_bundle, other_desk
):
    values = {
        "code": bundle.code,
        "applicant_kind": "citizen",
        "name": "张三",
        "id_value": CITIZEN_ID,
        "form_data": GOOD_FORM,
        "uploads": uploads_for(bundle, *NEEDED_UPLOADS),
    }
    with pytest.raises(NotFound):
        bundles.counter_bundle_intake(actor=other_desk, **values)
    with pytest.raises(InvalidInput):
        bundles.counter_bundle_intake(actor=desk_bundle, **{**values, "id_value": "123"})
    assert not Application.objects.exists()
    made = bundles.counter_bundle_intake(actor=desk_bundle, **values)
    assert made.channel == "counter" and made.recorded_by == desk_bundle
    assert made.applicant == citizen  # the account with this ID
    assert {a.channel for a in made.applications.all()} == {"counter"}
    assert bundles.bundle_application_for(desk_bundle, made.number) == made
    assert bundles.bundle_application_for(citizen, made.number) == made


def test_someone_else_cannot_read_it(citizen, bundle, license, other_desk):
    made = apply(citizen, bundle)
    with pytest.raises(NotFound):
        bundles.bundle_application_for(other_desk, made.number)
    assert list(bundles.my_bundle_applications(citizen)) == [made]


# --- Completion -----------------------------------------------------------------------------


def _end(application, status, actor=None):
    """What approval does when an application ends: the status, then applications.ENDED."""
    application.status = status
    application.completed_at = timezone.now()
    application.save()
    events.publish(apps.ENDED, application=application, actor=actor)


def test_completed_when_all_approved(citizen, bundle, license, desk, other_desk):
    made = apply(citizen, bundle)
    a, b = sorted(made.applications.all(), key=lambda x: x.item.basic_code)
    apps.accept_application(actor=desk, number=a.number)
    apps.accept_application(actor=other_desk, number=b.number)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.payment_status, str(a.fee_total)) == ("unpaid", "20.00")  # item A charges
    assert (b.payment_status, b.fee_total) == ("not_required", 0)  # item B is free
    _end(a, ApplicationStatus.APPROVED)
    made.refresh_from_db()
    assert made.status == "in_progress" and made.completed_at is None
    _end(b, ApplicationStatus.APPROVED)
    made.refresh_from_db()
    assert made.status == "completed" and made.completed_at is not None
    actions = list(
        AuditRecord.objects.filter(object_id=str(made.pk), action__contains="bundle_application")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "services.bundle_application.submit",
        "services.bundle_application.item_ended",
        "services.bundle_application.complete",
    ]
    assert bundles.progress(made)["approved"] == 2


def test_partial_when_one_is_refused(citizen, bundle, license, desk, other_desk):
    made = apply(citizen, bundle)
    a, b = sorted(made.applications.all(), key=lambda x: x.item.basic_code)
    apps.refuse_application(actor=other_desk, number=b.number, reason="经营场所不符合要求")
    made.refresh_from_db()
    assert made.status == "in_progress"
    apps.accept_application(actor=desk, number=a.number)
    _end(a, ApplicationStatus.APPROVED)
    made.refresh_from_db()
    assert made.status == "partial"
    progress = bundles.progress(made)
    assert {p["status"] for p in progress["applications"]} == {"approved", "refused"}
    assert progress["ended"] == 2 and progress["approved"] == 1
