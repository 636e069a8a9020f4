"""Registering resources and moving them through review: happy path, refusals, revisions."""

import pytest

from smartgov.catalog import services
from smartgov.catalog.models import Resource, ResourceRevision
from smartgov.core.errors import Conflict, InvalidInput, NotFound, PermissionDeniedError
from smartgov.core.models import AuditRecord
from tests.catalog.conftest import POPULATION_FIELDS, field


def _state(resource):
    resource = Resource.objects.get(pk=resource.pk)
    return (
        resource.status,
        resource.version,
        resource.revision,
        resource.name,
        ResourceRevision.objects.filter(resource=resource).count(),
        list(resource.fields.values_list("name", flat=True)),
    )


def test_happy_path_draft_submit_approve_withdraw_edit_republish(
    officer, data_admin, make_resource
):
    resource = make_resource(officer, name="户籍人口", fields=POPULATION_FIELDS)
    assert resource.status == "draft" and resource.version == 0 and resource.revision == 1

    resource = services.submit_resource(actor=officer, resource_id=resource.pk, comment="请审核")
    assert resource.status == "submitted"
    resource = services.reject_resource(
        actor=data_admin, resource_id=resource.pk, reason="摘要不全"
    )
    assert resource.status == "draft"
    services.update_resource(
        actor=officer, resource_id=resource.pk, changes={"summary": "全市户籍人口的基本信息。"}
    )
    services.submit_resource(actor=officer, resource_id=resource.pk)
    resource = services.approve_resource(actor=data_admin, resource_id=resource.pk, comment="同意")
    assert resource.status == "published" and resource.version == 1
    assert resource.release_date is not None

    resource = services.withdraw_resource(actor=officer, resource_id=resource.pk, reason="字段调整")
    assert resource.status == "withdrawn"
    services.set_fields(
        actor=officer,
        resource_id=resource.pk,
        fields=[
            *POPULATION_FIELDS,
            field("phone", "联系电话", "phone", personal_kind="phone", masking="phone"),
        ],
    )
    services.submit_resource(actor=officer, resource_id=resource.pk)
    resource = services.approve_resource(actor=data_admin, resource_id=resource.pk)
    assert resource.version == 2

    revisions = list(ResourceRevision.objects.filter(resource=resource).order_by("number"))
    assert [r.action for r in revisions] == [
        "create",
        "submit",
        "reject",
        "update",
        "submit",
        "approve",
        "withdraw",
        "set_fields",
        "submit",
        "approve",
    ]
    assert [r.number for r in revisions] == list(range(1, 11))
    assert revisions[2].comment == "摘要不全" and revisions[2].actor == data_admin
    assert revisions[2].from_status == "submitted" and revisions[2].to_status == "draft"
    assert [f["name"] for f in revisions[7].snapshot["fields"]] == [
        "citizen_id",
        "name",
        "household_address",
        "phone",
    ]
    assert revisions[3].snapshot["summary"] == "全市户籍人口的基本信息。"
    actions = list(
        AuditRecord.objects.filter(object_type="catalog.resource", object_id=str(resource.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [f"catalog.resource.{r.action}" for r in revisions]


@pytest.mark.parametrize(
    ("status_path", "action"),
    [
        ([], "approve"),
        ([], "reject"),
        ([], "withdraw"),
        (["submit"], "submit"),
        (["submit"], "withdraw"),
        (["submit", "approve"], "submit"),
        (["submit", "approve"], "approve"),
        (["submit", "approve"], "reject"),
        (["submit", "approve", "withdraw"], "approve"),
        (["submit", "approve", "withdraw"], "withdraw"),
    ],
)
def test_refused_transitions_change_nothing(
    officer, data_admin, make_resource, status_path, action
):
    resource = make_resource(officer)
    steps = {
        "submit": lambda: services.submit_resource(actor=officer, resource_id=resource.pk),
        "approve": lambda: services.approve_resource(actor=data_admin, resource_id=resource.pk),
        "reject": lambda: services.reject_resource(
            actor=data_admin, resource_id=resource.pk, reason="x"
        ),
        "withdraw": lambda: services.withdraw_resource(
            actor=data_admin, resource_id=resource.pk, reason="x"
        ),
    }
    for step in status_path:
        steps[step]()
    before = _state(resource)
    audit_count = AuditRecord.objects.count()
    with pytest.raises(Conflict) as excinfo:
        steps[action]()
    assert excinfo.value.code == "invalid_transition"
    assert _state(resource) == before
    assert AuditRecord.objects.count() == audit_count


@pytest.mark.parametrize("status_path", [["submit"], ["submit", "approve"]])
def test_only_draft_or_withdrawn_resources_can_be_edited(
    officer, data_admin, make_resource, status_path
):
    resource = make_resource(officer)
    services.submit_resource(actor=officer, resource_id=resource.pk)
    if "approve" in status_path:
        services.approve_resource(actor=data_admin, resource_id=resource.pk)
    before = _state(resource)
    with pytest.raises(Conflict) as excinfo:
        services.update_resource(actor=officer, resource_id=resource.pk, changes={"name": "新"})
    assert excinfo.value.code == "not_editable"
    with pytest.raises(Conflict):
        services.set_fields(actor=officer, resource_id=resource.pk, fields=[])
    assert _state(resource) == before


def test_submit_needs_fields_and_a_key_for_tables(officer, make_resource):
    empty = make_resource(officer, fields=[])
    with pytest.raises(InvalidInput) as excinfo:
        services.submit_resource(actor=officer, resource_id=empty.pk)
    assert excinfo.value.code == "fields_required"
    keyless = make_resource(officer, fields=[field("name", "名称")])
    with pytest.raises(InvalidInput) as excinfo:
        services.submit_resource(actor=officer, resource_id=keyless.pk)
    assert excinfo.value.code == "key_field_required"
    keyless_file = make_resource(officer, format="file", fields=[field("title", "标题")])
    assert services.submit_resource(actor=officer, resource_id=keyless_file.pk).status == (
        "submitted"
    )
    assert Resource.objects.get(pk=keyless.pk).status == "draft"


def test_reject_and_withdraw_need_a_reason(officer, data_admin, make_resource, publish):
    resource = make_resource(officer)
    services.submit_resource(actor=officer, resource_id=resource.pk)
    with pytest.raises(InvalidInput):
        services.reject_resource(actor=data_admin, resource_id=resource.pk, reason="  ")
    services.approve_resource(actor=data_admin, resource_id=resource.pk)
    with pytest.raises(InvalidInput):
        services.withdraw_resource(actor=officer, resource_id=resource.pk, reason="")
    assert Resource.objects.get(pk=resource.pk).status == "published"


# --- Permissions and scope ------------------------------------------------------------------


def test_officer_cannot_register_for_another_department(officer, org, make_resource):
    with pytest.raises(NotFound) as excinfo:
        make_resource(officer, provider=org["shangcheng_bureau"])
    assert excinfo.value.code == "provider_not_found"
    assert not Resource.objects.exists()


def test_staff_without_the_role_cannot_register(xihu_staff, make_resource):
    with pytest.raises(PermissionDeniedError):
        make_resource(xihu_staff)
    assert not Resource.objects.exists()


def test_officer_of_another_department_cannot_edit_or_submit(officer, other_officer, make_resource):
    resource = make_resource(officer)
    before = _state(resource)
    with pytest.raises(NotFound):
        services.update_resource(
            actor=other_officer, resource_id=resource.pk, changes={"name": "改名"}
        )
    with pytest.raises(NotFound):
        services.set_fields(actor=other_officer, resource_id=resource.pk, fields=[])
    with pytest.raises(NotFound):
        services.submit_resource(actor=other_officer, resource_id=resource.pk)
    assert _state(resource) == before


def test_officers_cannot_review(officer, other_officer, make_resource):
    resource = make_resource(officer)
    services.submit_resource(actor=officer, resource_id=resource.pk)
    for actor in (officer, other_officer):
        with pytest.raises(PermissionDeniedError):
            services.approve_resource(actor=actor, resource_id=resource.pk)
        with pytest.raises(PermissionDeniedError):
            services.reject_resource(actor=actor, resource_id=resource.pk, reason="x")
    assert Resource.objects.get(pk=resource.pk).status == "submitted"


def test_other_department_cannot_withdraw(
    officer, other_officer, data_admin, make_resource, publish
):
    resource = publish(make_resource(officer), officer, data_admin)
    with pytest.raises(NotFound):
        services.withdraw_resource(actor=other_officer, resource_id=resource.pk, reason="x")
    assert Resource.objects.get(pk=resource.pk).status == "published"


def test_data_admin_registers_for_any_department(data_admin, org, make_resource):
    resource = make_resource(data_admin, provider=org["shangcheng_bureau"])
    assert resource.provider == org["shangcheng_bureau"]


# --- Validation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"code": "A01-0001-0001-0001"}, "resource_code_format"),
        ({"code": "30100100/000001"}, "resource_code_format"),
        ({"code": "101001001/000001"}, "resource_code_class"),
        ({"name": " "}, "name_required"),
        ({"classification": "base", "code": "101001001/000009"}, "base_resource_required"),
        ({"base_resource": "population"}, "base_resource_not_allowed"),
        ({"share_type": "sometimes"}, "unknown_share_type"),
        ({"share_type": "conditional"}, "share_conditions_required"),
        ({"open_type": "x"}, "unknown_open_type"),
        ({"update_cycle": "hourly"}, "unknown_update_cycle"),
        ({"fields": [field("Name", "名称")]}, "field_name_format"),
        ({"fields": [field("1st", "名称")]}, "field_name_format"),
        ({"fields": [field("a" * 64, "名称")]}, "field_name_format"),
        ({"fields": [field("name", "名称"), field("name", "名称2")]}, "duplicate_field"),
        ({"fields": [field("kind", "类型", "enum")]}, "enum_values_required"),
        (
            {"fields": [field("kind", "类型", "enum", enum_values=["a", "a"])]},
            "enum_values_required",
        ),
        ({"fields": [field("kind", "类型", enum_values=["a"])]}, "enum_values_not_allowed"),
        ({"fields": [field("kind", "类型", "blob")]}, "unknown_data_type"),
        ({"fields": [field("kind", "")]}, "field_label_required"),
        ({"fields": [field("kind", "类型", grade="secret")]}, "unknown_grade"),
        ({"fields": [field("kind", "类型", masking="hash")]}, "unknown_masking_rule"),
        ({"related_ids": [999999]}, "related_not_found"),
    ],
)
def test_bad_input_is_refused(officer, make_resource, overrides, code):
    with pytest.raises(InvalidInput) as excinfo:
        make_resource(officer, **overrides)
    assert excinfo.value.code == code
    assert not Resource.objects.exists()


def test_duplicate_code_is_a_conflict(officer, make_resource):
    make_resource(officer, code="301001001/000001")
    with pytest.raises(Conflict) as excinfo:
        make_resource(officer, code="301001001/000001")
    assert excinfo.value.code == "resource_code_exists"
    assert Resource.objects.count() == 1


def test_key_fields_are_required_and_related_resources_kept(officer, make_resource):
    first = make_resource(officer)
    second = make_resource(
        officer,
        classification="base",
        base_resource="population",
        code="101001001/000001",
        related_ids=[first.pk],
        fields=POPULATION_FIELDS,
    )
    assert list(second.related.all()) == [first]
    key = second.fields.get(name="citizen_id")
    assert key.required and key.is_key and key.position == 0
    with pytest.raises(InvalidInput) as excinfo:
        services.update_resource(
            actor=officer, resource_id=second.pk, changes={"related_ids": [second.pk]}
        )
    assert excinfo.value.code == "related_to_itself"
