"""Objections (数据异议): raised by a consumer with a grant or by the record's subject; the
provider corrects (a new version of the record) or rejects; the objector is told."""

from __future__ import annotations

import pytest

from smartgov.accounts import services as account_services
from smartgov.core.errors import Conflict, InvalidInput, NotFound, PermissionDeniedError
from smartgov.core.models import AuditRecord
from smartgov.datastore import selectors as datastore_selectors
from smartgov.datastore.models import StoreTable
from smartgov.sharing import inbox, objections, services
from smartgov.sharing.models import Grant, ObjectionStatus, ObjectorKind
from tests.conftest import PASSWORD
from tests.datastore.conftest import citizen_id
from tests.sharing.conftest import people_row


@pytest.fixture
def granted(app, people, submit, officer, data_admin):
    """The consumer's app holds a grant on name and gender of the population resource."""
    request = submit(app, people, fields=["citizen_id", "name", "gender"], clear_fields=[])
    provider_step, bureau_step = request.steps.order_by("position")
    services.approve_step(actor=officer, step_id=provider_step.pk)
    services.approve_step(actor=data_admin, step_id=bureau_step.pk)
    return Grant.objects.get(request=request)


@pytest.fixture
def subject(db):
    """A citizen whose record (number 2) is in the population resource."""
    return account_services.create_citizen(
        actor=None,
        username="zhang2",
        real_name="张2",
        citizen_id=citizen_id(2),
        password=PASSWORD,
        phone="13900139000",
    )


def test_consumer_objection_corrected_makes_a_new_version(granted, people, consumer, officer):
    table = StoreTable.objects.get(resource=people)
    before = table.version
    objection = objections.raise_objection(
        actor=consumer,
        resource_id=people.pk,
        record_key=citizen_id(1),
        field="name",
        proposed_value="章1",
        reason="户籍登记姓名有误",
    )
    assert objection.objector_kind == ObjectorKind.CONSUMER
    assert objection.objector_department == granted.consumer
    assert objection.provider == people.provider and objection.current_value == "张1"
    assert objection.status == ObjectionStatus.OPEN and objection.due_date
    # The provider sees it in the workbench inbox, with the deadline.
    items = [i for i in inbox.pending_for(officer) if i.kind == "sharing_objection"]
    assert len(items) == 1 and items[0].deadline is not None
    objections.correct_objection(actor=officer, objection_id=objection.pk, response="已更正")
    objection.refresh_from_db()
    table.refresh_from_db()
    assert objection.status == ObjectionStatus.CORRECTED
    assert objection.corrected_version == table.version == before + 1
    rows = datastore_selectors.read_records(
        officer, people.pk, filters={"citizen_id": citizen_id(1)}
    )["rows"]
    assert rows[0]["name"] == "章1" and rows[0]["gender"] == "男"
    old = datastore_selectors.read_records(
        officer, people.pk, version=before, filters={"citizen_id": citizen_id(1)}
    )["rows"]
    assert old[0]["name"] == "张1"
    assert list(
        AuditRecord.objects.filter(action__startswith="sharing.objection")
        .order_by("seq")
        .values_list("action", flat=True)
    ) == ["sharing.objection.raise", "sharing.objection.corrected"]
    # The objector is told (until they look at it), the provider's item is gone.
    assert not [i for i in inbox.pending_for(officer) if i.kind == "sharing_objection"]
    told = [i for i in inbox.pending_for(consumer) if i.kind == "sharing_objection_answer"]
    assert len(told) == 1
    objections.mark_answer_seen(actor=consumer, objection_id=objection.pk)
    assert not [i for i in inbox.pending_for(consumer) if i.kind == "sharing_objection_answer"]
    with pytest.raises(Conflict) as caught:  # answered once only
        objections.reject_objection(actor=officer, objection_id=objection.pk, reason="x")
    assert caught.value.code == "objection_closed"


def test_subject_objects_to_own_record_and_provider_rejects(people, subject, officer):
    objection = objections.raise_objection(
        actor=subject,
        resource_id=people.pk,
        field="household_address",
        reason="已迁出",
        proposed_value="杭州市上城区",
    )
    assert objection.record_key == citizen_id(2)
    assert objection.objector_kind == ObjectorKind.SUBJECT
    with pytest.raises(InvalidInput):
        objections.reject_objection(actor=officer, objection_id=objection.pk, reason="")
    objections.reject_objection(actor=officer, objection_id=objection.pk, reason="以户籍登记为准")
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.REJECTED
    assert objection.response == "以户籍登记为准" and objection.corrected_version is None


def test_subject_cannot_object_to_someone_else(people, subject):
    with pytest.raises(PermissionDeniedError) as caught:
        objections.raise_objection(
            actor=subject,
            resource_id=people.pk,
            record_key=citizen_id(1),
            field="name",
            reason="x",
        )
    assert caught.value.code == "not_your_record"


def test_consumer_needs_a_grant_covering_the_field(people, consumer, granted):
    with pytest.raises(PermissionDeniedError) as caught:
        objections.raise_objection(
            actor=consumer,
            resource_id=people.pk,
            record_key=citizen_id(1),
            field="household_address",
            reason="x",
        )
    assert caught.value.code == "field_not_granted"
    services.revoke_grant(actor=consumer, grant_id=granted.pk, reason="不再使用")
    with pytest.raises(PermissionDeniedError) as caught:
        objections.raise_objection(
            actor=consumer,
            resource_id=people.pk,
            record_key=citizen_id(1),
            field="name",
            reason="x",
        )
    assert caught.value.code == "no_grant"


@pytest.mark.parametrize(
    ("values", "code", "error"),
    [
        ({"field": "nope"}, "unknown_fields", InvalidInput),
        ({"field": "citizen_id"}, "key_field", InvalidInput),
        ({"reason": ""}, "reason_required", InvalidInput),
        ({"record_key": ""}, "record_key_required", InvalidInput),
        ({"record_key": citizen_id(99)}, "record_not_found", NotFound),
        ({"record_key": "not-an-id"}, "record_not_found", NotFound),
    ],
)
def test_bad_objections_are_refused(people, consumer, granted, values, code, error):
    data = {"record_key": citizen_id(1), "field": "name", "reason": "错误", **values}
    with pytest.raises(error) as caught:
        objections.raise_objection(actor=consumer, resource_id=people.pk, **data)
    assert caught.value.code == code


def test_only_the_provider_answers(people, subject, consumer, stranger):
    objection = objections.raise_objection(
        actor=subject, resource_id=people.pk, field="name", reason="错字", proposed_value="张二"
    )
    with pytest.raises(NotFound):
        objections.correct_objection(actor=stranger, objection_id=objection.pk)
    with pytest.raises((NotFound, PermissionDeniedError)):
        objections.correct_objection(actor=consumer, objection_id=objection.pk)


def test_invalid_correction_is_refused_and_changes_nothing(people, subject, officer):
    objection = objections.raise_objection(
        actor=subject, resource_id=people.pk, field="gender", reason="错", proposed_value="未知"
    )
    version = StoreTable.objects.get(resource=people).version
    with pytest.raises(InvalidInput) as caught:
        objections.correct_objection(actor=officer, objection_id=objection.pk)
    assert caught.value.code == "correction_rejected"
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.OPEN
    assert StoreTable.objects.get(resource=people).version == version


def test_duplicate_open_objection_is_refused(people, subject):
    objections.raise_objection(actor=subject, resource_id=people.pk, field="name", reason="错")
    with pytest.raises(Conflict) as caught:
        objections.raise_objection(actor=subject, resource_id=people.pk, field="name", reason="错")
    assert caught.value.code == "objection_open"


def test_people_row_helper_matches_the_schema():
    assert set(people_row(1)) == {"citizen_id", "name", "gender", "phone", "household_address"}


def test_enterprise_objects_to_its_own_registration(companies, officer):
    from tests.datastore.conftest import credit_code

    enterprise = account_services.create_enterprise(
        actor=None,
        username="xixi_tech",
        name="西溪科技",
        credit_code=credit_code(),
        legal_representative="刘洋",
        password=PASSWORD,
        phone="13700137000",
    )
    objection = objections.raise_objection(
        actor=enterprise,
        resource_id=companies.pk,
        field="address",
        proposed_value="文三路2号",
        reason="已迁址",
    )
    assert objection.record_key == credit_code() and objection.current_value == "文三路1号"
    objections.correct_objection(actor=officer, objection_id=objection.pk)
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.CORRECTED and objection.corrected_version == 2
