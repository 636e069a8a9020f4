"""Item lifecycle: draft → publish → new version → withdraw, with refusals."""

from __future__ import annotations

import pytest

from smartgov.core.errors import Conflict, InvalidInput, NotFound, PermissionDeniedError
from smartgov.core.models import AuditRecord
from smartgov.services import selectors, services
from smartgov.services.models import ItemStatus, ServiceItem


def test_draft_publish_new_version_supersedes(make_item, officer, publisher):
    draft = make_item()
    assert draft.status == ItemStatus.DRAFT and draft.version == 1
    assert draft.materials.first().name == "公司登记（备案）申请书"
    published = services.publish_item(actor=publisher, item_id=draft.pk)
    assert published.status == ItemStatus.PUBLISHED and published.published_at
    assert selectors.published_item(draft.implementation_code).pk == draft.pk

    second = services.new_version(actor=officer, item_id=draft.pk)
    assert second.version == 2 and second.supersedes_id == draft.pk
    assert second.materials.count() == 2 and second.steps.count() == 3
    services.update_item(actor=officer, item_id=second.pk, changes={"promised_days": 2})
    # Publishing the draft replaces version 1 on the guide page; version 1 row stays.
    services.publish_item(actor=publisher, item_id=second.pk)
    draft.refresh_from_db()
    assert draft.status == ItemStatus.SUPERSEDED and draft.promised_days == 1
    current = selectors.published_item(draft.implementation_code)
    assert current.pk == second.pk and current.promised_days == 2

    services.withdraw_item(actor=publisher, item_id=second.pk, reason="事项调整")
    with pytest.raises(NotFound):
        selectors.published_item(draft.implementation_code)
    actions = list(
        AuditRecord.objects.filter(action__startswith="services.item.")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "services.item.create",
        "services.item.publish",
        "services.item.new_version",
        "services.item.update",
        "services.item.supersede",
        "services.item.publish",
        "services.item.withdraw",
    ]


def test_compression_ratio(make_item):
    item = make_item(legal_days=20, promised_days=5)
    assert services.compression_ratio(item) == pytest.approx(0.75)
    assert services.compression_ratio(make_item(implementation_code="X2", legal_days=None)) is None


def test_publish_refuses_promised_longer_than_legal(make_item, publisher):
    item = make_item(legal_days=5, promised_days=10)
    with pytest.raises(InvalidInput) as err:
        services.publish_item(actor=publisher, item_id=item.pk)
    assert err.value.code == "promised_exceeds_legal"
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT


def test_publish_refuses_without_steps_and_missing_fields(make_item, publisher):
    item = make_item(steps=[], legal_basis="", consult_phone="")
    with pytest.raises(InvalidInput) as err:
        services.publish_item(actor=publisher, item_id=item.pk)
    codes = [p["code"] for p in err.value.detail["problems"]]
    assert codes[0] == "item_incomplete" and "steps_required" in codes
    assert set(err.value.detail["problems"][0]["fields"]) == {"legal_basis", "consult_phone"}
    assert ServiceItem.objects.get(pk=item.pk).status == ItemStatus.DRAFT


def test_published_version_is_not_editable(make_item, officer, publisher):
    item = make_item()
    services.publish_item(actor=publisher, item_id=item.pk)
    with pytest.raises(Conflict) as err:
        services.update_item(actor=officer, item_id=item.pk, changes={"name": "改名"})
    assert err.value.code == "not_a_draft"
    services.new_version(actor=officer, item_id=item.pk)
    with pytest.raises(Conflict) as err:
        services.new_version(actor=officer, item_id=item.pk)
    assert err.value.code == "draft_exists"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"item_type": "magic"}, "unknown_item_type"),
        ({"promised_days": -1}, "promised_days_invalid"),
        ({"promised_days": "abc"}, "promised_days_invalid"),
        ({"fees": [{"name": "工本费", "amount": "x"}]}, "fee_amount"),
        ({"materials": [{"name": ""}]}, "material_name_required"),
        (
            {"materials": [{"name": "证明", "requirement": "conditional"}]},
            "material_condition_required",
        ),
        (
            {"materials": [{"name": "营业执照", "proof_source": "e_license"}]},
            "license_type_required",
        ),
        ({"materials": [{"name": "户籍", "proof_source": "shared_data"}]}, "resource_not_found"),
        ({"steps": [{"name": "审查", "limit_days": 1.5}]}, "step_limit_invalid"),
        ({"colour": "red"}, "unknown_attribute"),
    ],
)
def test_bad_input_is_refused(make_item, overrides, code):
    with pytest.raises(InvalidInput) as err:
        make_item(**overrides)
    assert err.value.code == code
    assert not ServiceItem.objects.exists()


def test_duplicate_code_is_refused(make_item):
    make_item()
    with pytest.raises(Conflict) as err:
        make_item()
    assert err.value.code == "item_code_exists"
    assert ServiceItem.objects.count() == 1


def test_permission_refusals_change_nothing(make_item, officer, xihu_staff, other_publisher, org):
    with pytest.raises(PermissionDeniedError):
        make_item(actor=xihu_staff)
    assert not ServiceItem.objects.exists()
    item = make_item()
    # An officer drafts but does not publish.
    with pytest.raises(PermissionDeniedError):
        services.publish_item(actor=officer, item_id=item.pk)
    # Another district's publisher cannot see the item at all.
    with pytest.raises(NotFound):
        services.publish_item(actor=other_publisher, item_id=item.pk)
    with pytest.raises(NotFound):
        services.update_item(actor=other_publisher, item_id=item.pk, changes={"name": "x"})
    # Nor draft one for a department outside their scope.
    with pytest.raises(NotFound):
        make_item(actor=other_publisher, implementation_code="OTHER")
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT and item.name == "企业设立登记"
    assert ServiceItem.objects.count() == 1
    assert selectors.managed_items(other_publisher).count() == 0
    assert selectors.managed_items(officer).count() == 1
