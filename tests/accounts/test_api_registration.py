"""Self-registration of citizens and enterprises: identifiers checked, nothing half-written."""

from __future__ import annotations

import pytest

from smartgov.accounts.models import User
from smartgov.core.models import AuditRecord
from smartgov.core.validators import credit_code_check_char
from tests.conftest import PASSWORD

CITIZEN_URL = "/api/v1/register/citizen"
ENTERPRISE_URL = "/api/v1/register/enterprise"
VALID_ID = "11010519491231002X"
CREDIT_FIRST17 = "91330106MA2CXXB1K"
VALID_CREDIT_CODE = CREDIT_FIRST17 + credit_code_check_char(CREDIT_FIRST17)


def citizen_payload(**changes) -> dict:
    return {
        "username": "lisi",
        "real_name": "李四",
        "citizen_id": VALID_ID,
        "password": PASSWORD,
        "phone": "13900139000",
        **changes,
    }


def enterprise_payload(**changes) -> dict:
    return {
        "username": "acme",
        "name": "杭州某某科技有限公司",
        "credit_code": VALID_CREDIT_CODE,
        "legal_representative": "王五",
        "password": PASSWORD,
        **changes,
    }


def post(client, url, payload):
    return client.post(url, payload, content_type="application/json")


def test_register_citizen(client, db):
    response = post(client, CITIZEN_URL, citizen_payload())
    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "citizen" and body["username"] == "lisi"
    assert body["citizen_id_masked"] != VALID_ID and VALID_ID not in response.content.decode()
    user = User.objects.get(username="lisi")
    assert user.citizen_id == VALID_ID
    assert AuditRecord.objects.filter(action="accounts.user.create", object_id=str(user.pk))


@pytest.mark.parametrize(
    ("citizen_id", "code"),
    [
        ("110105194912310021", "citizen_id_checksum"),
        ("11010519491231002", "citizen_id_length"),
        ("1101051949123100AX", "citizen_id_format"),
        ("990105194912310020", "citizen_id_region"),
        ("110105194913310020", "citizen_id_birth_date"),
        ("", "citizen_id_length"),
    ],
)
def test_malformed_citizen_id_is_refused(client, db, citizen_id, code):
    response = post(client, CITIZEN_URL, citizen_payload(citizen_id=citizen_id))
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert not User.objects.exists()
    assert not AuditRecord.objects.exists()


def test_duplicate_citizen_id_is_a_conflict(client, citizen):
    response = post(client, CITIZEN_URL, citizen_payload(username="someone_else"))
    assert response.status_code == 409
    assert response.json()["code"] == "citizen_exists"
    assert User.objects.count() == 1


def test_duplicate_citizen_id_in_lower_case_is_a_conflict(client, citizen):
    response = post(
        client, CITIZEN_URL, citizen_payload(username="other", citizen_id=VALID_ID.lower())
    )
    assert response.status_code == 409
    assert response.json()["code"] == "citizen_exists"


@pytest.mark.parametrize("username", ["zhangsan", "ZhangSan"])
def test_duplicate_username_is_a_conflict(client, citizen, username):
    response = post(
        client, CITIZEN_URL, citizen_payload(username=username, citizen_id="110101199003074477")
    )
    assert response.status_code == 409
    assert response.json()["code"] == "username_taken"
    assert User.objects.count() == 1


@pytest.mark.parametrize("password", ["123", "password", "12345678901", "qwertyuiop"])
def test_weak_password_is_refused_and_nothing_written(client, db, password):
    response = post(client, CITIZEN_URL, citizen_payload(password=password))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "password_weak"
    assert body["detail"]["reasons"]
    assert not User.objects.exists()
    assert not AuditRecord.objects.exists()


def test_bad_username_and_phone_are_refused(client, db):
    response = post(client, CITIZEN_URL, citizen_payload(username="a b"))
    assert (response.status_code, response.json()["code"]) == (400, "username_format")
    response = post(client, CITIZEN_URL, citizen_payload(phone="12345"))
    assert response.status_code == 400
    assert not User.objects.exists()


def test_missing_fields_are_invalid_input(client, db):
    response = post(client, CITIZEN_URL, {"username": "lisi"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert not User.objects.exists()


def test_register_enterprise(client, db):
    response = post(client, ENTERPRISE_URL, enterprise_payload())
    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "enterprise" and body["credit_code"] == VALID_CREDIT_CODE


@pytest.mark.parametrize(
    ("credit_code", "code"),
    [
        (CREDIT_FIRST17 + ("0" if VALID_CREDIT_CODE[-1] != "0" else "1"), "credit_code_checksum"),
        ("91330106MA2CXXB1", "credit_code_length"),
        ("91330106MA2CXXBIO0", "credit_code_alphabet"),
        ("X1330106MA2CXXB1K0", "credit_code_authority"),
    ],
)
def test_enterprise_with_bad_credit_code_is_refused(client, db, credit_code, code):
    response = post(client, ENTERPRISE_URL, enterprise_payload(credit_code=credit_code))
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert not User.objects.exists()


def test_duplicate_credit_code_is_a_conflict(client, db):
    assert post(client, ENTERPRISE_URL, enterprise_payload()).status_code == 201
    response = post(client, ENTERPRISE_URL, enterprise_payload(username="acme2"))
    assert response.status_code == 409
    assert User.objects.count() == 1
