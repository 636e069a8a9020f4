"""Fixtures and helpers of the approval tests: approvers and supervisors, a published item
with steps, an accepted application (star-imported by the approval test modules)."""

from __future__ import annotations

import base64

import pytest

from smartgov.licenses.models import HolderKind, LicenseType
from smartgov.licenses.verification import clear_verify_cache
from smartgov.services import applications as apps
from smartgov.services import forms, services
from smartgov.services.application_models import Application
from smartgov.services.permissions import APPROVER, SERVICE_SUPERVISOR
from tests.conftest import make_staff
from tests.services.conftest import FORM

__all__ = [
    "GOOD_FORM",
    "PDF",
    "PNG",
    "_fresh_verify_cache",
    "accepted",
    "approver",
    "approver2",
    "make_published",
    "other_approver",
    "residence",
    "supervisor",
    "tasks_of",
    "upload",
]


@pytest.fixture(autouse=True)
def _fresh_verify_cache():
    """Verification caches keys and types by id; ids come back after a rolled-back test."""
    clear_verify_cache()
    yield
    clear_verify_cache()


GOOD_FORM = {"reason": "办理居住证", "phone": "13800138000"}
PDF = b"%PDF-1.4 opinion"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def upload(material_id, name="申请书.pdf", content=b"%PDF-1.4 test"):
    return {
        "material_id": material_id,
        "file_name": name,
        "content_base64": base64.b64encode(content).decode(),
    }


@pytest.fixture
def approver(org):
    return make_staff("approver", org["xihu_bureau"], APPROVER, "department")


@pytest.fixture
def approver2(org):
    return make_staff("approver2", org["xihu_bureau"], APPROVER, "department")


@pytest.fixture
def other_approver(org):
    return make_staff("sc_approver", org["shangcheng_bureau"], APPROVER, "department")


@pytest.fixture
def supervisor(org):
    return make_staff("supervisor", org["xihu_bureau"], SERVICE_SUPERVISOR, "department")


@pytest.fixture
def make_published(make_item, publisher):
    def make(**overrides):
        values = {
            "applicant_kind": "citizen",
            "legal_days": 20,
            "promised_days": 5,
            "materials": [{"name": "申请书", "material_type": "original"}],
            "steps": [
                {"name": "受理", "limit_days": 0},
                {"name": "审查", "limit_days": 3},
                {"name": "决定", "limit_days": 2},
            ],
        }
        values.update(overrides)
        draft = make_item(**values)
        forms.set_form(actor=publisher, item_id=draft.pk, fields=FORM)
        return services.publish_item(actor=publisher, item_id=draft.pk)

    return make


def accepted(citizen, item, desk) -> Application:
    material = item.materials.get(name="申请书")
    application = apps.submit_application(
        actor=citizen,
        item_code=item.implementation_code,
        form_data=GOOD_FORM,
        uploads=[upload(material.pk)],
    )
    return apps.accept_application(actor=desk, number=application.number)


def tasks_of(application):
    return list(application.tasks.order_by("position", "pk"))


@pytest.fixture
def residence(org):
    return LicenseType.objects.create(
        code="JZZ",
        name="居住证",
        department=org["xihu_bureau"],
        holder_kind=HolderKind.CITIZEN,
        validity_years=1,
        schema={
            "fields": [
                {"name": "address", "label": "居住地址", "type": "string", "required": True},
                {"name": "issued_on", "label": "签发日期", "type": "date", "required": True},
                {"name": "phone", "label": "电话", "type": "string"},
            ]
        },
    )
