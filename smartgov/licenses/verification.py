"""Verification of e-licenses: the canonical content an issuer signs, the QR payload, the
checks that give each failure reason, and the look-up the services app uses for no-proofs.

Anyone may verify. Pure-Python SM2 verification costs ~10 ms, so verified signatures are
remembered per process by (public key, content hash, signature); the status, validity and data
that decide the result are read fresh from the license row on every call.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import unquote

from django.db.models import Q
from django.utils import timezone

from smartgov.core.crypto import blind_index, decrypt_field, sm2_verify
from smartgov.core.models import Department
from smartgov.core.validators import mask_name
from smartgov.licenses import identifiers
from smartgov.licenses.models import HolderKind, IssuerKey, License, LicenseStatus, LicenseType

# The blind-index purposes: a citizen's is the one accounts uses, so License.holder_index of
# a citizen equals User.citizen_id_index and the wallet needs no decryption.
CITIZEN_PURPOSE = "citizen_id"


ENTERPRISE_PURPOSE = "credit_code"


PAYLOAD_SEPARATOR = "~"


VERIFY_PATH = "/licenses/verify/"


REASONS = (
    "malformed",
    "unknown_license",
    "signature_invalid",
    "content_altered",
    "wrong_key",
    "revoked",
    "suspended",
    "expired",
    "not_yet_valid",
)


def _today() -> date:
    return timezone.localdate()


def holder_index(holder_kind: str, holder_id: str) -> str:
    purpose = CITIZEN_PURPOSE if holder_kind == HolderKind.CITIZEN else ENTERPRISE_PURPOSE
    return blind_index(holder_id.upper(), purpose=purpose)


def canonical_content(license: License, *, holder_id: str | None = None) -> bytes:
    """The bytes the issuer signs: identifier, type, issuer, holder, data, validity, version."""
    content = {
        "identifier": license.identifier,
        "type": license.license_type.code,
        "issuer": license.identifier.split(".")[6],  # the issuer segment, fixed at issue
        "holder_kind": license.holder_kind,
        "holder_id": holder_id
        if holder_id is not None
        else decrypt_field(license.holder_id_encrypted),
        "holder_name": license.holder_name,
        "data": license.data,
        "valid_from": license.valid_from.isoformat(),
        "valid_until": license.valid_until.isoformat() if license.valid_until else None,
        "version": license.version,
    }
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


_VERIFIED: OrderedDict[tuple[str, str, str], bool] = OrderedDict()


_VERIFIED_MAX = 50_000


def _signature_ok(public_key: str, content: bytes, signature: str) -> bool:
    """SM2 verification, remembered by (key, content hash, signature): pure-Python SM2 costs
    milliseconds, and the same license is verified again and again."""
    digest = hashlib.sha256(content).hexdigest()
    cache_key = (public_key, digest, signature)
    cached = _VERIFIED.get(cache_key)
    if cached is not None:
        _VERIFIED.move_to_end(cache_key)
        return cached
    result = sm2_verify(public_key, content, signature)
    _VERIFIED[cache_key] = result
    if len(_VERIFIED) > _VERIFIED_MAX:
        _VERIFIED.popitem(last=False)
    return result


def clear_verify_cache() -> None:
    _VERIFIED.clear()
    _RELATED.clear()


@dataclass
class VerifyResult:
    valid: bool
    reasons: list[str] = field(default_factory=list)
    license: dict[str, Any] | None = None


def qr_code(license: License) -> str:
    """The compact signed string of a license: ``{identifier}~{signature}``."""
    return f"{license.identifier}{PAYLOAD_SEPARATOR}{license.signature}"


def qr_url(license: License, base_url: str = "") -> str:
    return f"{base_url.rstrip('/')}{VERIFY_PATH}?code={qr_code(license)}"


def _split_payload(payload: str) -> tuple[str, str] | None:
    text = str(payload).strip()
    if "code=" in text:  # a scanned verify URL
        text = unquote(text.split("code=", 1)[1].split("&", 1)[0])
    parts = text.split(PAYLOAD_SEPARATOR)
    if len(parts) != 2 or len(parts[1]) != 128:
        return None
    try:
        int(parts[1], 16)
    except ValueError:
        return None
    return parts[0], parts[1].lower()


def summary(license: License, *, full: bool = False) -> dict[str, Any]:
    """What a verifier sees (holder name masked) or, with ``full``, the holder and staff see."""
    return {
        "identifier": license.identifier,
        "type_code": license.license_type.code,
        "type_name": license.license_type.name,
        "issuer": license.department.name,
        "holder_kind": license.holder_kind,
        "holder_name": license.holder_name if full else mask_name(license.holder_name),
        "holder_id_masked": license.holder_id_masked,
        "valid_from": license.valid_from.isoformat(),
        "valid_until": license.valid_until.isoformat() if license.valid_until else None,
        "status": license.status,
        "status_reason": license.status_reason if full else "",
        "version": license.version,
        "issued_at": license.issued_at.isoformat(),
        **({"data": license.data} if full else {}),
    }


_RELATED_TTL = 60.0  # seconds a type's or department's name may lag behind an edit


_RELATED: dict[tuple[str, int], tuple[float, Any]] = {}


def _cached(model, pk: int, *, ttl: float | None):
    """A row by primary key from a small in-process cache (``ttl`` None: never refetched)."""
    now = time.monotonic()
    entry = _RELATED.get((model._meta.label, pk))
    if entry is not None and (ttl is None or now - entry[0] < ttl):
        return entry[1]
    row = model.objects.get(pk=pk)
    if len(_RELATED) > 10_000:
        _RELATED.clear()
    _RELATED[(model._meta.label, pk)] = (now, row)
    return row


def _attach_related(license: License) -> None:
    """Set the license's type, department and key from the cache. What decides validity (the
    status, validity, data, signature) is always read fresh; an issuer key never changes; a
    type's or department's name is at most a minute old."""
    license.key = _cached(IssuerKey, license.key_id, ttl=None)
    license.license_type = _cached(LicenseType, license.license_type_id, ttl=_RELATED_TTL)
    license.department = _cached(Department, license.department_id, ttl=_RELATED_TTL)


def _check(license: License, signature: str, today: date) -> list[str]:
    reasons: list[str] = []
    key = license.key
    if key.department_id != license.department_id:
        reasons.append("wrong_key")
    content = canonical_content(license)
    altered = hashlib.sha256(content).hexdigest() != license.signed_content_sha
    if not _signature_ok(key.public_key, content, signature):
        reasons.append("content_altered" if altered else "signature_invalid")
    elif altered:
        reasons.append("content_altered")
    if signature != license.signature and "signature_invalid" not in reasons:
        # A valid signature that is not the one issued cannot happen without the private key.
        reasons.append("signature_invalid")
    if license.status == LicenseStatus.REVOKED:
        reasons.append("revoked")
    elif license.status == LicenseStatus.SUSPENDED:
        reasons.append("suspended")
    if license.status == LicenseStatus.EXPIRED or (
        license.valid_until is not None and license.valid_until < today
    ):
        reasons.append("expired")
    if license.valid_from > today:
        reasons.append("not_yet_valid")
    return reasons


def verify_license(
    *, identifier: str | None = None, payload: str | None = None, today: date | None = None
) -> VerifyResult:
    """Verify a license by identifier (the stored signature) or by a QR payload (its own).

    Anyone may verify; the result says valid or not, every reason (codes in ``REASONS``), and
    a summary with the holder's name masked.
    """
    today = today or _today()
    signature = None
    if payload is not None:
        parts = _split_payload(payload)
        if parts is None:
            return VerifyResult(valid=False, reasons=["malformed"])
        identifier, signature = parts
    if not identifier or identifiers.parse_identifier(str(identifier)) is None:
        return VerifyResult(valid=False, reasons=["malformed"])
    try:  # the row alone (no joins, no ORDER BY to compile): the hot path of verification
        license = License.objects.get(identifier=identifier)
    except License.DoesNotExist:
        return VerifyResult(valid=False, reasons=["unknown_license"])
    _attach_related(license)
    reasons = _check(license, signature or license.signature, today)
    return VerifyResult(valid=not reasons, reasons=reasons, license=summary(license))


def find_valid_license(
    *, holder_id: str, type_code: str, today: date | None = None
) -> License | None:
    """The holder's currently valid, correctly signed license of a type, newest first; None.

    Logs nothing: the caller records the use with ``record_use`` when it relies on it.
    """
    today = today or _today()
    license_type = LicenseType.objects.filter(code=str(type_code or "").upper()).first()
    if license_type is None or not holder_id:
        return None
    candidates = (
        License.objects.select_related("license_type", "department", "key")
        .filter(
            license_type=license_type,
            holder_index=holder_index(license_type.holder_kind, holder_id.strip()),
            status=LicenseStatus.VALID,
            valid_from__lte=today,
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .order_by("-version", "-issued_at")
    )
    for candidate in candidates:
        if not _check(candidate, candidate.signature, today):
            return candidate
    return None
