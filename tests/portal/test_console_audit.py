"""Admin console: the audit log (auditor only, read-only)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from smartgov.accounts import services
from smartgov.core.models import AuditHead, AuditRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def changes(sysadmin, xihu_staff):
    services.update_user(actor=sysadmin, user_id=xihu_staff.pk, changes={"phone": "13700137000"})
    return AuditRecord.objects.get(action="accounts.user.update")


def test_audit_list_for_auditor_only(as_user, auditor, sysadmin, secadmin, changes):
    page = as_user(auditor).get("/console/audit/").content.decode()
    assert "accounts.user.update" in page and 'data-testid="audit-verify"' in page
    assert as_user(sysadmin).get("/console/audit/").status_code == 403
    assert as_user(secadmin).get(f"/console/audit/{changes.seq}/").status_code == 403


def test_audit_list_is_newest_first_and_filters(as_user, auditor, changes):
    client = as_user(auditor)
    page = client.get("/console/audit/").content.decode()
    assert page.index(f"/console/audit/{changes.seq}/") < page.index('href="/console/audit/1/"')
    by_action = client.get("/console/audit/?action=accounts.user.update").content.decode()
    assert f"/console/audit/{changes.seq}/" in by_action
    assert "accounts.membership.bootstrap</code>" not in by_action
    by_actor = client.get("/console/audit/?actor=sysadmin").content.decode()
    assert f"/console/audit/{changes.seq}/" in by_actor
    today = timezone.localdate().isoformat()
    dated = client.get(f"/console/audit/?date_from={today}&date_to={today}").content.decode()
    assert f"/console/audit/{changes.seq}/" in dated
    assert "没有符合条件的记录" in client.get("/console/audit/?date_to=2001-01-01").content.decode()
    assert 'data-testid="pagination"' in page


def test_audit_detail_shows_diff(as_user, auditor, changes):
    page = as_user(auditor).get(f"/console/audit/{changes.seq}/").content.decode()
    assert 'data-testid="audit-diff"' in page and "13700137000" in page
    assert "sg-diff-changed" in page
    assert as_user(auditor).get("/console/audit/999999/").status_code == 404


def test_audit_has_no_write_endpoints(as_user, auditor, changes):
    client = as_user(auditor)
    assert client.post(f"/console/audit/{changes.seq}/").status_code == 405
    assert client.post("/console/audit/").status_code == 405


def test_verify_chain_htmx_partial_intact(as_user, auditor, changes):
    response = as_user(auditor).post("/console/audit/verify/", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and "审计链完整" in body


def test_verify_chain_reports_first_broken_record(as_user, auditor, changes):
    head = AuditHead.objects.get()
    AuditHead.objects.filter(pk=head.pk).update(seq=head.seq + 5)
    response = as_user(auditor).post("/console/audit/verify/")
    body = response.content.decode()
    assert "<html" in body and "审计链已断裂" in body
    assert f"#{head.seq + 1}" in body or f"第 {head.seq + 1} 号" in body


def test_verify_requires_auditor(as_user, sysadmin):
    assert as_user(sysadmin).post("/console/audit/verify/").status_code == 403
