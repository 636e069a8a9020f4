"""Fixtures of the places/categories/routing/classifier tests: the demo department tree
(city bureaus, the three detailed districts' bureaus and street offices), the default category
tree, and staff with the governance roles."""

from __future__ import annotations

import pytest

from smartgov.accounts.demo import load_departments
from smartgov.governance.categories import load_default_tree
from smartgov.governance.permissions import CASE_HANDLER, DISPATCHER, GOVERNANCE_ADMIN
from tests.conftest import make_staff


@pytest.fixture
def departments(regions):
    return load_departments()


@pytest.fixture
def tree(departments):
    load_default_tree()
    return departments


@pytest.fixture
def gov_admin(departments):
    return make_staff("gov_admin", departments["市城管局"], GOVERNANCE_ADMIN, "city")


@pytest.fixture
def dispatcher(departments):
    return make_staff("dispatcher", departments["市12345中心"], DISPATCHER, "region_tree")


@pytest.fixture
def handler(departments):
    return make_staff("handler", departments["330106:城市管理局"], CASE_HANDLER, "department")
