"""API pushes (upsert, replace, deletes), versions, reads as of a version and diffs."""

from __future__ import annotations

import pytest

from smartgov.core.errors import SmartgovError
from smartgov.datastore import selectors, services
from smartgov.datastore.models import Rejection
from tests.datastore.conftest import person


def push(resource, officer, records, mode="upsert", deletes=None):
    return services.push_records(
        actor=officer, resource_id=resource.pk, mode=mode, records=records, deletes=deletes
    )


def names(officer, resource, version=None, **filters):
    page = selectors.read_records(
        officer, resource.pk, version=version, filters=filters, page_size=500
    )
    return {row["citizen_id"][-4:]: row["name"] for row in page["rows"]}


def test_upsert_versions_changed_rows_and_keeps_unchanged_ones(population, officer):
    first = push(population, officer, [person(1), person(2), person(3)])
    second = push(population, officer, [person(1), person(2, name="李四"), person(4)])
    assert (first.version, second.version) == (1, 2)
    assert (second.inserted, second.updated, second.unchanged, second.deleted) == (1, 1, 1, 0)
    assert sorted(names(officer, population).values()) == ["张1", "张3", "张4", "李四"]
    assert sorted(names(officer, population, version=1).values()) == ["张1", "张2", "张3"]


def test_replace_closes_rows_missing_from_the_delivery(population, officer):
    push(population, officer, [person(1), person(2), person(3)])
    delivery = push(population, officer, [person(1), person(4)], mode="replace")
    assert (delivery.inserted, delivery.unchanged, delivery.deleted) == (1, 1, 2)
    assert sorted(names(officer, population).values()) == ["张1", "张4"]
    assert len(names(officer, population, version=1)) == 3


def test_deletes_by_key(population, officer):
    push(population, officer, [person(1), person(2)])
    delivery = push(
        population,
        officer,
        [],
        deletes=[person(1)["citizen_id"], {"citizen_id": person(9)["citizen_id"]}],
    )
    assert (delivery.deleted, delivery.rejected) == (1, 1)
    assert Rejection.objects.get(delivery=delivery).code == "key_not_found"
    assert list(names(officer, population).values()) == ["张2"]


def test_unknown_fields_in_a_push_reject_the_record(population, officer):
    delivery = push(population, officer, [person(1), {**person(2), "colour": "red"}, "text"])
    assert (delivery.inserted, delivery.rejected) == (1, 2)
    codes = sorted(Rejection.objects.filter(delivery=delivery).values_list("code", flat=True))
    assert codes == ["not_an_object", "unknown_field"]


def test_unknown_mode_is_a_failed_delivery(population, officer):
    with pytest.raises(SmartgovError) as caught:
        push(population, officer, [person(1)], mode="merge")
    assert caught.value.code == "unknown_mode"


def test_filter_by_key(population, officer):
    push(population, officer, [person(1), person(2)])
    found = names(officer, population, citizen_id=person(2)["citizen_id"])
    assert list(found.values()) == ["张2"]
    with pytest.raises(SmartgovError):
        names(officer, population, name="张2")


def test_diff_between_versions(population, officer):
    push(population, officer, [person(1), person(2), person(3)])
    push(population, officer, [person(1), person(2, name="李四"), person(4)], mode="replace")
    result = selectors.diff(officer, population.pk, from_version=1, to_version=2)
    assert result["counts"] == {"added": 1, "changed": 1, "removed": 1}
    assert result["added"][0]["citizen_id"] == person(4)["citizen_id"]
    assert result["removed"][0]["citizen_id"] == person(3)["citizen_id"]
    change = result["changed"][0]
    assert (change["old"]["name"], change["new"]["name"]) == ("张2", "李四")
    assert change["key"] == {"citizen_id": person(2)["citizen_id"]}
    backwards = selectors.diff(officer, population.pk, from_version=2, to_version=1)
    assert backwards["counts"] == {"added": 1, "changed": 1, "removed": 1}
    assert backwards["added"][0]["citizen_id"] == person(3)["citizen_id"]
    with pytest.raises(SmartgovError) as caught:
        selectors.diff(officer, population.pk, from_version=1, to_version=7)
    assert caught.value.code == "unknown_version"


def test_hostile_field_names_and_values_in_a_push_are_reported_safely(population, officer):
    long_name = "x" * 300
    delivery = push(
        population, officer, [{**person(1), long_name: 1}, {**person(2), "a\x00b": "v\x00"}]
    )
    assert (delivery.inserted, delivery.rejected) == (0, 2)
    fields = set(Rejection.objects.filter(delivery=delivery).values_list("field", flat=True))
    assert fields == {"x" * 63, "a\u2400b"}
