"""E-license pages through the Django test client (Chinese by default)."""

from __future__ import annotations

import pytest
from django.test import Client

from smartgov.licenses import services
from smartgov.licenses.models import License, LicenseStatus

CITIZEN_ID = "11010519491231002X"


@pytest.fixture
def as_user(db):
    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


def test_wallet_and_detail(as_user, citizen, issued, org):
    services.record_use(
        license=issued, by=org["xihu_bureau"], purpose="核验婚姻状况", reference="A7"
    )
    client = as_user(citizen)
    html = client.get("/licenses/").content.decode()
    assert "结婚证" in html and 'data-testid="license-card"' in html and "有效" in html
    page = client.get(f"/licenses/{issued.identifier}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "李四" in html and "核验婚姻状况" in html and "A7" in html
    assert 'data-testid="license-manage"' not in html
    home = client.get("/").content.decode()
    assert "我的证照" in home


def test_empty_wallet(as_user, citizen):
    html = as_user(citizen).get("/licenses/").content.decode()
    assert 'data-testid="empty-state"' in html


def test_detail_refused_to_others(as_user, issued, other_officer, xihu_staff):
    for user in (other_officer, xihu_staff):
        assert as_user(user).get(f"/licenses/{issued.identifier}/").status_code == 404


def test_public_verify_page(client, issued):
    page = client.get("/licenses/verify/", {"code": services.qr_code(issued)})
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="verify-verdict"' in html
    assert ">有效<" in html and "张*" in html
    forged = issued.signature[:-2] + ("00" if issued.signature[-2:] != "00" else "11")
    html = client.get("/licenses/verify/", {"code": f"{issued.identifier}~{forged}"}).content
    html = html.decode()
    assert ">无效<" in html and "签名不符" in html
    html = client.get("/licenses/verify/", {"code": "x" * 20}).content.decode()
    assert ">无效<" in html
    assert client.get("/licenses/verify/").status_code == 200


def test_verify_page_says_revoked(client, issued, officer):
    services.revoke_license(actor=officer, license=issued, reason="登记错误")
    html = client.get("/licenses/verify/", {"code": issued.identifier}).content.decode()
    assert ">无效<" in html and "已注销" in html


def test_staff_issue_form_and_status_change(as_user, officer, marriage):
    client = as_user(officer)
    page = client.get("/licenses/issue/")
    assert page.status_code == 200 and "结婚证" in page.content.decode()
    form = client.get("/licenses/issue/", {"type": "MARRIAGE"}).content.decode()
    assert 'name="data_spouse"' in form
    bad = client.post(
        "/licenses/issue/?type=MARRIAGE",
        {"holder_id": "110105194912310021", "holder_name": "张三", "data_spouse": "李四"},
    )
    assert bad.status_code == 200 and "invalid-feedback" in bad.content.decode()
    assert License.objects.count() == 0
    response = client.post(
        "/licenses/issue/?type=MARRIAGE",
        {
            "holder_id": CITIZEN_ID,
            "holder_name": "张三",
            "data_spouse": "李四",
            "data_registered_on": "2021-02-03",
        },
    )
    assert response.status_code == 302
    license = License.objects.get()
    assert license.data == {"spouse": "李四", "registered_on": "2021-02-03"}
    recent = client.get("/licenses/issue/").content.decode()
    assert 'data-testid="recent-licenses"' in recent and "本部门近期签发" in recent
    url = f"/licenses/{license.identifier}/"
    assert 'data-testid="license-manage"' in client.get(url).content.decode()
    page = client.post(url, {"action": "revoke", "reason": ""})
    assert "请填写原因" in page.content.decode()
    assert client.post(url, {"action": "revoke", "reason": "错误"}).status_code == 302
    license.refresh_from_db()
    assert license.status == LicenseStatus.REVOKED


def test_issue_page_refused_to_non_issuers(as_user, citizen, xihu_staff, issued):
    assert as_user(citizen).get("/licenses/issue/").status_code == 403
    assert as_user(xihu_staff).get("/licenses/issue/").status_code == 403
    response = as_user(citizen).post(
        f"/licenses/{issued.identifier}/", {"action": "revoke", "reason": "x"}
    )
    assert response.status_code == 403
    issued.refresh_from_db()
    assert issued.status == LicenseStatus.VALID


def test_key_rotation_page(as_user, officer, issued, xihu_staff):
    """签发密钥: the officer rotates the department's key; the old one stays for verifying."""
    client = as_user(officer)
    page = client.get("/licenses/keys/").content.decode()
    assert 'data-testid="key-department"' in page and "轮换密钥" in page
    old_key = issued.key
    department = old_key.department
    response = client.post("/licenses/keys/", {"department": department.pk})
    assert response.status_code == 302
    old_key.refresh_from_db()
    assert not old_key.is_active
    new_key = department.license_keys.get(is_active=True)
    assert new_key.pk != old_key.pk
    assert services.verify_license(payload=services.qr_code(issued)).valid  # still verifiable
    page = client.get("/licenses/keys/").content.decode()
    assert services.key_fingerprint(new_key) in page and services.key_fingerprint(old_key) in page
    assert as_user(xihu_staff).get("/licenses/keys/").status_code == 403
