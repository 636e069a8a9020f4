import pytest

from smartgov.core.errors import InvalidInput, PermissionDeniedError
from smartgov.core.models import AuditRecord
from smartgov.governance import routing
from smartgov.governance.categories import get_category
from smartgov.governance.models import Category, DispatchRule
from tests.governance.places_fixtures import *  # noqa: F403 (fixtures)


@pytest.fixture
def place(regions):
    return {
        "street": regions.get(code="330106004"),  # 西溪街道
        "other_street": regions.get(code="330106005"),  # 翠苑街道
        "district": regions.get(code="330106"),
        "binjiang": regions.get(code="330108"),
        "city": regions.get(code="330100"),
    }


def test_precedence(tree, gov_admin, place):
    d = tree
    hawker = get_category("1503")  # 无证摊贩
    major = hawker.parent
    street, district = place["street"], place["district"]
    # No rule: the default department (the city bureau of the role).
    assert (
        routing.department_for(category=hawker, street=street, district=district) == d["市城管局"]
    )
    routing.set_rule(
        actor=gov_admin, category=major, region=place["city"], department=d["市公安局"]
    )
    assert (
        routing.department_for(category=hawker, street=street, district=district) == d["市公安局"]
    )
    routing.set_rule(actor=gov_admin, category=major, region=district, department=d["330106"])
    assert routing.department_for(category=hawker, street=street, district=district) == d["330106"]
    routing.set_rule(
        actor=gov_admin, category=hawker, region=district, department=d["330106:城市管理局"]
    )
    assert (
        routing.department_for(category=hawker, street=street, district=district)
        == d["330106:城市管理局"]
    )
    routing.set_rule(actor=gov_admin, category=hawker, region=street, department=d["330106004"])
    assert (
        routing.department_for(category=hawker, street=street, district=district) == d["330106004"]
    )
    # Another street of the district: the district rule; the street alone finds its district.
    assert (
        routing.department_for(category=hawker, street=place["other_street"], district=None)
        == d["330106:城市管理局"]
    )
    # Another district: the major-class rule of the city.
    assert (
        routing.department_for(category=hawker, street=None, district=place["binjiang"])
        == d["市公安局"]
    )
    # No place at all: the default department.
    assert routing.department_for(category=hawker, street=None, district=None) == d["市城管局"]


def test_minor_default_then_major_default_and_inactive(tree, place):
    d = tree
    lamp = get_category("0110")
    Category.objects.filter(pk=lamp.pk).update(default_department=None)
    Category.objects.filter(pk=lamp.parent_id).update(default_department=d["市应急管理局"])
    lamp = get_category("0110")
    assert routing.department_for(category=lamp, street=None, district=None) == d["市应急管理局"]
    d["市应急管理局"].is_active = False
    d["市应急管理局"].save()
    lamp = get_category("0110")
    assert routing.department_for(category=lamp, street=None, district=place["district"]) is None


def test_set_rule_updates_and_delete(tree, gov_admin, place):
    d = tree
    lamp = get_category("0110")
    rule = routing.set_rule(
        actor=gov_admin, category=lamp, region=place["district"], department=d["330106"]
    )
    same = routing.set_rule(
        actor=gov_admin, category=lamp, region=place["district"], department=d["330106:城市管理局"]
    )
    assert same.pk == rule.pk and DispatchRule.objects.count() == 1
    assert list(routing.rules(category=lamp)) == [same]
    routing.delete_rule(actor=gov_admin, rule=same)
    assert DispatchRule.objects.count() == 0
    actions = list(
        AuditRecord.objects.filter(action__startswith="governance.rule")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["governance.rule.set", "governance.rule.set", "governance.rule.delete"]


def test_rules_need_configure(tree, gov_admin, dispatcher, place):
    lamp = get_category("0110")
    with pytest.raises(PermissionDeniedError):
        routing.set_rule(
            actor=dispatcher, category=lamp, region=place["district"], department=tree["330106"]
        )
    rule = routing.set_rule(
        actor=gov_admin, category=lamp, region=place["district"], department=tree["330106"]
    )
    with pytest.raises(PermissionDeniedError):
        routing.delete_rule(actor=dispatcher, rule=rule)
    assert DispatchRule.objects.get().department == tree["330106"]


def test_bad_rules(tree, gov_admin, place, regions):
    lamp = get_category("0110")
    with pytest.raises(InvalidInput) as error:
        routing.set_rule(
            actor=gov_admin,
            category=lamp,
            region=regions.get(code="330000"),
            department=tree["city"],
        )
    assert error.value.code == "invalid_rule_region"
    department = tree["330106"]
    department.is_active = False
    department.save()
    with pytest.raises(InvalidInput) as error:
        routing.set_rule(
            actor=gov_admin, category=lamp, region=place["district"], department=department
        )
    assert error.value.code == "inactive_department"
    with pytest.raises(InvalidInput):
        routing.set_rule(actor=gov_admin, category=lamp, region=None, department=tree["city"])
    assert DispatchRule.objects.count() == 0
