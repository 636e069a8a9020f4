"""Application pages (Django test client): applying online with prefilled answers and e-license
reuse, inline errors, drafts, the receipt, my applications, the application page, the counter,
acceptance (accept / refuse / correction) and resubmission; refusals give 403/404 pages."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from smartgov.services import applications as apps
from smartgov.services import forms, services
from smartgov.services.application_models import Application, ApplicationStatus, SatisfiedBy
from tests.conftest import PASSWORD
from tests.services.conftest import CITIZEN_ID

S = ApplicationStatus

RICH_FORM = [
    {"name": "name", "label": "申请人姓名", "type": "text", "required": True,
     "prefill": "applicant.name"},
    {"name": "id_number", "label": "身份证号", "type": "id_number", "required": True,
     "prefill": "applicant.citizen_id"},
    {"name": "phone", "label": "联系电话", "type": "phone", "required": True,
     "prefill": "applicant.phone"},
    {"name": "reason", "label": "申请事由", "type": "text", "required": True, "min_length": 2},
    {"name": "moving", "label": "是否跨区迁移", "type": "choice",
     "choices": [{"value": "yes", "label": "是"}, {"value": "no", "label": "否"}]},
    {"name": "district", "label": "迁入区", "type": "text", "required": True,
     "show_if": {"field": "moving", "equals": "yes"}},
    {"name": "day", "label": "迁移日期", "type": "date"},
    {"name": "people", "label": "迁移人数", "type": "number", "integer": True, "min": 1},
]  # fmt: skip


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def pdf(name="申请书.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 test", content_type="application/pdf")


@pytest.fixture
def rich_item(make_item, publisher, marriage):
    draft = make_item(
        implementation_code="11330106MB0000001X4000101009000",
        name="户口迁移登记",
        applicant_kind="citizen",
        legal_days=20,
        promised_days=5,
        materials=[
            {"name": "申请书", "material_type": "original"},
            {
                "name": "结婚证",
                "material_type": "original",
                "proof_source": "e_license",
                "license_type_code": "MARRIAGE",
            },
        ],
        steps=[{"name": "受理", "limit_days": 0}, {"name": "审查", "limit_days": 3}],
    )
    forms.set_form(actor=publisher, item_id=draft.pk, fields=RICH_FORM)
    return services.publish_item(actor=publisher, item_id=draft.pk)


def materials_of(item):
    return {m.name: m for m in item.materials.all()}


def good_answers(**overrides):
    data = {
        "name": "张三",
        "id_number": CITIZEN_ID,
        "phone": "13800138000",
        "reason": "投靠配偶",
        "moving": "no",
    }
    data.update(overrides)
    return data


def apply_url(item):
    return reverse("portal:services_apply", args=[item.implementation_code])


# --- Applying online -------------------------------------------------------------------------


def test_guide_has_the_apply_button(client, rich_item):
    html = client.get(
        reverse("portal:services_guide", args=[rich_item.implementation_code])
    ).content.decode()
    assert apply_url(rich_item) in html and "在线申请" in html


def test_apply_page_prefills_and_finds_the_license(client, citizen, rich_item, license):
    login(client, citizen)
    response = client.get(apply_url(rich_item))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="张三"' in html and f'value="{CITIZEN_ID}"' in html
    assert 'value="13800138000"' in html
    assert html.count('data-testid="prefilled"') == 3
    assert "免提交：已调取电子证照 结婚证" in html and license.identifier in html
    application_form = response.context["form"]
    assert list(application_form.material_names) == [materials_of(rich_item)["申请书"].pk]
    assert 'data-show-if="moving"' in html  # the condition is rendered for the page's script


def test_apply_page_without_license_asks_for_the_upload(client, citizen, rich_item):
    login(client, citizen)
    response = client.get(apply_url(rich_item))
    html = response.content.decode()
    assert "免提交" not in html
    assert 'data-testid="material-not-found"' in html
    assert len(response.context["form"].material_names) == 2


def test_submit_with_errors_shows_them_inline_and_keeps_a_draft(client, citizen, rich_item):
    login(client, citizen)
    data = {**good_answers(reason="x", moving="yes", phone="12"), "action": "submit"}
    response = client.post(apply_url(rich_item), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {
        "reason",
        "phone",
        "district",
        f"material-{materials_of(rich_item)['申请书'].pk}",
        f"material-{materials_of(rich_item)['结婚证'].pk}",
    }
    html = response.content.decode()
    assert "回答太短" in html or "太短" in html
    assert "请上传" in html
    draft = Application.objects.get()
    assert draft.status == S.DRAFT and draft.form_data["reason"] == "x"
    assert f'name="draft" value="{draft.number}"' in html


def test_submit_online_then_receipt(client, citizen, rich_item, license):
    login(client, citizen)
    data = {
        **good_answers(),
        f"material-{materials_of(rich_item)['申请书'].pk}": pdf(),
        "action": "submit",
    }
    response = client.post(apply_url(rich_item), data)
    application = Application.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("portal:services_receipt", args=[application.number])
    assert application.status == S.SUBMITTED
    rows = {r.material.name: r for r in application.materials.select_related("material")}
    assert rows["结婚证"].satisfied_by == SatisfiedBy.E_LICENSE
    assert rows["申请书"].file_name == "申请书.pdf"
    html = client.get(response.url).content.decode()
    assert application.number in html and "户口迁移登记" in html
    assert "已使用电子证照" in html and license.identifier in html
    assert "受理后 5 个工作日内办结" in html
    assert "data-sg-print" in html


def test_draft_saved_then_continued_then_submitted(client, citizen, rich_item, license):
    login(client, citizen)
    response = client.post(apply_url(rich_item), {"reason": "投靠", "action": "draft"})
    draft = Application.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"?draft={draft.number}")
    assert draft.status == S.DRAFT
    # Coming back to the item continues the draft.
    again = client.get(apply_url(rich_item))
    assert again.status_code == 302 and again.url.endswith(f"?draft={draft.number}")
    page = client.get(again.url).content.decode()
    assert 'value="投靠"' in page and draft.number in page
    listed = client.get(reverse("portal:services_my_applications")).content.decode()
    assert draft.number in listed and f"?draft={draft.number}" in listed
    response = client.post(
        apply_url(rich_item),
        {
            **good_answers(),
            "draft": draft.number,
            f"material-{materials_of(rich_item)['申请书'].pk}": pdf(),
            "action": "submit",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == S.SUBMITTED and Application.objects.count() == 1


def test_someone_elses_draft_is_not_found(client, citizen, rich_item, org):
    from smartgov.accounts import services as account_services

    draft = apps.save_draft(actor=citizen, item_code=rich_item.implementation_code, form_data={})
    other = account_services.create_citizen(
        actor=None,
        username="lisi",
        real_name="李四",
        citizen_id="110105194912310038",
        password=PASSWORD,
    )
    login(client, other)
    assert client.get(f"{apply_url(rich_item)}?draft={draft.number}").status_code == 404
    page = client.get(reverse("portal:services_application", args=[draft.number]))
    assert page.status_code == 404


def test_staff_cannot_apply_online_and_unknown_item_is_404(client, desk, citizen, rich_item):
    login(client, desk)
    response = client.get(apply_url(rich_item))
    assert response.status_code == 403
    assert "实名" in response.content.decode() or "个人或企业" in response.content.decode()
    client.logout()
    login(client, citizen)
    missing = reverse("portal:services_apply", args=["NOPE"])
    assert client.get(missing).status_code == 404


def test_anonymous_is_sent_to_login(client, rich_item):
    response = client.get(apply_url(rich_item))
    assert response.status_code == 302 and "/login/" in response.url


def test_my_applications_empty_state(client, citizen):
    login(client, citizen)
    html = client.get(reverse("portal:services_my_applications")).content.decode()
    assert 'data-testid="empty-state"' in html and "尚无申请" in html


# --- Following an application, acceptance and correction -------------------------------------


@pytest.fixture
def submitted(citizen, rich_item, license):
    return apps.submit_application(
        actor=citizen,
        item_code=rich_item.implementation_code,
        form_data=good_answers(),
        uploads={materials_of(rich_item)["申请书"].pk: pdf()},
    )


def test_application_page_for_the_applicant(client, citizen, submitted, license):
    login(client, citizen)
    response = client.get(reverse("portal:services_application", args=[submitted.number]))
    assert response.status_code == 200
    html = response.content.decode()
    assert submitted.number in html and 'data-testid="application-status"' in html
    assert html.count('data-testid="timeline-event"') == 1
    assert "已使用电子证照" in html
    assert reverse("portal:licenses_detail", args=[license.identifier]) in html
    assert "受理后 5 个工作日" in html
    assert 'data-testid="withdraw"' in html and "data-sg-confirm" in html
    assert "投靠配偶" in html  # the answers, with their labels
    file_row = submitted.materials.exclude(file="").get()
    download = client.get(reverse("portal:services_material_file", args=[file_row.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")


def test_apply_page_points_to_the_open_application(client, citizen, submitted, rich_item):
    login(client, citizen)
    html = client.get(apply_url(rich_item)).content.decode()
    assert 'data-testid="ongoing"' in html and submitted.number in html


def test_acceptance_queue_and_accept(client, desk, submitted):
    login(client, desk)
    queue = client.get(reverse("portal:services_acceptance"))
    assert queue.status_code == 200
    assert submitted.number in queue.content.decode()
    page = client.get(reverse("portal:services_staff_application", args=[submitted.number]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="form-accept"' in html and 'data-testid="form-refuse"' in html
    assert html.count("data-sg-confirm") >= 3
    assert "申请书" in html and "结婚证" in html  # the correction checklist names the materials
    url = reverse("portal:services_staff_action", args=[submitted.number, "accept"])
    response = client.post(url, {"accept-comment": "材料齐全"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == S.ACCEPTED and submitted.due_date is not None
    html = client.get(response.url).content.decode()
    assert 'data-testid="form-accept"' not in html and "材料齐全" in html


def test_refuse_needs_a_reason_shown_inline(client, desk, submitted):
    login(client, desk)
    url = reverse("portal:services_staff_action", args=[submitted.number, "refuse"])
    response = client.post(url, {"refuse-reason": ""})
    assert response.status_code == 400
    assert response.context["forms"]["refuse"].errors["reason"]
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED
    response = client.post(url, {"refuse-reason": "不属于本部门受理范围"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == S.REFUSED


def test_correction_then_resubmission(client, citizen, desk, submitted, rich_item):
    login(client, desk)
    url = reverse("portal:services_staff_action", args=[submitted.number, "correct"])
    empty = client.post(url, {"correct-comment": "请补正"})
    assert empty.status_code == 400 and empty.context["forms"]["correct"].non_field_errors()
    application_form = materials_of(rich_item)["申请书"]
    response = client.post(
        url,
        {
            "correct-materials": [application_form.pk],
            "correct-other": "申请书需本人签字\n补充户口簿首页",
        },
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == S.CORRECTION_REQUESTED
    assert [c["description"] for c in submitted.correction_items] == [
        "申请书",
        "申请书需本人签字",
        "补充户口簿首页",
    ]
    client.logout()
    login(client, citizen)
    page = client.get(reverse("portal:services_application", args=[submitted.number]))
    html = page.content.decode()
    assert 'data-testid="resubmit-form"' in html and "补充户口簿首页" in html
    resubmit = reverse("portal:services_resubmit", args=[submitted.number])
    bad = client.post(resubmit, {**{f"resubmit-{k}": v for k, v in good_answers().items()},
                                 "resubmit-reason": "x"})  # fmt: skip
    assert bad.status_code == 400 and bad.context["resubmit_form"].errors["reason"]
    data = {f"resubmit-{k}": v for k, v in good_answers().items()}
    data[f"resubmit-material-{application_form.pk}"] = pdf("签字申请书.pdf")
    response = client.post(resubmit, data)
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == S.RESUBMITTED
    assert submitted.materials.get(material=application_form).file_name == "签字申请书.pdf"


def test_staff_pages_refuse_others(client, citizen, other_desk, desk, submitted):
    login(client, citizen)
    assert client.get(reverse("portal:services_acceptance")).status_code == 403
    assert client.get(reverse("portal:services_counter")).status_code == 403
    staff_page = reverse("portal:services_staff_application", args=[submitted.number])
    assert client.get(staff_page).status_code == 404
    client.logout()
    login(client, other_desk)  # another department's front desk
    assert client.get(staff_page).status_code == 404
    assert (
        submitted.number not in client.get(reverse("portal:services_acceptance")).content.decode()
    )
    url = reverse("portal:services_staff_action", args=[submitted.number, "accept"])
    assert client.post(url, {}).status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED
    page = reverse("portal:services_application", args=[submitted.number])
    assert client.get(page).status_code == 302  # staff are sent to their page
    client.logout()
    login(client, desk)
    assert (
        client.post(
            reverse("portal:services_staff_action", args=[submitted.number, "nope"]), {}
        ).status_code
        == 404
    )


# --- The counter -------------------------------------------------------------------------------


def test_counter_intake_path(client, desk, citizen, rich_item, license):
    login(client, desk)
    listing = client.get(reverse("portal:services_counter"))
    assert listing.status_code == 200 and "户口迁移登记" in listing.content.decode()
    url = f"{reverse('portal:services_counter')}?item={rich_item.implementation_code}"
    form_page = client.get(url)
    assert form_page.status_code == 200
    assert len(form_page.context["form"].material_names) == 2  # the desk scans what is brought
    data = {
        "item": rich_item.implementation_code,
        "applicant_type": "citizen",
        "applicant_name": "张三",
        "applicant_id": "110105194912310021",  # wrong check digit
        **{f"f-{k}": v for k, v in good_answers().items()},
        f"f-material-{materials_of(rich_item)['申请书'].pk}": pdf(),
    }
    bad = client.post(reverse("portal:services_counter"), data)
    assert bad.status_code == 400 and bad.context["applicant_form"].errors["applicant_id"]
    assert not Application.objects.exists()
    data["applicant_id"] = CITIZEN_ID
    data[f"f-material-{materials_of(rich_item)['申请书'].pk}"] = pdf()
    response = client.post(reverse("portal:services_counter"), data)
    application = Application.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("portal:services_receipt", args=[application.number])
    assert application.channel == "counter" and application.applicant == citizen
    assert application.recorded_by == desk
    rows = {
        r.material.name: r.satisfied_by for r in application.materials.select_related("material")
    }
    assert rows == {"申请书": SatisfiedBy.UPLOAD, "结婚证": SatisfiedBy.E_LICENSE}
    receipt = client.get(response.url).content.decode()
    assert application.number in receipt and "窗口" in receipt


def test_counter_unknown_item_is_404(client, desk):
    login(client, desk)
    assert client.get(f"{reverse('portal:services_counter')}?item=NOPE").status_code == 404
    html = client.get(reverse("portal:services_counter")).content.decode()
    assert 'data-testid="empty-state"' in html


def test_acceptance_empty_state(client, desk):
    login(client, desk)
    html = client.get(reverse("portal:services_acceptance")).content.decode()
    assert 'data-testid="empty-state"' in html and "暂无待受理的办件" in html


def test_navigation_entries(client, citizen, desk):
    login(client, citizen)
    html = client.get(reverse("portal:services_hall")).content.decode()
    assert "我的办件" in html and "一件事" in html and "前台受理" not in html
    client.logout()
    login(client, desk)
    html = client.get(reverse("portal:services_hall")).content.decode()
    assert "前台受理" in html and ">受理<" in html and "我的办件" not in html


def test_enterprise_apply_page_prefills_company_data(client, make_item, publisher, org):
    from smartgov.accounts import services as account_services

    enterprise = account_services.create_enterprise(
        actor=None,
        username="shop",
        name="杭州小店有限公司",
        credit_code="91330106MA27XL0G5J",
        legal_representative="张三",
        password=PASSWORD,
        phone="13900001111",
    )
    draft = make_item(applicant_kind="enterprise")
    forms.set_form(
        actor=publisher,
        item_id=draft.pk,
        fields=[
            {"name": "company", "label": "企业名称", "type": "text", "prefill": "enterprise.name"},
            {
                "name": "code",
                "label": "统一社会信用代码",
                "type": "text",
                "prefill": "enterprise.credit_code",
            },
            {"name": "legal", "label": "法定代表人", "type": "text", "prefill": "applicant.name"},
            {"name": "size", "label": "规模", "type": "choice", "multiple": True,
             "choices": ["小微", "中型", "大型"]},
        ],
    )  # fmt: skip
    item = services.publish_item(actor=publisher, item_id=draft.pk)
    login(client, enterprise)
    html = client.get(apply_url(item)).content.decode()
    assert 'value="杭州小店有限公司"' in html and 'value="91330106MA27XL0G5J"' in html
    assert 'name="legal" value="张三"' in html
    assert html.count('type="checkbox" class="form-check-input" name="size"') == 3


def test_an_html_upload_is_refused_on_its_material(client, citizen, rich_item, license):
    login(client, citizen)
    evil = SimpleUploadedFile("申请书.html", b"<script>alert(1)</script>", content_type="text/html")
    material = materials_of(rich_item)["申请书"]
    data = {**good_answers(), f"material-{material.pk}": evil, "action": "submit"}
    response = client.post(apply_url(rich_item), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [f"material-{material.pk}"]
    assert "PDF" in errors[f"material-{material.pk}"][0]
    assert not Application.objects.filter(status=S.SUBMITTED).exists()
    assert not Application.objects.exists() or not Application.objects.get().materials.exists()


def test_files_other_than_pdf_and_images_are_only_downloaded(client, citizen, submitted):
    from smartgov.portal.views.services_common import _serve

    row = submitted.materials.exclude(file="").get()
    response = _serve(row.file, "说明.html")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert "sandbox" in response["Content-Security-Policy"]
    login(client, citizen)
    pdf_response = client.get(reverse("portal:services_material_file", args=[row.pk]))
    assert pdf_response["Content-Type"] == "application/pdf"
