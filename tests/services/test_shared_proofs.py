"""Shared-data proofs (数据共享免证明): a material found in a resource's data store table under a
usable grant; the lookup is logged in the sharing call log; without a grant nothing is read."""

from __future__ import annotations

import base64

import pytest

from smartgov.core.crypto import blind_index
from smartgov.core.errors import InvalidInput
from smartgov.services import applications as apps
from smartgov.services import forms, services
from smartgov.services.application_models import Application, ApplicationMaterial, SatisfiedBy
from smartgov.services.shared_proofs import find_shared_record
from smartgov.sharing import services as sharing_services
from smartgov.sharing.metering import reads_of
from smartgov.sharing.models import CallLog
from tests.datastore.conftest import citizen_id
from tests.services import bundle_helpers as helpers
from tests.services.conftest import CITIZEN_ID, FORM

data_admin = helpers.data_admin
data_officer = helpers.data_officer
grant = helpers.grant
population = helpers.population

GOOD_FORM = {"reason": "办理户口迁移", "phone": "13800138000"}


@pytest.fixture
def shared_item(make_item, publisher, population):
    draft = make_item(
        applicant_kind="citizen",
        materials=[
            {"name": "申请书"},
            {
                "name": "户口簿",
                "proof_source": "shared_data",
                "resource_id": population.pk,
                "resource_field": "citizen_id",
            },
        ],
    )
    forms.set_form(actor=publisher, item_id=draft.pk, fields=FORM)
    return services.publish_item(actor=publisher, item_id=draft.pk)


def material(item, name):
    return item.materials.get(name=name)


def upload(material_id):
    return {
        "material_id": material_id,
        "file_name": "申请书.pdf",
        "content_base64": base64.b64encode(b"%PDF-1.4 test").decode(),
    }


def test_found_with_grant_masked_as_granted_and_logged(shared_item, grant, population, org):
    record = find_shared_record(
        material=material(shared_item, "户口簿"),
        holder_id=CITIZEN_ID,
        department=org["xihu_bureau"],
        reference="BJTEST",
    )
    assert record["resource"]["id"] == population.pk
    assert record["reference"].startswith(population.code + "#")
    assert record["fields"]["name"] == "张三"  # granted in clear
    assert record["fields"]["citizen_id"] != CITIZEN_ID  # masked by its rule
    assert record["fields"]["household_address"] != "杭州市西湖区文三路1号"
    call = CallLog.objects.get()
    assert call.method == "INTERNAL" and call.status == 200 and call.result_count == 1
    assert call.grant_id_ref == grant.pk and call.consumer_id_ref == org["xihu_bureau"].pk
    assert call.provider_id_ref == population.provider_id
    assert call.subject_hash == blind_index(CITIZEN_ID, purpose="citizen_id")
    assert CITIZEN_ID not in call.path
    assert "BJTEST" in call.path


def test_no_row_for_the_applicant_is_none_and_logged(shared_item, grant, org):
    record = find_shared_record(
        material=material(shared_item, "户口簿"),
        holder_id=citizen_id(5),
        department=org["xihu_bureau"],
    )
    assert record is None
    call = CallLog.objects.get()
    assert call.status == 404 and call.result_count == 0 and call.fields == ""


def test_without_grant_nothing_is_read(shared_item, population, org):
    assert (
        find_shared_record(
            material=material(shared_item, "户口簿"),
            holder_id=CITIZEN_ID,
            department=org["xihu_bureau"],
        )
        is None
    )
    assert not CallLog.objects.exists()


def test_revoked_grant_is_not_usable(shared_item, grant, org, data_admin):
    sharing_services.revoke_grant(actor=data_admin, grant_id=grant.pk, reason="停止合作")
    assert (
        find_shared_record(
            material=material(shared_item, "户口簿"),
            holder_id=CITIZEN_ID,
            department=org["xihu_bureau"],
        )
        is None
    )


def test_other_department_has_no_grant(shared_item, grant, org):
    assert (
        find_shared_record(
            material=material(shared_item, "户口簿"),
            holder_id=CITIZEN_ID,
            department=org["city"],
        )
        is None
    )


def test_application_uses_shared_record_and_citizen_sees_the_read(
    citizen, shared_item, grant, population
):
    application = apps.submit_application(
        actor=citizen,
        item_code=shared_item.implementation_code,
        form_data=GOOD_FORM,
        uploads=[upload(material(shared_item, "申请书").pk)],
    )
    row = application.materials.get(material__name="户口簿")
    assert row.satisfied_by == SatisfiedBy.SHARED_DATA
    assert row.shared_reference.startswith(population.code + "#")
    assert not row.file
    receipt = apps.receipt(application)
    by_name = {m["name"]: m for m in receipt["materials"]}
    assert by_name["户口簿"]["satisfied_by"] == "shared_data"
    assert by_name["户口簿"]["shared_reference"] == row.shared_reference
    reads = list(reads_of(citizen))
    assert len(reads) == 1 and application.number in reads[0].path


def test_application_without_grant_asks_for_the_material(citizen, shared_item):
    with pytest.raises(InvalidInput) as err:
        apps.submit_application(
            actor=citizen,
            item_code=shared_item.implementation_code,
            form_data=GOOD_FORM,
            uploads=[upload(material(shared_item, "申请书").pk)],
        )
    assert err.value.code == "materials_missing"
    assert [m["name"] for m in err.value.detail["materials"]] == ["户口簿"]
    assert not Application.objects.exists()


# --- In a bundle ----------------------------------------------------------------------------


def test_bundle_groups_shared_materials_and_reads_once_per_department(
    citizen, make_item, publisher, org, population, grant
):
    from smartgov.services import bundles
    from smartgov.services.permissions import ITEM_PUBLISHER, SERVICE_SUPERVISOR
    from tests.conftest import make_staff

    def shared_material(name):
        return {
            "name": name,
            "proof_source": "shared_data",
            "resource_id": population.pk,
            "resource_field": "citizen_id",
        }

    sc_publisher = make_staff("sc_pub", org["shangcheng_bureau"], ITEM_PUBLISHER, "department")
    made = []
    for actor, department, code, material in (
        (publisher, org["xihu_bureau"], "SD001", shared_material("户口簿")),
        (sc_publisher, org["shangcheng_bureau"], "SD002", shared_material("户口本首页")),
        (sc_publisher, org["shangcheng_bureau"], "SD003", shared_material("户籍证明")),
    ):
        draft = make_item(
            actor=actor,
            department_id=department.pk,
            basic_code=code,
            implementation_code=f"IMPL-{code}",
            applicant_kind="citizen",
            materials=[material],
        )
        forms.set_form(actor=actor, item_id=draft.pk, fields=FORM)
        made.append(services.publish_item(actor=actor, item_id=draft.pk))
    manager = make_staff("sd_manager", org["xihu_bureau"], SERVICE_SUPERVISOR, "department")
    bundle = bundles.create_bundle(
        actor=manager,
        code="HUKOU",
        name="户籍一件事",
        lead_department_id=org["xihu_bureau"].pk,
        basic_codes=["SD001", "SD002", "SD003"],
    )
    bundles.publish_bundle(actor=manager, bundle_id=bundle.pk)
    entries = bundles.merged_materials(bundle)
    assert len(entries) == 1 and entries[0]["key"] == f"shared:{population.pk}.citizen_id"
    assert entries[0]["proof_source"] == "shared_data" and len(entries[0]["items"]) == 3
    made_application = bundles.apply_bundle(actor=citizen, code="HUKOU", form_data=GOOD_FORM)
    rows = ApplicationMaterial.objects.filter(application__bundle_application=made_application)
    assert {r.satisfied_by for r in rows} == {SatisfiedBy.SHARED_DATA} and rows.count() == 3
    # 西湖区 reads under its grant, 上城区 (the provider) reads its own data: once each.
    calls = list(CallLog.objects.order_by("id"))
    assert len(calls) == 2
    assert {c.consumer_id_ref for c in calls} == {
        org["xihu_bureau"].pk,
        org["shangcheng_bureau"].pk,
    }
    assert {c.grant_id_ref for c in calls} == {grant.pk, None}
    assert all(made_application.number in c.path for c in calls)
