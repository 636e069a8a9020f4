"""The register of data elements (一数一源): rules for sources and holders, revisions, audit,
suggested holders, permissions."""

from __future__ import annotations

import pytest

from smartgov.catalog import elements, selectors, services
from smartgov.catalog.models import DataElement, ElementRevision, SourceHolder
from smartgov.core.errors import Conflict, InvalidInput, NotFound, PermissionDeniedError
from smartgov.core.models import AuditRecord
from tests.catalog.conftest import POPULATION_FIELDS, field

INSURANCE_FIELDS = [
    field("account_no", "参保账号", is_key=True),
    field("citizen_id", "公民身份号码", "citizen_id"),
    field("name", "姓名"),
    field("insured_on", "参保日期", "date"),
]
VEHICLE_FIELDS = [
    field("plate_no", "号牌号码", is_key=True),
    field("owner_citizen_id", "所有人身份证明号码", "citizen_id"),
    field("owner_name", "姓名"),  # same label as the source's field
]


@pytest.fixture
def population(officer, data_admin, make_resource, publish):
    resource = make_resource(officer, name="户籍人口基本信息", fields=POPULATION_FIELDS)
    return publish(resource, officer, data_admin)


@pytest.fixture
def insurance(other_officer, data_admin, make_resource, publish, org):
    resource = make_resource(
        other_officer, org["shangcheng_bureau"], name="社会保险参保信息", fields=INSURANCE_FIELDS
    )
    return publish(resource, other_officer, data_admin)


@pytest.fixture
def vehicles(other_officer, make_resource, org):
    return make_resource(
        other_officer, org["shangcheng_bureau"], name="机动车登记信息", fields=VEHICLE_FIELDS
    )


def _create(actor, source, **overrides):
    values = {
        "code": "citizen_name",
        "name": "公民姓名",
        "key_type": "citizen_id",
        "source_resource_id": source.pk,
        "source_field": "name",
        "source_key_field": "citizen_id",
    }
    values.update(overrides)
    return elements.create_element(actor=actor, **values)


def test_register_an_element_with_a_holder_and_its_revision(data_admin, population, insurance):
    element = _create(
        data_admin,
        population,
        description="以户籍登记为准",
        holders=[{"resource_id": insurance.pk, "field": "name", "key_field": "citizen_id"}],
    )
    holder = element.holders.get()
    assert (holder.resource, holder.field, holder.key_field) == (insurance, "name", "citizen_id")
    revision = ElementRevision.objects.get(element=element)
    assert (revision.number, revision.action, revision.actor) == (1, "create", data_admin)
    assert revision.snapshot["holders"][0]["field"] == "name"
    record = AuditRecord.objects.get(action="catalog.element.create")
    assert record.object_id == str(element.pk) and record.after["source_field"] == "name"


def test_edit_add_change_and_remove_holders_leave_a_timeline(
    data_admin, population, insurance, vehicles
):
    element = _create(data_admin, population)
    elements.update_element(
        actor=data_admin, element_id=element.pk, changes={"name": "姓名", "description": "新"}
    )
    holder = elements.add_holder(
        actor=data_admin,
        element_id=element.pk,
        resource_id=vehicles.pk,
        field="owner_name",
        key_field="owner_citizen_id",
    )
    elements.update_holder(
        actor=data_admin, holder_id=holder.pk, changes={"report_missing": False, "note": "备注"}
    )
    elements.remove_holder(actor=data_admin, holder_id=holder.pk, reason="不是副本")
    actions = list(
        ElementRevision.objects.filter(element=element)
        .order_by("number")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update", "add_holder", "update_holder", "remove_holder"]
    element.refresh_from_db()
    assert (element.name, element.revision) == ("姓名", 5)
    assert not SourceHolder.objects.exists()
    update = AuditRecord.objects.get(action="catalog.element.update")
    assert update.before["name"] == "公民姓名" and update.after["name"] == "姓名"


def test_delete_takes_the_element_and_its_holders_out(data_admin, population, insurance):
    element = _create(
        data_admin,
        population,
        holders=[{"resource_id": insurance.pk, "field": "name", "key_field": "citizen_id"}],
    )
    elements.delete_element(actor=data_admin, element_id=element.pk, reason="重复登记")
    assert not DataElement.objects.exists() and not SourceHolder.objects.exists()
    record = AuditRecord.objects.get(action="catalog.element.delete")
    assert record.before["code"] == "citizen_name" and record.after == {"comment": "重复登记"}


BAD_SOURCES = [
    ({"code": "公民姓名"}, InvalidInput, "element_code_format"),
    ({"name": " "}, InvalidInput, "name_required"),
    ({"key_type": "date"}, InvalidInput, "unknown_key_type"),
    ({"source_field": "nickname"}, InvalidInput, "source_field_not_found"),
    ({"source_key_field": "nickname"}, InvalidInput, "key_field_not_found"),
    ({"key_type": "credit_code"}, InvalidInput, "key_type_mismatch"),
    ({"source_field": "citizen_id"}, InvalidInput, "source_field_is_key"),
    ({"source_resource_id": 999_999}, NotFound, "resource_not_found"),
]


def test_bad_sources_are_refused_with_a_code(data_admin, population):
    for overrides, error, code in BAD_SOURCES:
        with pytest.raises(error) as refused:
            _create(data_admin, population, **overrides)
        assert refused.value.code == code
    assert not DataElement.objects.exists()
    assert not AuditRecord.objects.filter(action__startswith="catalog.element").exists()


def test_the_source_key_must_identify_one_row_per_subject(data_admin, insurance):
    # The insurance resource's key is the account number, not the citizen ID.
    with pytest.raises(InvalidInput) as refused:
        _create(data_admin, insurance)
    assert refused.value.code == "source_key_not_unique"


def test_a_field_is_authoritative_for_one_element_only(data_admin, population, insurance):
    _create(
        data_admin,
        population,
        holders=[{"resource_id": insurance.pk, "field": "name", "key_field": "citizen_id"}],
    )
    with pytest.raises(Conflict) as refused:
        _create(data_admin, population, code="person_name")
    assert refused.value.code == "field_already_authoritative"
    with pytest.raises(Conflict) as refused:
        _create(data_admin, population, code="citizen_name")
    assert refused.value.code == "element_code_exists"


def test_withdrawn_and_file_resources_cannot_be_sources(
    data_admin, officer, population, make_resource
):
    services.withdraw_resource(actor=data_admin, resource_id=population.pk, reason="调整")
    with pytest.raises(InvalidInput) as refused:
        _create(data_admin, population)
    assert refused.value.code == "resource_withdrawn"
    files = make_resource(officer, format="file", fields=POPULATION_FIELDS)
    with pytest.raises(InvalidInput) as refused:
        _create(data_admin, files)
    assert refused.value.code == "resource_not_a_table"


BAD_HOLDERS = [
    ({"field": "nickname", "key_field": "citizen_id"}, "holder_field_not_found"),
    ({"field": "name", "key_field": "account_no"}, "key_type_mismatch"),
    ({"field": "insured_on", "key_field": "citizen_id"}, "data_type_mismatch"),
    ({"field": "citizen_id", "key_field": "citizen_id"}, "holder_field_is_key"),
]


def test_bad_holders_are_refused_and_nothing_changes(data_admin, population, insurance):
    element = _create(data_admin, population)
    for holder, code in BAD_HOLDERS:
        with pytest.raises(InvalidInput) as refused:
            elements.add_holder(
                actor=data_admin, element_id=element.pk, resource_id=insurance.pk, **holder
            )
        assert refused.value.code == code
    element.refresh_from_db()
    assert element.revision == 1 and not SourceHolder.objects.exists()


def test_a_field_holds_one_element_and_the_source_holds_none(data_admin, population, insurance):
    element = _create(data_admin, population)
    with pytest.raises(InvalidInput) as refused:
        elements.add_holder(
            actor=data_admin,
            element_id=element.pk,
            resource_id=population.pk,
            field="household_address",
            key_field="citizen_id",
        )
    assert refused.value.code == "holder_is_source"
    elements.add_holder(
        actor=data_admin,
        element_id=element.pk,
        resource_id=insurance.pk,
        field="name",
        key_field="citizen_id",
    )
    other = _create(
        data_admin, population, code="citizen_address", source_field="household_address"
    )
    with pytest.raises(Conflict) as refused:
        elements.add_holder(
            actor=data_admin,
            element_id=other.pk,
            resource_id=insurance.pk,
            field="name",
            key_field="citizen_id",
        )
    assert refused.value.code == "field_already_held"


def test_moving_the_source_must_keep_the_holders_valid(data_admin, population, insurance):
    element = _create(
        data_admin,
        population,
        holders=[{"resource_id": insurance.pk, "field": "name", "key_field": "citizen_id"}],
    )
    with pytest.raises(InvalidInput) as refused:
        elements.update_element(actor=data_admin, element_id=element.pk, changes={"colour": "red"})
    assert refused.value.code == "unknown_attribute"
    with pytest.raises(InvalidInput) as refused:  # the holder's key is a citizen ID
        elements.update_element(
            actor=data_admin,
            element_id=element.pk,
            changes={"key_type": "credit_code"},
        )
    assert refused.value.code == "key_type_mismatch"
    element.refresh_from_db()
    assert (element.key_type, element.revision) == ("citizen_id", 1)


def test_only_the_data_bureau_keeps_the_register(
    officer, other_officer, xihu_staff, data_admin, population, insurance
):
    with pytest.raises(PermissionDeniedError):
        _create(officer, population)
    element = _create(data_admin, population)
    with pytest.raises(PermissionDeniedError):
        elements.update_element(actor=officer, element_id=element.pk, changes={"name": "x"})
    with pytest.raises(PermissionDeniedError):
        elements.add_holder(
            actor=other_officer,
            element_id=element.pk,
            resource_id=insurance.pk,
            field="name",
            key_field="citizen_id",
        )
    element.refresh_from_db()
    assert (element.name, element.revision) == ("公民姓名", 1)
    # Data officers read it; other staff do not.
    assert list(selectors.search_elements(officer)) == [element]
    with pytest.raises(PermissionDeniedError):
        selectors.search_elements(xihu_staff)


def test_suggested_holders_share_name_or_label_and_have_a_key(
    data_admin, population, insurance, vehicles, make_resource, officer
):
    make_resource(officer, name="无身份号码的名单", fields=[field("name", "姓名", is_key=True)])
    element = _create(data_admin, population)
    suggestions = selectors.suggest_holders(data_admin, element.pk)
    found = {(s.resource.pk, s.field, s.key_field, s.reason) for s in suggestions}
    assert found == {
        (insurance.pk, "name", "citizen_id", "name"),
        (vehicles.pk, "owner_name", "owner_citizen_id", "label"),
    }
    elements.add_holder(
        actor=data_admin,
        element_id=element.pk,
        resource_id=insurance.pk,
        field="name",
        key_field="citizen_id",
    )
    assert [s.resource for s in selectors.suggest_holders(data_admin, element.pk)] == [vehicles]


def test_problems_name_a_holder_whose_field_is_gone(
    data_admin, other_officer, population, insurance
):
    element = _create(
        data_admin,
        population,
        holders=[{"resource_id": insurance.pk, "field": "name", "key_field": "citizen_id"}],
    )
    assert selectors.element_problems(element) == {}
    services.withdraw_resource(actor=data_admin, resource_id=insurance.pk, reason="调整")
    services.set_fields(
        actor=other_officer,
        resource_id=insurance.pk,
        fields=[f for f in INSURANCE_FIELDS if f["name"] != "name"],
    )
    holder = element.holders.get()
    assert selectors.element_problems(element) == {
        holder.pk: ["resource_withdrawn", "holder_field_not_found"]
    }
    assert selectors.elements_of_resource(insurance)["held"] == [holder]
