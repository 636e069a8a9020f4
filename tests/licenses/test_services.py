from __future__ import annotations

from datetime import date, timedelta

import pytest

from smartgov.core.audit import AuditRecord
from smartgov.core.crypto import encrypt_field, sm2_generate_keypair
from smartgov.core.errors import Conflict, InvalidInput, PermissionDeniedError
from smartgov.licenses import services
from smartgov.licenses.models import IssuerKey, License, LicenseStatus, LicenseUse
from tests.licenses.conftest import CREDIT_CODE

CITIZEN_ID = "11010519491231002X"


def test_issue_and_verify_happy_path(issued, citizen):
    assert issued.status == LicenseStatus.VALID
    assert issued.identifier.startswith("1.2.156.3005.2.MARRIAGE.D")
    assert issued.holder_index == citizen.citizen_id_index  # the accounts' blind index
    assert CITIZEN_ID not in issued.holder_id_encrypted
    assert issued.valid_until is None
    result = services.verify_license(identifier=issued.identifier)
    assert result.valid and result.reasons == []
    assert result.license["holder_name"] == "张*"
    payload_result = services.verify_license(payload=services.qr_url(issued, "https://x.gov"))
    assert payload_result.valid
    assert AuditRecord.objects.filter(action="licenses.license.issue").count() == 1
    assert list(services.holder_licenses(citizen)) == [issued]


def test_serials_increase_and_validity_from_type(officer, business):
    first = services.issue_license(
        actor=officer,
        license_type="biz",
        holder_id=CREDIT_CODE,
        holder_name="某公司",
        data={"capital": 100},
        valid_from="2024-02-29",
    )
    second = services.issue_license(
        actor=officer,
        license_type=business,
        holder_id=CREDIT_CODE,
        holder_name="某公司",
        data={"capital": 100},
    )
    assert (first.serial, second.serial) == (1, 2)
    assert first.valid_until == date(2029, 2, 27)
    assert first.holder_id_masked == CREDIT_CODE


def test_altered_data_is_detected(issued):
    License.objects.filter(pk=issued.pk).update(data={"spouse": "王五"})
    result = services.verify_license(identifier=issued.identifier)
    assert not result.valid and result.reasons == ["content_altered"]


def test_altered_validity_is_detected(issued):
    License.objects.filter(pk=issued.pk).update(valid_until=date(2099, 1, 1))
    assert services.verify_license(identifier=issued.identifier).reasons == ["content_altered"]


def test_altered_signature_in_payload(issued):
    sig = issued.signature
    forged = sig[:-1] + ("0" if sig[-1] != "0" else "1")
    result = services.verify_license(payload=f"{issued.identifier}~{forged}")
    assert not result.valid and result.reasons == ["signature_invalid"]


def test_altered_stored_signature(issued):
    sig = issued.signature
    License.objects.filter(pk=issued.pk).update(signature=sig[64:] + sig[:64])
    result = services.verify_license(identifier=issued.identifier)
    assert result.reasons == ["signature_invalid"]


def test_wrong_key(issued, org):
    # Same department, a key that did not sign it.
    pair = sm2_generate_keypair()
    other = IssuerKey.objects.create(
        department=issued.department,
        private_key_encrypted=encrypt_field(pair.private_key),
        public_key=pair.public_key,
        is_active=False,
    )
    License.objects.filter(pk=issued.pk).update(key=other)
    assert services.verify_license(identifier=issued.identifier).reasons == ["signature_invalid"]
    # Another department's key.
    foreign = services.active_key(org["shangcheng_bureau"])
    License.objects.filter(pk=issued.pk).update(key=foreign)
    reasons = services.verify_license(identifier=issued.identifier).reasons
    assert reasons == ["wrong_key", "signature_invalid"]


def test_revoked_suspended_reinstated(issued, officer):
    services.suspend_license(actor=officer, license=issued, reason="调查中")
    assert services.verify_license(identifier=issued.identifier).reasons == ["suspended"]
    assert services.find_valid_license(holder_id=CITIZEN_ID, type_code="MARRIAGE") is None
    services.reinstate_license(actor=officer, license=issued.identifier)
    assert services.verify_license(identifier=issued.identifier).valid
    services.revoke_license(actor=officer, license=issued, reason="登记错误")
    result = services.verify_license(identifier=issued.identifier)
    assert result.reasons == ["revoked"]
    with pytest.raises(Conflict):
        services.reinstate_license(actor=officer, license=issued)
    with pytest.raises(Conflict):
        services.revoke_license(actor=officer, license=issued, reason="again")
    actions = list(
        AuditRecord.objects.filter(action__startswith="licenses.license.")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions[-3:] == [
        "licenses.license.suspend",
        "licenses.license.reinstate",
        "licenses.license.revoke",
    ]


def test_revoke_needs_reason(issued, officer):
    with pytest.raises(InvalidInput) as info:
        services.revoke_license(actor=officer, license=issued, reason="  ")
    assert info.value.code == "reason_required"
    issued.refresh_from_db()
    assert issued.status == LicenseStatus.VALID


def test_expired_and_not_yet_valid(officer, business):
    today = date.today()
    lic = services.issue_license(
        actor=officer,
        license_type=business,
        holder_id=CREDIT_CODE,
        holder_name="某公司",
        data={"capital": 1},
        valid_from=today - timedelta(days=800),
        valid_until=today - timedelta(days=1),
    )
    assert services.verify_license(identifier=lic.identifier).reasons == ["expired"]
    future = services.issue_license(
        actor=officer,
        license_type=business,
        holder_id=CREDIT_CODE,
        holder_name="某公司",
        data={"capital": 1},
        valid_from=today + timedelta(days=3),
    )
    assert services.verify_license(identifier=future.identifier).reasons == ["not_yet_valid"]
    assert services.expire_licenses(today=today) == 1
    lic.refresh_from_db()
    assert lic.status == LicenseStatus.EXPIRED
    assert services.expire_licenses(today=today) == 0
    assert services.verify_license(identifier=lic.identifier).reasons == ["expired"]


def test_expire_command(officer, business):
    from django.core.management import call_command

    services.issue_license(
        actor=officer,
        license_type=business,
        holder_id=CREDIT_CODE,
        holder_name="某公司",
        data={"capital": 1},
        valid_from="2020-01-01",
        valid_until="2020-12-31",
    )
    call_command("licenses", "expire", "--today", "2021-01-01")
    assert License.objects.get().status == LicenseStatus.EXPIRED


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "garbage",
        "1.2.156.3005.2.X.Y.1.1.A~abc",
        "~" + "0" * 128,
        "a~b~c",
        "1.2.156.3005.2.MARRIAGE.D000001.00000001.01.Q~" + "z" * 128,
    ],
)
def test_malformed_payload(issued, payload):
    result = services.verify_license(payload=payload)
    assert not result.valid and result.reasons == ["malformed"] and result.license is None


def test_unknown_license(issued):
    from smartgov.licenses.identifiers import make_identifier

    ident = make_identifier(type_code="MARRIAGE", issuer_code="D999999", serial=1, version=1)
    assert services.verify_license(identifier=ident).reasons == ["unknown_license"]
    assert services.verify_license(identifier=issued.identifier[:-1] + "#").reasons == ["malformed"]


def test_permission_refusals_change_nothing(issued, other_officer, xihu_staff, marriage, citizen):
    before = AuditRecord.objects.count()
    for actor in (other_officer, xihu_staff, citizen):
        with pytest.raises(PermissionDeniedError):
            services.issue_license(
                actor=actor,
                license_type=marriage,
                holder_id=CITIZEN_ID,
                holder_name="张三",
                data={"spouse": "李四"},
            )
        with pytest.raises(PermissionDeniedError):
            services.revoke_license(actor=actor, license=issued, reason="x")
        with pytest.raises(PermissionDeniedError):
            services.suspend_license(actor=actor, license=issued, reason="x")
    assert License.objects.count() == 1
    issued.refresh_from_db()
    assert issued.status == LicenseStatus.VALID
    assert AuditRecord.objects.count() == before


@pytest.mark.parametrize(
    ("holder_id", "data", "code"),
    [
        ("110105194912310021", {"spouse": "李四"}, None),  # wrong check digit
        ("", {"spouse": "李四"}, "holder_id_required"),
        (CITIZEN_ID, {}, "data_invalid"),
        (CITIZEN_ID, {"spouse": 3}, "data_invalid"),
        (CITIZEN_ID, {"spouse": "李四", "registered_on": "2020-13-01"}, "data_invalid"),
        (CITIZEN_ID, {"spouse": "李四", "color": "red"}, "data_unknown_field"),
        (CITIZEN_ID, "nope", "data_invalid"),
    ],
)
def test_issue_bad_input(officer, marriage, holder_id, data, code):
    with pytest.raises(InvalidInput) as info:
        services.issue_license(
            actor=officer,
            license_type=marriage,
            holder_id=holder_id,
            holder_name="张三",
            data=data,
        )
    if code:
        assert info.value.code == code
    assert License.objects.count() == 0


def test_find_valid_license_and_record_use(issued, org, citizen):
    found = services.find_valid_license(holder_id=CITIZEN_ID, type_code="marriage")
    assert found == issued
    assert LicenseUse.objects.count() == 0  # finding logs nothing
    assert services.find_valid_license(holder_id="110105194912310011", type_code="MARRIAGE") is None
    assert services.find_valid_license(holder_id=CITIZEN_ID, type_code="NOPE") is None
    use = services.record_use(
        license=found, by=org["xihu_bureau"], purpose="办理户口迁移", reference="SQ2026000001"
    )
    assert use.department == org["xihu_bureau"]
    _, uses = services.license_uses(actor=citizen, identifier=issued.identifier)
    assert list(uses) == [use]
    with pytest.raises(InvalidInput):
        services.record_use(license=found, by=org["xihu_bureau"], purpose="", reference="")
    # Tampered rows are not offered for reuse.
    License.objects.filter(pk=issued.pk).update(holder_name="李四")
    assert services.find_valid_license(holder_id=CITIZEN_ID, type_code="MARRIAGE") is None


def test_get_license_visibility(issued, citizen, officer, other_officer):
    from smartgov.core.errors import NotFound

    assert services.get_license(actor=citizen, identifier=issued.identifier) == issued
    assert services.get_license(actor=officer, identifier=issued.identifier) == issued
    with pytest.raises(NotFound):
        services.get_license(actor=other_officer, identifier=issued.identifier)


def test_key_rotation_keeps_old_licenses_verifiable(issued, officer, marriage):
    old_key = issued.key
    new_key = services.rotate_key(actor=officer, department=issued.department)
    assert new_key.pk != old_key.pk
    old_key.refresh_from_db()
    assert not old_key.is_active
    assert services.verify_license(identifier=issued.identifier).valid
    newer = services.issue_license(
        actor=officer,
        license_type=marriage,
        holder_id=CITIZEN_ID,
        holder_name="张三",
        data={"spouse": "李四"},
    )
    assert newer.key == new_key
    assert services.verify_license(identifier=newer.identifier).valid


def test_private_key_is_encrypted(issued):
    key = issued.key
    assert key.private_key_encrypted.startswith("sm4") or len(key.private_key_encrypted) > 64
    from smartgov.core.crypto import decrypt_field, sm2_public_from_private

    assert sm2_public_from_private(decrypt_field(key.private_key_encrypted)) == key.public_key


def test_payload_url_percent_encoded_and_use_of_revoked(issued, officer, org):
    url = services.qr_url(issued, "https://gov.example").replace("~", "%7E")
    assert services.verify_license(payload=url).valid
    services.revoke_license(actor=officer, license=issued, reason="错误")
    with pytest.raises(Conflict):
        services.record_use(license=issued, by=org["xihu_bureau"], purpose="核验", reference="")
    assert LicenseUse.objects.count() == 0
