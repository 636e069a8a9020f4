"""一数一源 pages: the register (list, detail, create/edit with inline errors, delete with
confirmation, suggested holders), conflicts (filters, both values, decisions, timeline,
comments), the catalog note and the workbench to-do; refusals change nothing."""

from __future__ import annotations

import pytest

from smartgov.catalog import elements
from smartgov.catalog.models import DataElement, SourceHolder
from smartgov.datastore.models import ConflictStatus, SourceConflict
from tests.catalog import conftest as catalog_fixtures
from tests.catalog.conftest import field
from tests.datastore import conftest as datastore_fixtures
from tests.datastore import sources_fixtures
from tests.datastore.conftest import citizen_id

officer = catalog_fixtures.officer
other_officer = catalog_fixtures.other_officer
data_admin = catalog_fixtures.data_admin
make_resource = catalog_fixtures.make_resource
publish = catalog_fixtures.publish
population = datastore_fixtures.population
insurance = sources_fixtures.insurance
element = sources_fixtures.element
loaded = sources_fixtures.loaded


def _text(response) -> str:
    return response.content.decode()


@pytest.fixture
def vehicles(other_officer, make_resource, org):
    return make_resource(
        other_officer,
        org["shangcheng_bureau"],
        name="机动车登记信息",
        fields=[
            field("plate_no", "号牌号码", is_key=True),
            field("owner_citizen_id", "所有人身份证明号码", "citizen_id"),
            field("owner_name", "姓名"),
        ],
    )


# --- Register -----------------------------------------------------------------------------


def test_register_lists_elements_in_chinese_for_officers(as_user, officer, element, xihu_staff):
    page = _text(as_user(officer).get("/sources/"))
    assert "一数一源" in page and "数据元登记" in page
    assert "公民姓名" in page and "户籍人口" in page and "公民身份号码" in page
    assert "登记数据元" not in page  # officers read, the data bureau keeps the register
    assert 'href="/sources/"' in page  # the nav entry
    assert as_user(xihu_staff).get("/sources/").status_code == 403


def test_register_search_and_empty_state(as_user, data_admin, element):
    client = as_user(data_admin)
    assert "公民姓名" in _text(client.get("/sources/", {"q": "姓名"}))
    page = _text(client.get("/sources/", {"q": "地址"}))
    assert "没有符合条件的数据元" in page and "公民姓名" not in page
    partial = _text(client.get("/sources/", {"q": "姓名"}, HTTP_HX_REQUEST="true"))
    assert "公民姓名" in partial and "<html" not in partial


def test_create_with_inline_errors_then_success(as_user, data_admin, population):
    client = as_user(data_admin)
    page = _text(client.get("/sources/new/"))
    assert "登记数据元" in page and "请先选择资源" in page
    options = _text(client.get("/sources/fields/", {"source_resource_id": population.pk}))
    assert 'value="name"' in options and 'value="citizen_id"' in options

    values = {
        "code": "Citizen Name",
        "name": "公民姓名",
        "key_type": "citizen_id",
        "source_resource_id": population.pk,
        "source_field": "name",
        "source_key_field": "citizen_id",
    }
    response = client.post("/sources/new/", values)
    assert response.status_code == 400
    page = _text(response)
    assert "数据元编码以小写字母开头" in page and 'value="公民姓名"' in page
    assert not DataElement.objects.exists()

    response = client.post(
        "/sources/new/", {**values, "code": "citizen_name", "source_key_field": "name"}
    )
    assert response.status_code == 400 and "关键字段的数据类型" in _text(response)

    response = client.post("/sources/new/", {**values, "code": "citizen_name"})
    element = DataElement.objects.get()
    assert response.status_code == 302 and response.url == f"/sources/{element.pk}/"


def test_officers_cannot_open_or_post_the_forms(as_user, officer, population, element):
    client = as_user(officer)
    assert client.get("/sources/new/").status_code == 403
    response = client.post(f"/sources/{element.pk}/edit/", {"name": "改名"})
    assert response.status_code == 403
    assert client.post(f"/sources/{element.pk}/delete/").status_code == 403
    assert client.post(f"/sources/{element.pk}/scan/").status_code == 403
    element.refresh_from_db()
    assert element.name == "公民姓名" and DataElement.objects.exists()


def test_detail_confirms_a_suggestion_and_refuses_a_bad_holder(
    as_user, data_admin, element, vehicles, insurance
):
    client = as_user(data_admin)
    page = _text(client.get(f"/sources/{element.pk}/"))
    assert "副本持有方" in page and "社会保险参保信息" in page
    assert "推荐的持有方" in page and "机动车登记信息" in page and "信息项标签相同" in page
    assert "尚未比对" in page

    response = client.post(
        f"/sources/{element.pk}/holders/",
        {"resource_id": vehicles.pk, "field": "owner_name", "key_field": "plate_no"},
    )
    assert response.status_code == 400
    assert "invalid-feedback" in _text(response) and SourceHolder.objects.count() == 1

    response = client.post(
        f"/sources/{element.pk}/holders/",
        {
            "resource_id": vehicles.pk,
            "field": "owner_name",
            "key_field": "owner_citizen_id",
            "report_missing": "on",
        },
    )
    assert response.status_code == 302
    holder = SourceHolder.objects.get(resource=vehicles)
    response = client.post(
        f"/sources/{element.pk}/holders/{holder.pk}/edit/",
        {"key_field": "owner_citizen_id", "note": "只比对在册车辆"},
    )
    assert response.status_code == 302
    holder.refresh_from_db()
    assert holder.report_missing is False and holder.note == "只比对在册车辆"
    page = _text(client.get(f"/sources/{element.pk}/"))
    assert "不报告缺失主体" in page and "data-sg-confirm" in page
    response = client.post(f"/sources/{element.pk}/holders/{holder.pk}/remove/")
    assert response.status_code == 302 and not SourceHolder.objects.filter(pk=holder.pk).exists()


def test_edit_and_delete_with_confirmation(as_user, data_admin, element):
    client = as_user(data_admin)
    response = client.post(
        f"/sources/{element.pk}/edit/",
        {
            "code": "citizen_name",
            "name": "姓名",
            "key_type": "citizen_id",
            "source_resource_id": element.source_resource_id,
            "source_field": "name",
            "source_key_field": "citizen_id",
        },
    )
    assert response.status_code == 302
    element.refresh_from_db()
    assert element.name == "姓名"
    page = _text(client.get(f"/sources/{element.pk}/delete/"))
    assert "确定从登记中删除" in page and "其 1 个持有方一并移除" in page
    assert DataElement.objects.exists()  # a GET deletes nothing
    response = client.post(f"/sources/{element.pk}/delete/", {"reason": "重复"})
    assert response.status_code == 302 and not DataElement.objects.exists()


# --- Conflicts ----------------------------------------------------------------------------


def test_scan_button_then_list_shows_both_values(as_user, data_admin, loaded):
    client = as_user(data_admin)
    response = client.post(f"/sources/{loaded.pk}/scan/")
    assert response.status_code == 302
    page = _text(client.get(f"/sources/{loaded.pk}/"))
    assert "已比对 1 个持有方" in page and "最近比对" in page
    assert "上次比对后登记内容有变化" not in page
    elements.update_holder(
        actor=data_admin, holder_id=loaded.holders.get().pk, changes={"note": "按月比对"}
    )
    assert "上次比对后登记内容有变化" in _text(client.get(f"/sources/{loaded.pk}/"))
    page = _text(client.get("/sources/conflicts/"))
    assert "李二" in page and "张2" in page and citizen_id(2) in page
    assert "权威来源无此记录" in page and "社会保险参保信息" in page
    page = _text(client.get("/sources/conflicts/", {"kind": "mismatch"}))
    assert "李二" in page and "权威来源无此记录" not in page


def test_decide_from_the_list_and_from_the_detail(as_user, data_admin, loaded):
    client = as_user(data_admin)
    conflict = SourceConflict.objects.get(key_value=citizen_id(2))
    response = client.post(
        f"/sources/conflicts/{conflict.pk}/decide/",
        {
            "from": "list",
            "next": "/sources/conflicts/?kind=mismatch",
            "row-decision": "notify_holder",
            "row-comment": "以户籍为准",
        },
    )
    assert response.status_code == 302 and response.url == "/sources/conflicts/?kind=mismatch"
    conflict.refresh_from_db()
    assert conflict.status == ConflictStatus.HOLDER_NOTIFIED

    response = client.post(f"/sources/conflicts/{conflict.pk}/decide/", {"decision": "dismiss"})
    assert response.status_code == 400
    assert "请填写忽略该冲突的理由" in _text(response)
    conflict.refresh_from_db()
    assert conflict.status == ConflictStatus.HOLDER_NOTIFIED

    response = client.post(
        f"/sources/conflicts/{conflict.pk}/decide/",
        {"decision": "dismiss", "comment": "持有方记录的是曾用名"},
    )
    assert response.status_code == 302
    page = _text(client.get(f"/sources/conflicts/{conflict.pk}/"))
    assert "已忽略" in page and "持有方记录的是曾用名" in page and "重新打开" in page
    assert "比对发现" in page and "已通知持有方更正" in page  # the timeline
    client.post(f"/sources/conflicts/{conflict.pk}/decide/", {"decision": "reopen"})
    conflict.refresh_from_db()
    assert conflict.status == ConflictStatus.OPEN


def test_officers_see_their_conflicts_comment_but_do_not_decide(
    as_user, other_officer, loaded, org
):
    client = as_user(other_officer)
    page = _text(client.get("/sources/conflicts/"))
    assert "李二" in page and "row-decision" not in page
    conflict = SourceConflict.objects.get(key_value=citizen_id(2))
    response = client.post(
        f"/sources/conflicts/{conflict.pk}/decide/", {"decision": "dismiss", "comment": "x"}
    )
    assert response.status_code == 403
    conflict.refresh_from_db()
    assert conflict.status == ConflictStatus.OPEN
    response = client.post(f"/sources/conflicts/{conflict.pk}/comment/", {"comment": ""})
    assert response.status_code == 400
    response = client.post(
        f"/sources/conflicts/{conflict.pk}/comment/", {"comment": "该参保人已改名"}
    )
    assert response.status_code == 302
    assert "该参保人已改名" in _text(client.get(f"/sources/conflicts/{conflict.pk}/"))


def test_empty_conflict_list(as_user, data_admin, element):
    page = _text(as_user(data_admin).get("/sources/conflicts/"))
    assert "没有待处理的冲突" in page


def test_catalog_detail_notes_the_authoritative_role(as_user, officer, element, population):
    page = _text(as_user(officer).get(f"/catalog/{population.pk}/"))
    assert "本资源为权威来源" in page and "公民姓名" in page


def test_the_holders_workbench_links_to_the_conflicts(as_user, data_admin, other_officer, loaded):
    from smartgov.datastore import sources

    conflict = SourceConflict.objects.get(key_value=citizen_id(2))
    sources.notify_holder(actor=data_admin, conflict_id=conflict.pk)
    page = _text(as_user(other_officer).get("/workbench/"))
    assert "更正社会保险参保信息" in page
    assert f"/sources/conflicts/?holder_id={conflict.holder_id}" in page
    listing = _text(
        as_user(other_officer).get(
            "/sources/conflicts/", {"holder_id": conflict.holder_id, "status": "holder_notified"}
        )
    )
    assert "李二" in listing and citizen_id(9) not in listing
