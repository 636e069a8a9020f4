"""Catalog pages (数据资源目录): search, detail, register/edit, fields editor, review queue."""

from __future__ import annotations

import pytest

from smartgov.catalog import inbox, services
from smartgov.catalog.models import Resource, ResourceStatus
from smartgov.catalog.permissions import DATA_ADMIN, DATA_OFFICER
from smartgov.core.workcalendar import add_working_days
from tests.catalog.conftest import POPULATION_FIELDS, field, resource_values
from tests.conftest import make_staff


@pytest.fixture
def officer(org):
    return make_staff("xihu_officer", org["xihu_bureau"], DATA_OFFICER, "department", name="王芳")


@pytest.fixture
def other_officer(org):
    return make_staff("shangcheng_officer", org["shangcheng_bureau"], DATA_OFFICER, "department")


@pytest.fixture
def data_admin(org):
    return make_staff("data_admin", org["data_bureau"], DATA_ADMIN, "city", name="郑华")


@pytest.fixture
def make_resource(org):
    def make(actor, provider=None, **overrides):
        return services.create_resource(
            actor=actor, **resource_values(provider or org["xihu_bureau"], **overrides)
        )

    return make


@pytest.fixture
def published(officer, data_admin, make_resource):
    resource = make_resource(
        officer, name="户籍人口基本信息", summary="西湖区户籍人口。", fields=POPULATION_FIELDS
    )
    services.submit_resource(actor=officer, resource_id=resource.pk)
    services.approve_resource(actor=data_admin, resource_id=resource.pk)
    return resource


@pytest.fixture
def draft(officer, make_resource):
    return make_resource(officer, name="个体工商户登记信息")


def _text(response) -> str:
    return response.content.decode()


# --- Search -------------------------------------------------------------------------------


def test_search_page_is_chinese_and_lists_published_resources(as_user, xihu_staff, published):
    response = as_user(xihu_staff).get("/catalog/")
    assert response.status_code == 200
    page = _text(response)
    assert "数据资源目录" in page
    assert "户籍人口基本信息" in page
    assert "无条件共享" in page and "每日" in page
    assert "共 1 条" in page
    assert 'name="status"' not in page  # only catalog staff filter by status


def test_search_finds_by_chinese_word_and_hides_drafts_from_plain_staff(
    as_user, xihu_staff, officer, published, draft
):
    staff = as_user(xihu_staff)
    page = _text(staff.get("/catalog/", {"q": "户籍"}))
    assert "户籍人口基本信息" in page
    assert "个体工商户登记信息" not in page
    assert "个体工商户登记信息" not in _text(staff.get("/catalog/"))
    # The officer sees their own draft and may filter by status.
    mine = _text(as_user(officer).get("/catalog/", {"status": "draft"}))
    assert "个体工商户登记信息" in mine and "户籍人口基本信息" not in mine


def test_search_filters_and_empty_state(as_user, xihu_staff, published):
    staff = as_user(xihu_staff)
    assert "户籍人口基本信息" in _text(staff.get("/catalog/", {"grade": "important"}))
    page = _text(staff.get("/catalog/", {"share_type": "none"}))
    assert "户籍人口基本信息" not in page
    assert 'data-testid="empty-state"' in page and "没有符合条件的数据资源" in page
    assert "没有符合条件" in _text(staff.get("/catalog/", {"q": "不存在的词语组合"}))


def test_search_htmx_gets_only_the_results(as_user, xihu_staff, published):
    response = as_user(xihu_staff).get("/catalog/", {"q": "人口"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = _text(response)
    assert "<html" not in page
    assert 'data-testid="catalog-results"' in page and "户籍人口基本信息" in page


def test_search_refuses_citizens(as_user, citizen, client):
    assert as_user(citizen).get("/catalog/").status_code == 403
    assert client.get("/catalog/").status_code == 302  # to the login page


def test_search_paginates_with_total(as_user, officer, make_resource):
    for number in range(21):
        make_resource(officer, name=f"测试资源{number:02d}")
    page = _text(as_user(officer).get("/catalog/"))
    assert 'data-testid="pagination"' in page and "共 21 条" in page
    assert page.count('data-testid="catalog-result"') == 20


# --- Detail and lifecycle -----------------------------------------------------------------


def test_detail_shows_metadata_fields_grades_and_timeline(as_user, xihu_staff, published):
    response = as_user(xihu_staff).get(f"/catalog/{published.pk}/")
    assert response.status_code == 200
    page = _text(response)
    for text in ("资源代码", "提供部门", "公民身份号码", "重要数据", "bg-orange-lt", "已发布"):
        assert text in page, text
    assert page.count('data-testid="timeline-event"') == 3  # created, submitted, approved
    assert "王芳" in page and "郑华" in page
    # Plain staff get no action buttons.
    assert 'data-testid="resource-actions"' not in page


def test_detail_of_out_of_scope_draft_is_404(as_user, draft, other_officer, xihu_staff):
    assert as_user(other_officer).get(f"/catalog/{draft.pk}/").status_code == 404
    assert as_user(xihu_staff).get(f"/catalog/{draft.pk}/").status_code == 404
    assert as_user(other_officer).get("/catalog/999999/").status_code == 404


def test_officer_sees_edit_and_submit_on_own_draft(as_user, officer, draft):
    page = _text(as_user(officer).get(f"/catalog/{draft.pk}/"))
    assert 'data-testid="resource-edit"' in page and 'data-testid="resource-submit"' in page
    assert 'data-testid="resource-approve"' not in page


def test_submit_without_key_field_is_refused_inline(as_user, officer, make_resource):
    resource = make_resource(officer, fields=[field("name", "名称")])
    response = as_user(officer).post(f"/catalog/{resource.pk}/submit/", {"submit-comment": ""})
    assert response.status_code == 400
    assert "存储数据记录的资源至少需要一个主键信息项" in _text(response)
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.DRAFT


def test_submit_approve_reject_withdraw_flow(as_user, officer, data_admin, draft):
    officer_client, admin_client = as_user(officer), as_user(data_admin)
    response = officer_client.post(f"/catalog/{draft.pk}/submit/", {"submit-comment": "请审核"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == ResourceStatus.SUBMITTED
    # An officer cannot approve; nothing changes.
    assert officer_client.post(f"/catalog/{draft.pk}/approve/", {}).status_code == 403
    draft.refresh_from_db()
    assert draft.status == ResourceStatus.SUBMITTED
    # Returning needs a reason: shown inline, nothing changes.
    response = admin_client.post(f"/catalog/{draft.pk}/reject/", {"reject-reason": " "})
    assert response.status_code == 400
    assert "这个字段是必填项" in _text(response)
    draft.refresh_from_db()
    assert draft.status == ResourceStatus.SUBMITTED
    response = admin_client.post(
        f"/catalog/{draft.pk}/reject/", {"reject-reason": "摘要不完整", "from": "review"}
    )
    assert response.status_code == 302 and response["Location"] == "/catalog/review/"
    draft.refresh_from_db()
    assert draft.status == ResourceStatus.DRAFT
    officer_client.post(f"/catalog/{draft.pk}/submit/", {})
    admin_client.post(f"/catalog/{draft.pk}/approve/", {"approve-comment": "同意"})
    draft.refresh_from_db()
    assert draft.status == ResourceStatus.PUBLISHED
    response = officer_client.post(f"/catalog/{draft.pk}/withdraw/", {"withdraw-reason": ""})
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.status == ResourceStatus.PUBLISHED
    officer_client.post(f"/catalog/{draft.pk}/withdraw/", {"withdraw-reason": "数据源停用"})
    draft.refresh_from_db()
    assert draft.status == ResourceStatus.WITHDRAWN
    timeline = _text(officer_client.get(f"/catalog/{draft.pk}/"))
    assert "摘要不完整" in timeline and "数据源停用" in timeline


def test_transition_on_out_of_scope_resource_is_404(as_user, other_officer, draft):
    assert as_user(other_officer).post(f"/catalog/{draft.pk}/submit/", {}).status_code == 404
    draft.refresh_from_db()
    assert draft.status == ResourceStatus.DRAFT


# --- Register and edit --------------------------------------------------------------------


def _resource_form(provider, **overrides):
    values = {
        "provider_id": provider.pk,
        "code": "301002003/000123",
        "name": "食品经营许可信息",
        "summary": "食品经营许可证的核发与变更。",
        "classification": "department",
        "base_resource": "",
        "format": "table",
        "share_type": "unconditional",
        "share_conditions": "",
        "share_method": "接口",
        "open_type": "closed",
        "update_cycle": "daily",
        "release_date": "",
        "related_codes": "",
    }
    values.update(overrides)
    return values


def test_register_page_roles(as_user, officer, xihu_staff):
    response = as_user(officer).get("/catalog/new/")
    assert response.status_code == 200 and "编目登记" in _text(response)
    assert as_user(xihu_staff).get("/catalog/new/").status_code == 403


def test_register_happy_path_goes_to_fields(as_user, officer, org, published):
    data = _resource_form(org["xihu_bureau"], related_codes=published.code)
    response = as_user(officer).post("/catalog/new/", data)
    assert response.status_code == 302
    resource = Resource.objects.get(code="301002003/000123")
    assert response["Location"] == f"/catalog/{resource.pk}/fields/"
    assert resource.provider == org["xihu_bureau"]
    assert list(resource.related.all()) == [published]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"code": "12345"}, "资源代码"),
        ({"code": "101002003/000123"}, ""),  # class digit does not match the classification
        ({"share_type": "conditional"}, ""),  # conditions required
        ({"related_codes": "399999999/999999"}, "没有这些资源代码"),
        ({"name": ""}, "必填"),
    ],
)
def test_register_bad_input_is_shown_inline_and_creates_nothing(
    as_user, officer, org, overrides, message
):
    response = as_user(officer).post(
        "/catalog/new/", _resource_form(org["xihu_bureau"], **overrides)
    )
    assert response.status_code == 400
    page = _text(response)
    assert "invalid-feedback" in page or 'data-testid="form-error"' in page
    assert message in page
    assert not Resource.objects.filter(name="食品经营许可信息").exists()


def test_register_for_out_of_scope_provider_is_refused(as_user, officer, org):
    response = as_user(officer).post("/catalog/new/", _resource_form(org["shangcheng_bureau"]))
    assert response.status_code == 400
    assert not Resource.objects.exists()


def test_edit_roles_and_save(as_user, officer, other_officer, draft):
    assert as_user(other_officer).get(f"/catalog/{draft.pk}/edit/").status_code == 404
    client = as_user(officer)
    assert client.get(f"/catalog/{draft.pk}/edit/").status_code == 200
    data = _resource_form(draft.provider, code=draft.code, name="个体工商户登记信息（新）")
    response = client.post(f"/catalog/{draft.pk}/edit/", data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.name == "个体工商户登记信息（新）"


def test_edit_of_published_resource_is_refused_inline(as_user, officer, published):
    data = _resource_form(published.provider, code=published.code, name="改名")
    response = as_user(officer).post(f"/catalog/{published.pk}/edit/", data)
    assert response.status_code == 400
    assert "只能修改草稿或已撤回的资源" in _text(response)
    published.refresh_from_db()
    assert published.name == "户籍人口基本信息"


# --- Fields editor ------------------------------------------------------------------------


def _formset(rows, initial=0):
    data = {
        "fields-TOTAL_FORMS": str(len(rows)),
        "fields-INITIAL_FORMS": str(initial),
        "fields-MIN_NUM_FORMS": "0",
        "fields-MAX_NUM_FORMS": "500",
    }
    for index, row in enumerate(rows):
        values = {
            "data_type": "string",
            "personal_kind": "none",
            "grade": "general",
            "masking": "none",
            **row,
        }
        for name, value in values.items():
            if value is True:
                value = "on"
            if value is False:
                continue
            data[f"fields-{index}-{name}"] = value
    return data


def test_fields_editor_roles(as_user, officer, other_officer, xihu_staff, draft):
    response = as_user(officer).get(f"/catalog/{draft.pk}/fields/")
    assert response.status_code == 200 and "添加信息项" in _text(response)
    assert as_user(other_officer).get(f"/catalog/{draft.pk}/fields/").status_code == 404
    assert as_user(xihu_staff).get(f"/catalog/{draft.pk}/fields/").status_code == 403


def test_fields_editor_saves_the_whole_list(as_user, officer, draft):
    rows = [
        {
            "name": "credit_code",
            "label": "统一社会信用代码",
            "data_type": "credit_code",
            "is_key": True,
        },
        {
            "name": "owner",
            "label": "经营者姓名",
            "personal_kind": "name",
            "grade": "important",
            "masking": "name",
        },
        {
            "name": "kind",
            "label": "组成形式",
            "data_type": "enum",
            "enum_values": "个人经营、家庭经营",
        },
        {"name": "gone", "label": "删除的行", "DELETE": True},
    ]
    response = as_user(officer).post(f"/catalog/{draft.pk}/fields/", _formset(rows, initial=1))
    assert response.status_code == 302
    fields = list(draft.fields.order_by("position"))
    assert [f.name for f in fields] == ["credit_code", "owner", "kind"]
    assert fields[0].is_key and fields[0].required
    assert fields[1].grade == "important" and fields[1].masking == "name"
    assert fields[2].enum_values == ["个人经营", "家庭经营"]


@pytest.mark.parametrize(
    "rows",
    [
        [{"name": "ok", "label": "正常"}, {"name": "Bad Name", "label": "错误"}],
        [{"name": "same", "label": "甲"}, {"name": "same", "label": "乙"}],
        [{"name": "kind", "label": "类型", "data_type": "enum", "enum_values": ""}],
        [{"name": "no_label", "label": ""}],
    ],
)
def test_fields_editor_bad_row_is_shown_on_the_row_and_nothing_changes(
    as_user, officer, draft, rows
):
    before = list(draft.fields.values_list("name", flat=True))
    response = as_user(officer).post(f"/catalog/{draft.pk}/fields/", _formset(rows))
    assert response.status_code == 400
    assert 'data-testid="field-row-error"' in _text(response)
    assert list(draft.fields.values_list("name", flat=True)) == before


def test_fields_editor_refuses_published_resource(as_user, officer, published):
    rows = [{"name": "x", "label": "新字段"}]
    response = as_user(officer).post(f"/catalog/{published.pk}/fields/", _formset(rows))
    assert response.status_code == 400
    assert 'data-testid="form-error"' in _text(response)
    assert published.fields.count() == 3


# --- Review queue, workbench, navigation --------------------------------------------------


def test_review_queue_lists_submitted_oldest_first(
    as_user, officer, data_admin, make_resource, xihu_staff
):
    first = make_resource(officer, name="第一个资源")
    second = make_resource(officer, name="第二个资源")
    services.submit_resource(actor=officer, resource_id=second.pk)
    services.submit_resource(actor=officer, resource_id=first.pk)
    response = as_user(data_admin).get("/catalog/review/")
    assert response.status_code == 200
    page = _text(response)
    assert "目录审核" in page
    assert page.index("第二个资源") < page.index("第一个资源")
    assert as_user(officer).get("/catalog/review/").status_code == 403
    assert as_user(xihu_staff).get("/catalog/review/").status_code == 403


def test_workbench_items_for_reviewers_and_returned_resources(
    as_user, officer, other_officer, data_admin, draft
):
    services.submit_resource(actor=officer, resource_id=draft.pk)
    items = inbox.pending_for(data_admin)
    assert [i.title for i in items] == ["审核数据资源：个体工商户登记信息"]
    submitted_at = draft.revisions.get(action="submit").created_at
    assert items[0].deadline == add_working_days(submitted_at, 5)
    assert items[0].link == f"/catalog/{draft.pk}/"
    assert inbox.pending_for(officer) == []
    services.reject_resource(actor=data_admin, resource_id=draft.pk, reason="补充摘要")
    assert [i.title for i in inbox.pending_for(officer)] == ["退回修改：个体工商户登记信息"]
    assert inbox.pending_for(other_officer) == []
    assert inbox.pending_for(data_admin) == []
    workbench = _text(as_user(officer).get("/workbench/"))
    assert "退回修改：个体工商户登记信息" in workbench


def test_navigation_entries(as_user, xihu_staff, officer, data_admin):
    staff_page = _text(as_user(xihu_staff).get("/catalog/"))
    assert 'href="/catalog/"' in staff_page and "数据目录" in staff_page
    assert 'href="/catalog/review/"' not in staff_page
    assert 'href="/catalog/review/"' in _text(as_user(data_admin).get("/catalog/"))
