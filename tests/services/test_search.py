"""Chinese search and filters over published items."""

from __future__ import annotations

import pytest

from smartgov.core.errors import InvalidInput
from smartgov.services import selectors, services
from smartgov.services.selectors import ItemFilter


@pytest.fixture
def hall(make_item, publisher):
    made = {
        "setup": make_item(),
        "food": make_item(
            implementation_code="FOOD01",
            basic_code="000101002000",
            name="食品经营许可",
            tags=["开饭店", "餐饮"],
            keywords=[],
            result_name="食品经营许可证",
            applicant_kind="both",
            visits=1,
            online_level="online_preview",
            materials=[
                {"name": "食品经营许可申请书"},
                {"name": "营业执照", "proof_source": "e_license", "license_type_code": "yyzz"},
            ],
        ),
        "change": make_item(
            implementation_code="CHG01",
            name="营业执照变更登记",
            tags=[],
            keywords=[],
            result_name="",
            item_type="confirmation",
        ),
        "draft": make_item(implementation_code="DRAFT01", name="营业执照注销登记"),
    }
    for key in ("setup", "food", "change"):
        services.publish_item(actor=publisher, item_id=made[key].pk)
    return made


def names(items):
    return [item.name for item in items]


def test_licence_query_ranks_name_hits_first(hall):
    found = names(selectors.published_items(query="营业执照"))
    # The name hit first, then items that issue or need a business licence; drafts never.
    assert found[0] == "营业执照变更登记"
    assert set(found) == {"营业执照变更登记", "企业设立登记", "食品经营许可"}


def test_everyday_words_find_items_by_tags(hall):
    assert names(selectors.published_items(query="开饭店")) == ["食品经营许可"]
    assert names(selectors.published_items(query="开公司")) == ["企业设立登记"]
    assert selectors.published_items(query="结婚登记") == []


def test_filters(hall):
    def hits(**kw):
        return set(names(selectors.published_items(filters=ItemFilter(**kw))))

    assert hits() == {"企业设立登记", "食品经营许可", "营业执照变更登记"}
    assert hits(zero_visits=True) == {"企业设立登记", "营业执照变更登记"}
    assert hits(online_level="online_preview") == {"食品经营许可"}
    assert hits(applicant_kind="citizen") == {"食品经营许可"}
    assert hits(item_type="confirmation") == {"营业执照变更登记"}
    assert "食品经营许可" in names(
        selectors.published_items(query="餐饮", filters=ItemFilter(applicant_kind="enterprise"))
    )


def test_bad_filter_value(hall):
    with pytest.raises(InvalidInput) as err:
        selectors.published_items(filters=ItemFilter(item_type="nope"))
    assert err.value.code == "unknown_item_type"
