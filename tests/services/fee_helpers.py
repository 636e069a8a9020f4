"""Fixtures of the fee and payment tests: a paid item (two fees), a free one, and an accepted
application of the citizen for the paid item."""

from __future__ import annotations

import base64

import pytest

from smartgov.services import applications as apps
from smartgov.services import forms, services
from tests.services.conftest import FORM

GOOD_FORM = {"reason": "办理户口迁移", "phone": "13800138000"}
FEES = [
    {"name": "工本费", "amount": "20", "basis": "《收费标准》"},
    {"name": "邮寄费", "amount": "8.5", "basis": ""},
]


def _item(make_item, publisher, **overrides):
    draft = make_item(applicant_kind="citizen", materials=[{"name": "申请书"}], **overrides)
    forms.set_form(actor=publisher, item_id=draft.pk, fields=FORM)
    return services.publish_item(actor=publisher, item_id=draft.pk)


@pytest.fixture
def paid_item(make_item, publisher):
    return _item(make_item, publisher, is_free=False, fees=FEES)


@pytest.fixture
def free_item(make_item, publisher):
    return _item(
        make_item, publisher, implementation_code="IMPL-FREE", basic_code="FREE01", is_free=True
    )


def submit(citizen, item):
    material = item.materials.get(name="申请书")
    return apps.submit_application(
        actor=citizen,
        item_code=item.implementation_code,
        form_data=GOOD_FORM,
        uploads=[
            {
                "material_id": material.pk,
                "file_name": "申请书.pdf",
                "content_base64": base64.b64encode(b"%PDF-1.4 test").decode(),
            }
        ],
    )


@pytest.fixture
def accepted(citizen, paid_item, desk):
    application = submit(citizen, paid_item)
    return apps.accept_application(actor=desk, number=application.number)
