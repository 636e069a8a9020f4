"""The demo catalog loads through the services, is published, searchable and idempotent."""

from smartgov.accounts.demo import load_demo
from smartgov.accounts.models import User
from smartgov.catalog import selectors
from smartgov.catalog.demo import load_demo_catalog
from smartgov.catalog.models import Field, Resource


def test_demo_catalog(regions):
    load_demo()
    summary = load_demo_catalog()
    assert Resource.objects.filter(status="published").count() >= 30
    assert summary.startswith(f"{Resource.objects.count()} published")
    fields = Field.objects.count()
    assert Resource.objects.values("provider").distinct().count() >= 10
    officer = User.objects.get(username="data_officer")
    assert officer.check_password("Smartgov@2026")
    assert {m.role.code for m in officer.memberships.all()} == {"data_officer"}
    assert User.objects.get(username="data_admin").memberships.get().scope == "city"

    load_demo_catalog()  # idempotent
    assert Field.objects.count() == fields
    assert Resource.objects.filter(revision=3).count() == Resource.objects.count()

    staff = User.objects.get(username="xihu_staff")
    found = selectors.search_resources(staff, query="户籍")
    top = {resource.name for resource in found[0:2]}
    assert top == {"杭州市户籍人口基本信息", "死亡注销户籍信息"}
    assert len(selectors.search_resources(staff, query="公积金")) == 2
    assert len(selectors.search_resources(staff, query="停车")) == 1
