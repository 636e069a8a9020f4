"""HTTP API of the licenses app under /api/v1/ (thin: schemas in, services)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from smartgov.core.errors import InvalidInput
from smartgov.core.middleware import client_ip
from smartgov.licenses import services
from smartgov.licenses.schemas import (
    IssueIn,
    LicenseRead,
    OptionalReasonIn,
    ReasonIn,
    UseRead,
    VerifyIn,
    VerifyOut,
)
from smartgov.licenses.throttle import check_verify_rate

router = Router(tags=["licenses"])

MAX_CODE = 400


def _read(license) -> dict:
    return {
        **services.summary(license, full=True),
        "qr_code": services.qr_code(license),
        "source": license.source,
    }


def _verified(result: services.VerifyResult) -> dict:
    return {"valid": result.valid, "reasons": result.reasons, "license": result.license}


@router.get(
    "/licenses/verify", response=VerifyOut, auth=None, summary="Verify an e-license (QR code)"
)
def verify_get(request: HttpRequest, code: str = ""):
    check_verify_rate(client_ip(request))
    if not code.strip():
        raise InvalidInput("code_required", "Give the QR code's text in ?code=.")
    if len(code) > MAX_CODE:
        raise InvalidInput("code_too_long", "The code is too long.")
    return _verified(services.verify_license(payload=code))


@router.post(
    "/licenses/verify", response=VerifyOut, auth=None, summary="Verify an e-license (payload)"
)
def verify_post(request: HttpRequest, body: VerifyIn):
    check_verify_rate(client_ip(request))
    if bool(body.payload) == bool(body.identifier):
        raise InvalidInput("payload_or_identifier", "Give either payload or identifier.")
    text = body.payload or body.identifier or ""
    if len(text) > MAX_CODE:
        raise InvalidInput("code_too_long", "The code is too long.")
    if body.payload:
        return _verified(services.verify_license(payload=body.payload))
    return _verified(services.verify_license(identifier=body.identifier))


@router.get("/licenses/mine", response=list[LicenseRead], summary="My e-licenses (wallet)")
def mine(request: HttpRequest):
    return [_read(license) for license in services.holder_licenses(request.auth)]


@router.post("/licenses", response={201: LicenseRead}, summary="Issue an e-license (staff)")
def issue(request: HttpRequest, body: IssueIn):
    license = services.issue_license(
        actor=request.auth,
        license_type=body.type_code,
        holder_id=body.holder_id,
        holder_name=body.holder_name,
        data=body.data,
        valid_from=body.valid_from,
        valid_until=body.valid_until,
        source=body.source,
    )
    return Status(201, _read(license))


@router.get("/licenses/{identifier}", response=LicenseRead, summary="One e-license")
def read(request: HttpRequest, identifier: str):
    return _read(services.get_license(actor=request.auth, identifier=identifier))


@router.get("/licenses/{identifier}/uses", response=list[UseRead], summary="Uses of a license")
def uses(request: HttpRequest, identifier: str):
    _, found = services.license_uses(actor=request.auth, identifier=identifier)
    return list(found)


@router.post("/licenses/{identifier}/suspend", response=LicenseRead, summary="Suspend")
def suspend(request: HttpRequest, identifier: str, body: ReasonIn):
    return _read(
        services.suspend_license(actor=request.auth, license=identifier, reason=body.reason)
    )


@router.post("/licenses/{identifier}/reinstate", response=LicenseRead, summary="Reinstate")
def reinstate(request: HttpRequest, identifier: str, body: OptionalReasonIn):
    return _read(
        services.reinstate_license(actor=request.auth, license=identifier, reason=body.reason)
    )


@router.post("/licenses/{identifier}/revoke", response=LicenseRead, summary="Revoke")
def revoke(request: HttpRequest, identifier: str, body: ReasonIn):
    return _read(
        services.revoke_license(actor=request.auth, license=identifier, reason=body.reason)
    )
