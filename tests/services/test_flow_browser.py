"""Browser test of 一网通办 end to end: a citizen on a phone, in large text, applies online for
an item whose result is an e-license, one material met by an e-license the platform finds; the
front desk accepts; the approver claims and approves every step; the e-license appears in the
citizen's wallet, its QR/verify page says it is in force, and the citizen rates the service.
The applicant pages are checked to fit a 390 px screen."""

from __future__ import annotations

import os

import pytest

from smartgov.licenses.models import HolderKind, License, LicenseType
from smartgov.services import forms, services
from smartgov.services.application_models import Application, ApplicationStatus
from smartgov.services.permissions import APPROVER
from tests.conftest import make_staff
from tests.portal.test_browser import log_in, shot
from tests.services import bundle_helpers

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
sync_api = pytest.importorskip("playwright.sync_api")
from tests.portal.test_browser import browser, new_page  # noqa: E402, F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
sc_publisher = bundle_helpers.sc_publisher
item_a = bundle_helpers.item_a
item_b = bundle_helpers.item_b
manager = bundle_helpers.manager
bundle = bundle_helpers.bundle
FORM = [
    {"name": "address", "label": "居住地址", "type": "text", "required": True, "min_length": 4},
    {"name": "phone", "label": "联系电话", "type": "phone", "required": True,
     "prefill": "applicant.phone"},
    {"name": "name", "label": "申请人", "type": "text", "prefill": "applicant.name"},
    {"name": "moving", "label": "是否有随迁子女", "type": "choice",
     "choices": [{"value": "yes", "label": "有"}, {"value": "no", "label": "无"}]},
    {"name": "children", "label": "随迁子女人数", "type": "number", "integer": True,
     "required": True, "show_if": {"field": "moving", "equals": "yes"}},
]  # fmt: skip


@pytest.fixture(autouse=True)
def _live_database(live_db):
    """Every test here runs against committed data (see live_db in tests/conftest.py)."""


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.fixture
def residence_item(make_item, publisher, marriage, org):
    LicenseType.objects.create(
        code="JZZ",
        name="居住证",
        department=org["xihu_bureau"],
        holder_kind=HolderKind.CITIZEN,
        validity_years=1,
        schema={
            "fields": [
                {"name": "address", "label": "居住地址", "type": "string", "required": True},
                {"name": "issued_on", "label": "签发日期", "type": "date", "required": True},
            ]
        },
    )
    draft = make_item(
        implementation_code="11330106MB0000001X4000101007000",
        name="居住证申领",
        applicant_kind="citizen",
        legal_days=15,
        promised_days=5,
        result_name="居住证",
        result_license_type="JZZ",
        materials=[
            {"name": "居住证申领登记表", "material_type": "original"},
            {
                "name": "结婚证",
                "material_type": "original",
                "proof_source": "e_license",
                "license_type_code": "MARRIAGE",
            },
        ],
        steps=[{"name": "审查", "limit_days": 3}, {"name": "决定", "limit_days": 2}],
    )
    forms.set_form(actor=publisher, item_id=draft.pk, fields=FORM)
    return services.publish_item(actor=publisher, item_id=draft.pk)


@pytest.fixture
def approver(org):
    return make_staff("approver", org["xihu_bureau"], APPROVER, "department", name="王审批")


def test_apply_accept_approve_license_verify_rate(
    live_server,
    new_page,  # noqa: F811
    citizen,
    license,
    residence_item,
    desk,
    approver,
    tmp_path,
):
    expect = sync_api.expect
    sync_api.expect.set_options(timeout=10_000)
    form_file = tmp_path / "登记表.pdf"
    form_file.write_bytes(b"%PDF-1.4 residence form")
    material = residence_item.materials.get(name="居住证申领登记表")

    # 1. The citizen, on a phone in large text, opens the guide and applies online.
    phone = new_page(PHONE)
    log_in(phone, live_server, citizen.username)
    phone.click("[data-testid=large-text-toggle]")
    expect(phone.locator("html")).to_have_class("sg-large-text")
    phone.goto(f"{live_server.url}/services/items/{residence_item.implementation_code}/")
    phone.click("[data-testid=apply-online]")
    expect(phone.locator("[data-testid=material-found]")).to_contain_text(
        "免提交：已调取电子证照 结婚证"
    )
    expect(phone.locator("#id_phone")).to_have_value("13800138000")
    phone.fill("#id_address", "西湖区文三路100号")
    phone.set_input_files(f"#id_material-{material.pk}", str(form_file))
    assert fits(phone)
    shot(phone, "services-apply-phone")
    phone.click("[data-testid=apply-submit]")
    expect(phone.locator("[data-testid=receipt-number]")).to_be_visible()
    application = Application.objects.get()
    expect(phone.locator("[data-testid=receipt-number]")).to_have_text(application.number)
    expect(phone.locator("[data-testid=provided-license]")).to_have_count(1)
    assert fits(phone)
    shot(phone, "services-receipt-phone")

    # 2. The front desk finds it in the acceptance queue and accepts it (after confirming).
    staff = new_page()
    log_in(staff, live_server, desk.username)
    staff.click("#sg-nav .nav-link-title:text-is('受理')")
    expect(staff.locator("[data-testid=acceptance-row]")).to_have_count(1)
    shot(staff, "services-acceptance-desktop")
    staff.click("[data-testid=application-link]")
    expect(staff.locator("[data-testid=provided-license]")).to_have_count(1)
    staff.fill("#id_accept-comment", "材料齐全，予以受理")
    staff.once("dialog", lambda dialog: dialog.accept())
    staff.click("[data-testid=submit-accept]")
    expect(staff.locator("[data-testid=messages]")).to_contain_text("已受理")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED
    shot(staff, "services-staff-application-desktop")

    # 3. The approver claims and approves each step from 我的审批.
    officer = new_page()
    log_in(officer, live_server, approver.username)
    officer.click("#sg-nav >> text=我的审批")
    for _step in range(4):
        rows = officer.locator("[data-testid=task-row]")
        if rows.count() == 0:
            break
        rows.first.click()
        officer.click("[data-testid=claim]")
        expect(officer.locator("[data-testid=messages]")).to_contain_text("已签收")
        officer.fill("#id_decide-comment", "符合条件，同意")
        shot(officer, "services-task-desktop")
        officer.click("[data-testid=submit-decide]")
        expect(officer.locator("[data-testid=messages]")).to_be_visible()
        officer.goto(f"{live_server.url}/services/tasks/")
    expect(officer.locator("[data-testid=empty-state]")).to_be_visible()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    issued = License.objects.get(license_type__code="JZZ")
    assert application.result_license == issued and issued.data["address"] == "西湖区文三路100号"

    # 4. The citizen sees the result, opens the e-license in the wallet and verifies it.
    phone.goto(f"{live_server.url}/services/applications/{application.number}/")
    expect(phone.locator("[data-testid=result-license]")).to_be_visible()
    assert fits(phone)
    shot(phone, "services-application-done-phone")
    phone.click("[data-testid=result-license]")
    expect(phone.locator("[data-testid=license-identifier]")).to_have_text(issued.identifier)
    expect(phone.locator("[data-testid=license-qr] svg")).to_be_visible()
    phone.goto(f"{live_server.url}/licenses/")
    expect(phone.locator("[data-testid=license-card]")).to_have_count(2)  # 结婚证 and 居住证
    phone.click("[data-testid=license-card] >> text=居住证")
    phone.click("[data-testid=verify-self]")
    expect(phone.locator("[data-testid=verify-verdict]")).to_have_class("text-green mb-2")
    shot(phone, "services-license-verified-phone")

    # 5. The citizen rates the service.
    phone.goto(f"{live_server.url}/services/applications/{application.number}/")
    phone.click("[data-testid=rate-link]")
    phone.click("label[for=sg-level-5]")
    phone.fill("[data-testid=rating-comment]", "全程网上办，没跑一次")
    phone.click("[data-testid=rating-submit]")
    expect(phone.locator("[data-testid=rating-given]")).to_be_visible()
    application.refresh_from_db()
    assert application.rating.level == 5
    phone.goto(f"{live_server.url}/services/applications/")
    expect(phone.locator("[data-testid=application-row]")).to_have_count(1)
    assert fits(phone)
    shot(phone, "services-my-applications-phone")


def test_phone_errors_correction_and_resubmission(
    live_server,
    new_page,  # noqa: F811
    citizen,
    residence_item,
    desk,
    tmp_path,
):
    """Without the e-license the citizen must upload it; a first try shows every problem
    inline; the desk asks for a correction (一次性告知); the citizen resubmits on the phone."""
    expect = sync_api.expect
    sync_api.expect.set_options(timeout=10_000)
    scan = tmp_path / "结婚证.pdf"
    scan.write_bytes(b"%PDF-1.4 marriage")
    materials = {m.name: m for m in residence_item.materials.all()}

    phone = new_page(PHONE)
    log_in(phone, live_server, citizen.username)
    phone.click("[data-testid=large-text-toggle]")
    phone.goto(f"{live_server.url}/services/items/{residence_item.implementation_code}/apply/")
    expect(phone.locator("[data-testid=material-not-found]")).to_have_count(1)
    children = phone.locator("[data-testid=apply-field][data-name=children]")
    expect(children).to_be_hidden()  # shown only with 随迁子女
    phone.check("#id_moving_0")
    expect(children).to_be_visible()
    phone.check("#id_moving_1")
    expect(children).to_be_hidden()
    phone.fill("#id_address", "西湖")
    phone.click("[data-testid=apply-submit]")
    expect(phone.locator("[data-testid=form-error]")).to_contain_text("已保存为草稿")
    expect(phone.locator("[data-testid=field-error]")).to_have_count(1)
    expect(phone.locator("[data-testid=material-error]")).to_have_count(2)
    assert fits(phone)
    shot(phone, "services-apply-errors-phone")
    phone.fill("#id_address", "西湖区文三路100号")
    phone.set_input_files(f"#id_material-{materials['结婚证'].pk}", str(scan))
    phone.set_input_files(f"#id_material-{materials['居住证申领登记表'].pk}", str(scan))
    phone.click("[data-testid=apply-submit]")
    expect(phone.locator("[data-testid=receipt-number]")).to_be_visible()
    application = Application.objects.get()

    staff = new_page()
    log_in(staff, live_server, desk.username)
    staff.goto(f"{live_server.url}/services/work/applications/{application.number}/")
    staff.click("[data-testid=open-correct]")
    expect(staff.locator("#id_correct-other")).to_be_visible()
    staff.wait_for_timeout(400)  # the accordion finishes opening
    staff.check(f"input[name=correct-materials][value='{materials['结婚证'].pk}']")
    staff.fill("#id_correct-other", "登记表需本人签字")
    staff.once("dialog", lambda dialog: dialog.accept())
    staff.click("[data-testid=submit-correct]")
    staff.wait_for_load_state()
    expect(staff.locator("[data-testid=messages]")).to_contain_text("一次性告知", timeout=15_000)
    shot(staff, "services-correction-sent-desktop")

    phone.goto(f"{live_server.url}/services/applications/")
    expect(phone.locator("[data-testid=application-row]")).to_contain_text("请补正后重新提交")
    phone.click("[data-testid=application-row]")
    expect(phone.locator("[data-testid=correction-items] li")).to_have_count(2)
    phone.set_input_files(f"#id_resubmit-material-{materials['结婚证'].pk}", str(scan))
    assert fits(phone)
    shot(phone, "services-correction-phone")
    phone.click("[data-testid=resubmit]")
    expect(phone.locator("[data-testid=messages]")).to_contain_text("补正材料已提交")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.RESUBMITTED
    assert fits(phone)
    shot(phone, "services-application-phone")


def test_bundle_on_a_phone(
    live_server,
    new_page,  # noqa: F811
    citizen,
    license,
    bundle,
    tmp_path,
):
    """一件事 on a phone in large text: the list, the bundle, one merged form with the marriage
    e-license found once for both items, the progress of the two applications."""
    from smartgov.services.bundle_models import BundleApplication

    expect = sync_api.expect
    sync_api.expect.set_options(timeout=10_000)
    scan = tmp_path / "材料.pdf"
    scan.write_bytes(b"%PDF-1.4 bundle")
    phone = new_page(PHONE)
    log_in(phone, live_server, citizen.username)
    phone.click("[data-testid=large-text-toggle]")
    phone.click("[data-bs-target='#sg-nav']")
    phone.click("#sg-nav >> text=办事大厅")
    phone.click("[data-testid=hall-bundles]")  # 一件事 is reached from the service hall
    phone.click("[data-testid=bundle-card]")
    expect(phone.locator("[data-testid=bundle-item]")).to_have_count(2)
    assert fits(phone)
    shot(phone, "services-bundle-phone")
    phone.click("[data-testid=bundle-apply]")
    expect(phone.locator("[data-testid=material-found]")).to_have_count(1)
    phone.fill("#id_reason", "开办餐饮店")
    phone.fill("#id_phone", "13800138000")
    phone.fill("#id_shop_name", "张三面馆")
    for file_input in phone.locator("input[type=file]").all():
        file_input.set_input_files(str(scan))
    assert fits(phone)
    shot(phone, "services-bundle-apply-phone")
    phone.click("[data-testid=bundle-submit]")
    expect(phone.locator("[data-testid=bundle-part]")).to_have_count(2)
    applied = BundleApplication.objects.get()
    expect(phone.locator("[data-testid=bundle-number]")).to_have_text(applied.number)
    assert fits(phone)
    shot(phone, "services-bundle-progress-phone")


def test_extension_requested_and_approved_by_the_supervisor(
    live_server,
    new_page,  # noqa: F811
    citizen,
    license,
    residence_item,
    desk,
    approver,
    org,
):
    """The approver asks for two more working days from the task page; the supervisor sees
    the request (and the red warning) on 督办 and approves it; the due date moves."""
    from smartgov.services import applications as apps
    from smartgov.services.application_models import WarningLevel
    from smartgov.services.permissions import SERVICE_SUPERVISOR

    expect = sync_api.expect
    sync_api.expect.set_options(timeout=10_000)
    supervisor = make_staff("supervisor", org["xihu_bureau"], SERVICE_SUPERVISOR, "department")
    material = residence_item.materials.get(name="居住证申领登记表")
    from django.core.files.base import ContentFile

    submitted = apps.submit_application(
        actor=citizen,
        item_code=residence_item.implementation_code,
        form_data={"address": "西湖区文三路100号", "phone": "13800138000"},
        uploads={material.pk: ContentFile(b"%PDF-1.4 form", name="登记表.pdf")},
    )
    application = apps.accept_application(actor=desk, number=submitted.number)
    due = application.due_date

    officer = new_page()
    log_in(officer, live_server, approver.username)
    officer.goto(f"{live_server.url}/services/tasks/")
    officer.click("[data-testid=task-row]")
    officer.click("[data-testid=claim]")
    officer.click("[data-testid=open-time]")
    expect(officer.locator("#id_time-days")).to_be_visible()
    officer.wait_for_timeout(400)
    officer.fill("#id_time-days", "2")
    officer.fill("#id_time-reason", "需要到现场核实居住情况")
    officer.click("[data-testid=submit-time]")
    expect(officer.locator("[data-testid=messages]")).to_contain_text("督办")
    expect(officer.locator("[data-testid=pending-request]")).to_have_count(1)

    Application.objects.filter(pk=application.pk).update(warning_level=WarningLevel.RED)
    boss = new_page()
    log_in(boss, live_server, supervisor.username)
    boss.click("#sg-nav >> text=督办")
    expect(boss.locator("[data-testid=time-request]")).to_contain_text("需要到现场核实居住情况")
    expect(boss.locator("[data-testid=warnings-red] [data-testid=warning-row]")).to_have_count(1)
    shot(boss, "services-supervision-desktop")
    boss.fill("[data-testid=decide-request] input[name=comment]", "同意延期")
    boss.click("[data-testid=approve-request]")
    expect(boss.locator("[data-testid=messages]")).to_contain_text("已记录")
    expect(boss.locator("[data-testid=time-request]")).to_have_count(0)
    application.refresh_from_db()
    assert application.extended_days == 2 and application.due_date > due
