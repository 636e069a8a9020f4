"""国密 helpers: SM3 hashing, SM4 field encryption, SM2 keys and signatures.

SM3 comes from OpenSSL through hashlib when the build has it (else gmssl's pure-Python one);
SM4 uses ``cryptography`` in GCM mode; SM2 uses gmssl's curve arithmetic with the user-ID
preprocessing (Z value) of GB/T 32918.2 computed here so the user ID can be chosen.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from gmssl import sm2 as gm_sm2
from gmssl import sm3 as gm_sm3

from smartgov.core.errors import SmartgovError

DEFAULT_SM2_USER_ID = b"1234567812345678"
SM4_KEY_BYTES = 16
_SM4_NONCE_BYTES = 12
_FIELD_PREFIX = "sm4g1:"

try:
    hashlib.new("sm3")
    _HASHLIB_SM3 = True
except ValueError:  # OpenSSL without SM3
    _HASHLIB_SM3 = False


def sm3_digest(data: bytes) -> bytes:
    """SM3 hash (GB/T 32905) of ``data``."""
    if _HASHLIB_SM3:
        return hashlib.new("sm3", data).digest()
    return bytes.fromhex(gm_sm3.sm3_hash(list(data)))


def sm3_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return sm3_digest(data).hex()


def hmac_sm3(key: bytes, data: bytes | str) -> str:
    """HMAC with SM3, hex; used for blind indexes of encrypted fields and token hashes."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if _HASHLIB_SM3:
        return hmac.new(key, data, "sm3").hexdigest()
    block = 64
    if len(key) > block:
        key = sm3_digest(key)
    key = key.ljust(block, b"\0")
    inner = sm3_digest(bytes(k ^ 0x36 for k in key) + data)
    return sm3_digest(bytes(k ^ 0x5C for k in key) + inner).hex()


# --- SM4 -------------------------------------------------------------------------------------


class DecryptionError(SmartgovError):
    """Ciphertext was altered or encrypted under another key."""

    status = 500

    def __init__(self) -> None:
        super().__init__("decryption_failed", "Encrypted value cannot be decrypted.")


def sm4_encrypt(key: bytes, plaintext: bytes, *, associated_data: bytes | None = None) -> bytes:
    """SM4-GCM: returns nonce || ciphertext || tag."""
    if len(key) != SM4_KEY_BYTES:
        raise ValueError("SM4 key must be 16 bytes")
    nonce = os.urandom(_SM4_NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    if associated_data:
        encryptor.authenticate_additional_data(associated_data)
    body = encryptor.update(plaintext) + encryptor.finalize()
    return nonce + body + encryptor.tag


def sm4_decrypt(key: bytes, blob: bytes, *, associated_data: bytes | None = None) -> bytes:
    if len(key) != SM4_KEY_BYTES:
        raise ValueError("SM4 key must be 16 bytes")
    if len(blob) < _SM4_NONCE_BYTES + 16:
        raise DecryptionError()
    nonce, body, tag = blob[:_SM4_NONCE_BYTES], blob[_SM4_NONCE_BYTES:-16], blob[-16:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    if associated_data:
        decryptor.authenticate_additional_data(associated_data)
    try:
        return decryptor.update(body) + decryptor.finalize()
    except InvalidTag as exc:
        raise DecryptionError() from exc


def sm4_ecb_encrypt_block(key: bytes, block: bytes) -> bytes:
    """Raw single-block SM4, for checking against the GB/T 32907 example."""
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()  # noqa: S305
    return encryptor.update(block) + encryptor.finalize()


@lru_cache(maxsize=1)
def field_key() -> bytes:
    from django.conf import settings

    key = bytes.fromhex(settings.FIELD_ENCRYPTION_KEY)
    if len(key) != SM4_KEY_BYTES:
        raise ValueError("FIELD_ENCRYPTION_KEY must be 32 hex digits (16 bytes)")
    return key


def encrypt_field(value: str) -> str:
    """Encrypt a sensitive text value for storage (SM4-GCM under the platform field key)."""
    blob = sm4_encrypt(field_key(), value.encode("utf-8"))
    return _FIELD_PREFIX + base64.b64encode(blob).decode("ascii")


def decrypt_field(stored: str) -> str:
    if not stored:
        return ""
    if not stored.startswith(_FIELD_PREFIX):
        raise DecryptionError()
    try:
        blob = base64.b64decode(stored[len(_FIELD_PREFIX) :], validate=True)
    except binascii.Error as exc:  # a corrupted column is a decryption failure, not a crash
        raise DecryptionError() from exc
    return sm4_decrypt(field_key(), blob).decode()


def blind_index(value: str, *, purpose: str) -> str:
    """Keyed SM3 of a sensitive value, so equal values can be found without decrypting."""
    return hmac_sm3(field_key() + purpose.encode(), value)


# --- SM2 -------------------------------------------------------------------------------------

_CURVE = gm_sm2.default_ecc_table
_N = int(_CURVE["n"], 16)


@dataclass(frozen=True)
class SM2KeyPair:
    private_key: str  # 64 hex digits
    public_key: str  # 128 hex digits: x || y, no 04 prefix


def _engine(private_key: str | None, public_key: str) -> gm_sm2.CryptSM2:
    engine = gm_sm2.CryptSM2(private_key=private_key, public_key="")
    # Set after construction: gmssl's constructor strips a leading "04" with lstrip, which
    # also eats leading 0 and 4 digits of x.
    engine.public_key = public_key
    return engine


def sm2_generate_keypair() -> SM2KeyPair:
    """A new SM2 key pair on the recommended curve."""
    while True:
        d = secrets.randbelow(_N - 1)
        if d >= 1:
            break
    private_key = f"{d:064x}"
    engine = _engine(private_key, "")
    public_key = engine._kg(d, _CURVE["g"])
    return SM2KeyPair(private_key=private_key, public_key=public_key)


def sm2_public_from_private(private_key: str) -> str:
    engine = _engine(private_key, "")
    return engine._kg(int(private_key, 16), _CURVE["g"])


def sm2_z(public_key: str, user_id: bytes = DEFAULT_SM2_USER_ID) -> bytes:
    """Z_A = SM3(ENTL_A || ID_A || a || b || x_G || y_G || x_A || y_A)."""
    entl = (len(user_id) * 8).to_bytes(2, "big")
    material = (
        entl
        + user_id
        + bytes.fromhex(_CURVE["a"])
        + bytes.fromhex(_CURVE["b"])
        + bytes.fromhex(_CURVE["g"])
        + bytes.fromhex(public_key)
    )
    return sm3_digest(material)


def _message_digest(public_key: str, data: bytes, user_id: bytes) -> bytes:
    return sm3_digest(sm2_z(public_key, user_id) + data)


def sm2_sign(
    private_key: str,
    data: bytes,
    *,
    public_key: str | None = None,
    user_id: bytes = DEFAULT_SM2_USER_ID,
) -> str:
    """SM2 signature over SM3(Z || data); returns r || s as 128 hex digits."""
    public_key = public_key or sm2_public_from_private(private_key)
    digest = _message_digest(public_key, data, user_id)
    engine = _engine(private_key, public_key)
    while True:
        k = secrets.randbelow(_N - 1) + 1
        signature = engine.sign(digest, f"{k:064x}")
        if signature:
            return signature


def sm2_verify(
    public_key: str, data: bytes, signature: str, *, user_id: bytes = DEFAULT_SM2_USER_ID
) -> bool:
    if len(signature) != 128:
        return False
    try:
        r, s_value = int(signature[:64], 16), int(signature[64:], 16)
        if not (1 <= r < _N and 1 <= s_value < _N):  # GB/T 32918.2 verification step B1/B2
            return False
        engine = _engine(None, public_key)
        return bool(engine.verify(signature, _message_digest(public_key, data, user_id)))
    except (ValueError, TypeError, binascii.Error):
        return False
