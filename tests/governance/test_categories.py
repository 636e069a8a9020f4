import pytest

from smartgov.core.errors import InvalidInput, PermissionDeniedError
from smartgov.core.models import AuditRecord
from smartgov.governance import categories
from smartgov.governance.models import Category
from tests.governance.places_fixtures import *  # noqa: F403 (fixtures)


def test_default_tree_is_realistic_and_idempotent(departments):
    created = categories.load_default_tree()
    majors = Category.objects.filter(parent=None)
    minors = categories.minor_categories()
    assert 15 <= majors.count() <= 25
    assert 80 <= minors.count() <= 125
    assert created == majors.count() + minors.count()
    assert categories.load_default_tree() == 0
    assert Category.objects.count() == created
    for minor in minors:
        assert minor.code.startswith(minor.parent.code) and len(minor.code) == 4
        assert minor.opening_condition and minor.closing_condition and minor.keywords
        assert minor.time_limit and minor.kind == minor.parent.kind
    manhole = categories.get_category("0101")
    assert manhole.name == "上水井盖" and manhole.time_limit_unit == "hours"
    assert manhole.default_department.name == "杭州市城市管理局"
    food = categories.get_category("2801")
    assert food.time_limit_unit == "days"
    assert food.default_department.name == "杭州市市场监督管理局"
    # No 教育局 among the demo departments: the role falls back to the government office.
    assert categories.get_category("2401").default_department.name == "杭州市人民政府办公厅"
    kinds = set(minors.values_list("kind", flat=True))
    assert kinds == {"part", "event", "complaint"}


def test_default_tree_keeps_edits_and_adds_missing(tree, gov_admin):
    lamp = categories.get_category("0110")
    categories.update_category(actor=gov_admin, category=lamp, name="路灯设施")

    Category.objects.filter(code="3005").delete()
    assert categories.load_default_tree(actor=gov_admin) == 1
    assert Category.objects.get(code="0110").name == "路灯设施"


def test_district_bureau_for_role(tree, regions):
    xihu = regions.get(code="330106")
    bureau = categories.district_department_for_role("urban_management", xihu)
    assert bureau.name == "杭州市西湖区城市管理局"
    assert categories.district_department_for_role("health", xihu) is None
    assert categories.role_of("2801") == "market_regulation"


def test_create_update_deactivate_audited(tree, gov_admin):
    major = Category.objects.get(code="01")
    before = AuditRecord.objects.count()
    minor = categories.create_category(
        actor=gov_admin,
        code="0199",
        name="热力井盖",
        kind="part",
        parent=major,
        time_limit=8,
        time_limit_unit="hours",
        opening_condition="热力井盖丢失或破损",
        closing_condition="井盖已补齐",
        keywords="热力 井盖",
    )
    assert categories.get_category("0199") == minor
    categories.update_category(actor=gov_admin, category=minor, time_limit=4)
    minor.refresh_from_db()
    assert minor.time_limit == 4
    categories.set_category_active(actor=gov_admin, category=major, active=False)
    with pytest.raises(InvalidInput) as error:
        categories.get_category("0101")
    assert error.value.code == "unknown_category"
    assert not categories.minor_categories().filter(parent=major).exists()
    actions = list(AuditRecord.objects.order_by("seq").values_list("action", flat=True)[before:])
    assert actions == [
        "governance.category.create",
        "governance.category.update",
        "governance.category.deactivate",
    ]


def test_configure_permission_needed(tree, dispatcher):
    major = Category.objects.get(code="01")
    count = Category.objects.count()
    with pytest.raises(PermissionDeniedError):
        categories.create_category(
            actor=dispatcher, code="0198", name="x", kind="part", parent=major
        )
    with pytest.raises(PermissionDeniedError):
        categories.update_category(actor=dispatcher, category=major, name="改名")
    with pytest.raises(PermissionDeniedError):
        categories.set_category_active(actor=dispatcher, category=major, active=False)
    assert Category.objects.count() == count
    major.refresh_from_db()
    assert major.name == "公用设施" and major.active


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"code": "01x9"}, "invalid_category_code"),
        ({"code": "0299"}, "invalid_category_code"),  # does not extend 01
        ({"code": "0101"}, "duplicate_category_code"),
        ({"name": " "}, "invalid_category_name"),
        ({"kind": "weather"}, "invalid_category_kind"),
        ({"time_limit": 0}, "invalid_time_limit"),
        ({"time_limit": 10_000, "time_limit_unit": "days"}, "invalid_time_limit"),
        ({"time_limit_unit": "weeks"}, "invalid_time_limit_unit"),
    ],
)
def test_bad_category_input(tree, gov_admin, changes, code):
    fields = {
        "code": "0197",
        "name": "新类",
        "kind": "part",
        "parent": Category.objects.get(code="01"),
    }
    fields.update(changes)
    count = Category.objects.count()
    with pytest.raises(InvalidInput) as error:
        categories.create_category(actor=gov_admin, **fields)
    assert error.value.code == code
    assert Category.objects.count() == count


def test_update_rejects_unknown_field_and_bad_values(tree, gov_admin):
    lamp = categories.get_category("0110")
    with pytest.raises(InvalidInput) as error:
        categories.update_category(actor=gov_admin, category=lamp, code="9999")
    assert error.value.code == "invalid_category_field"
    with pytest.raises(InvalidInput):
        categories.update_category(actor=gov_admin, category=lamp, time_limit=-3)
    lamp.refresh_from_db()
    assert lamp.code == "0110" and lamp.time_limit == 24


def test_unknown_category(db):
    with pytest.raises(InvalidInput) as error:
        categories.get_category("nope")
    assert error.value.code == "unknown_category"


def test_get_major_class(tree):
    assert categories.get_category("01").name == "公用设施"
    with pytest.raises(InvalidInput):
        categories.get_category("01", minor_only=True)
    assert categories.get_category("0101", minor_only=True).parent.code == "01"
