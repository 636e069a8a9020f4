"""Application forms: definitions checked on save, answers validated, conditions, refusals."""

from __future__ import annotations

import json

import pytest

from smartgov.core.errors import Conflict, InvalidInput, NotFound, PermissionDeniedError
from smartgov.services import forms, services
from smartgov.services.models import FormDefinition

DEFINITION = [
    {
        "name": "applicant_name",
        "label": "申请人姓名",
        "type": "text",
        "required": True,
        "max_length": 20,
        "prefill": "applicant.name",
    },
    {
        "name": "citizen_id",
        "label": "身份证号",
        "type": "id_number",
        "required": True,
        "prefill": "applicant.citizen_id",
    },
    {"name": "phone", "label": "联系电话", "type": "phone", "required": True},
    {
        "name": "seats",
        "label": "就餐座位数",
        "type": "number",
        "integer": True,
        "min": 1,
        "max": 2000,
    },
    {"name": "opening", "label": "开业日期", "type": "date", "min": "2020-01-01"},
    {
        "name": "has_alcohol",
        "label": "是否销售酒类",
        "type": "choice",
        "required": True,
        "choices": ["是", "否"],
    },
    {
        "name": "alcohol_kinds",
        "label": "酒类品种",
        "type": "text",
        "required": True,
        "show_if": {"field": "has_alcohol", "equals": "是"},
    },
]
GOOD = {
    "applicant_name": "张三",
    "citizen_id": "11010519491231002x",
    "phone": "138 0013 8000",
    "seats": "60",
    "opening": "2026-12-08",
    "has_alcohol": "否",
    "alcohol_kinds": "ignored because hidden",
    "unknown": "dropped",
}


@pytest.fixture
def definition():
    return forms.check_definition(DEFINITION)


def test_valid_answers_are_cleaned(definition):
    cleaned, errors = forms.validate_form(definition, GOOD)
    assert errors == {}
    assert cleaned == {
        "applicant_name": "张三",
        "citizen_id": "11010519491231002X",
        "phone": "13800138000",
        "seats": 60,
        "opening": "2026-12-08",
        "has_alcohol": "否",
    }


def test_every_bad_answer_is_reported_at_once(definition):
    data = dict(
        GOOD,
        citizen_id="110105194912310021",
        phone="12",
        seats="2.5",
        opening="2019-05-01",
        has_alcohol="是",
        alcohol_kinds=" ",
        applicant_name="",
    )
    _cleaned, errors = forms.validate_form(definition, data)
    assert {name: e["code"] for name, e in errors.items()} == {
        "applicant_name": "required",
        "citizen_id": "citizen_id_checksum",
        "phone": "phone_format",
        "seats": "not_an_integer",
        "opening": "too_early",
        "alcohol_kinds": "required",
    }
    assert forms.validate_form(definition, "x")[1][""]["code"] == "form_data_format"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ([{"name": "A", "label": "x", "type": "text"}], "form_field_name"),
        ([{"name": "a", "label": "x", "type": "colour"}], "form_field_type"),
        ([{"name": "a", "label": "", "type": "text"}], "form_field_label"),
        ([{"name": "a", "label": "x", "type": "text"}] * 2, "form_field_duplicate"),
        ([{"name": "a", "label": "x", "type": "choice", "choices": []}], "form_field_choices"),
        ([{"name": "a", "label": "x", "type": "text", "pattern": "("}], "form_field_pattern"),
        (
            [{"name": "a", "label": "x", "type": "text", "show_if": {"field": "b"}}],
            "form_field_show_if",
        ),
        ([{"name": "a", "label": "x", "type": "text", "prefill": "secret"}], "form_field_prefill"),
        ("nope", "form_format"),
    ],
)
def test_bad_definitions_are_refused(fields, code):
    with pytest.raises(InvalidInput) as err:
        forms.check_definition(fields)
    assert err.value.code == code


def test_set_form_on_drafts_only_and_copied_to_new_versions(make_item, officer, publisher):
    item = make_item()
    forms.set_form(actor=officer, item_id=item.pk, fields=DEFINITION)
    services.publish_item(actor=publisher, item_id=item.pk)
    with pytest.raises(Conflict):
        forms.set_form(actor=officer, item_id=item.pk, fields=[])
    draft = services.new_version(actor=officer, item_id=item.pk)
    assert [f["name"] for f in forms.form_of(draft)] == [f["name"] for f in DEFINITION]


def test_set_form_refusals_change_nothing(make_item, xihu_staff, other_publisher, officer):
    item = make_item()
    with pytest.raises(PermissionDeniedError):
        forms.set_form(actor=xihu_staff, item_id=item.pk, fields=DEFINITION)
    with pytest.raises(NotFound):
        forms.set_form(actor=other_publisher, item_id=item.pk, fields=DEFINITION)
    with pytest.raises(InvalidInput):
        forms.set_form(actor=officer, item_id=item.pk, fields=[{"name": "x"}])
    assert not FormDefinition.objects.exists()


def test_form_api(client, bearer, make_item, officer, publisher):
    item = make_item()
    response = client.put(
        f"/api/v1/services/manage/items/{item.pk}/form",
        data=json.dumps({"fields": DEFINITION}),
        content_type="application/json",
        **bearer(officer),
    )
    assert response.status_code == 200 and len(response.json()["form"]) == len(DEFINITION)
    services.publish_item(actor=publisher, item_id=item.pk)
    url = f"/api/v1/services/items/{item.implementation_code}/form/check"
    body = client.post(url, json.dumps({"data": GOOD}), content_type="application/json").json()
    assert body["valid"] and body["cleaned"]["seats"] == 60
    body = client.post(
        url, json.dumps({"data": {"phone": "x"}}), content_type="application/json"
    ).json()
    assert not body["valid"] and body["errors"]["phone"]["code"] == "phone_format"
    bad = client.put(
        f"/api/v1/services/manage/items/{item.pk}/form",
        data=json.dumps({"fields": [{"name": "a", "label": "x", "type": "zzz"}]}),
        content_type="application/json",
        **bearer(officer),
    )
    assert bad.status_code in (400, 409)


def test_editing_a_draft_sets_its_form_and_the_guide_lists_it(
    client, make_item, officer, publisher
):
    item = make_item()
    with pytest.raises(InvalidInput):
        services.update_item(
            actor=officer, item_id=item.pk, changes={"name": "改名"}, form=[{"type": "x"}]
        )
    item.refresh_from_db()
    assert item.name == "企业设立登记" and not FormDefinition.objects.exists()
    services.update_item(actor=officer, item_id=item.pk, form=DEFINITION)
    services.publish_item(actor=publisher, item_id=item.pk)
    html = client.get(f"/services/items/{item.implementation_code}/").content.decode()
    assert 'data-testid="guide-form"' in html and "酒类品种" in html and "自动填写" in html
