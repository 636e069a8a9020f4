"""The open-data demo: topics, tags and counts on the demo catalog's open resources, two
conditionally open resources, the demo developer's key and applications; a second run changes
nothing."""

from smartgov.accounts.demo import load_demo
from smartgov.catalog.demo import load_demo_catalog
from smartgov.catalog.models import Resource
from smartgov.opendata.demo import CONDITIONAL, load_demo_opendata
from smartgov.opendata.models import (
    ApplicationStatus,
    DeveloperKey,
    OpenApplication,
    Publication,
    Topic,
)
from smartgov.opendata.selectors import open_resources


def _state():
    return (
        open_resources().count(),
        Topic.objects.count(),
        Publication.objects.filter(topic__isnull=False).count(),
        DeveloperKey.objects.count(),
        sorted(OpenApplication.objects.values_list("status", flat=True)),
    )


def test_demo_open_data(regions):
    load_demo()
    load_demo_catalog()
    summary = load_demo_opendata()
    assert summary.startswith(f"{open_resources().count()} open resources")
    for code in CONDITIONAL:
        assert Resource.objects.get(code=code).open_type == "conditional"
    assert Topic.objects.count() == 8
    assert Publication.objects.filter(topic__isnull=False).count() == open_resources().count()
    assert DeveloperKey.objects.filter(user__username="enterprise").count() == 1
    assert sorted(OpenApplication.objects.values_list("status", flat=True)) == [
        ApplicationStatus.APPROVED,
        ApplicationStatus.PENDING,
    ]
    assert Publication.objects.get(resource__code="308001002/000001").api_count == 24800
    before = _state()
    load_demo_opendata()
    assert _state() == before
