"""国密 helpers against the standards' examples and an independent SM2 implementation."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from gmssl import sm2 as gm_sm2
from gmssl import sm3 as gm_sm3

from smartgov.core import crypto
from smartgov.core.crypto import (
    DEFAULT_SM2_USER_ID,
    DecryptionError,
    blind_index,
    decrypt_field,
    encrypt_field,
    hmac_sm3,
    sm2_generate_keypair,
    sm2_public_from_private,
    sm2_sign,
    sm2_verify,
    sm2_z,
    sm3_digest,
    sm3_hex,
    sm4_decrypt,
    sm4_ecb_encrypt_block,
    sm4_encrypt,
)

SM3_ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
SM3_ABCD_16 = "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
SM4_KEY = bytes.fromhex("0123456789abcdeffedcba9876543210")
SM4_EXAMPLE_CIPHERTEXT = "681edf34d206965e86b3e94f536e4246"


@pytest.fixture(params=["hashlib", "gmssl"])
def sm3_backend(request, monkeypatch):
    """Run a test with OpenSSL's SM3 and with the pure-Python fallback."""
    if request.param == "hashlib":
        if not crypto._HASHLIB_SM3:
            pytest.skip("this OpenSSL build has no SM3")
    else:
        monkeypatch.setattr(crypto, "_HASHLIB_SM3", False)
    return request.param


def _reference_sm3():
    """A hashlib-style SM3 object built on gmssl, for the generic ``hmac`` module."""

    class _SM3:
        digest_size = 32
        block_size = 64
        name = "sm3"

        def __init__(self, data: bytes = b"") -> None:
            self._data = bytearray(data)

        def update(self, data: bytes) -> None:
            self._data += data

        def copy(self):
            return _SM3(bytes(self._data))

        def digest(self) -> bytes:
            return bytes.fromhex(gm_sm3.sm3_hash(list(self._data)))

        def hexdigest(self) -> str:
            return self.digest().hex()

    return _SM3


# --- SM3 --------------------------------------------------------------------------------------


def test_sm3_standard_examples(sm3_backend):
    assert sm3_hex("abc") == SM3_ABC
    assert sm3_hex(b"abc") == SM3_ABC
    assert sm3_hex(b"abcd" * 16) == SM3_ABCD_16
    assert sm3_digest(b"abc") == bytes.fromhex(SM3_ABC)


def test_sm3_of_text_is_over_utf8(sm3_backend):
    assert sm3_hex("浙江") == sm3_hex("浙江".encode())
    assert sm3_hex("浙江") != sm3_hex("浙江".encode("gb18030"))


@pytest.mark.parametrize("key_length", [0, 1, 16, 63, 64, 65, 100])
def test_hmac_sm3_matches_the_generic_hmac_construction(sm3_backend, key_length):
    key = bytes(range(7, 7 + key_length))
    for data in (b"", b"abc", "张三 11010519491231002X".encode(), b"x" * 200):
        expected = hmac.new(key, data, _reference_sm3()).hexdigest()
        assert hmac_sm3(key, data) == expected
    assert hmac_sm3(key, "身份证") == hmac.new(key, "身份证".encode(), _reference_sm3()).hexdigest()


def test_hmac_sm3_depends_on_the_key():
    assert hmac_sm3(b"k1", "data") != hmac_sm3(b"k2", "data")
    assert len(hmac_sm3(b"k1", "data")) == 64


# --- SM4 --------------------------------------------------------------------------------------


def test_sm4_standard_example():
    block = sm4_ecb_encrypt_block(SM4_KEY, SM4_KEY)
    assert block.hex() == SM4_EXAMPLE_CIPHERTEXT


def test_sm4_gcm_round_trip():
    key = bytes(range(16))
    for plaintext in (b"", b"a", b"x" * 1000, "杭州市西湖区".encode()):
        blob = sm4_encrypt(key, plaintext)
        assert len(blob) == 12 + len(plaintext) + 16
        assert sm4_decrypt(key, blob) == plaintext


def test_sm4_gcm_uses_a_fresh_nonce():
    key = bytes(range(16))
    assert sm4_encrypt(key, b"same") != sm4_encrypt(key, b"same")


@pytest.mark.parametrize("position", [0, 11, 12, 14, -17, -16, -1])
def test_sm4_gcm_detects_tampering(position):
    key = bytes(range(16))
    blob = bytearray(sm4_encrypt(key, b"pay 100 yuan"))
    blob[position] ^= 0x01
    with pytest.raises(DecryptionError) as caught:
        sm4_decrypt(key, bytes(blob))
    assert caught.value.code == "decryption_failed"


def test_sm4_gcm_detects_truncation_and_garbage():
    key = bytes(range(16))
    blob = sm4_encrypt(key, b"pay 100 yuan")
    for broken in (blob[:-1], blob[1:], b"", b"\0" * 27, blob + b"\0"):
        with pytest.raises(DecryptionError):
            sm4_decrypt(key, broken)


def test_sm4_gcm_refuses_the_wrong_key():
    blob = sm4_encrypt(bytes(range(16)), b"secret")
    with pytest.raises(DecryptionError):
        sm4_decrypt(bytes(range(1, 17)), blob)


def test_sm4_gcm_associated_data_is_authenticated():
    key = bytes(range(16))
    blob = sm4_encrypt(key, b"secret", associated_data=b"user:1")
    assert sm4_decrypt(key, blob, associated_data=b"user:1") == b"secret"
    for other in (b"user:2", None):
        with pytest.raises(DecryptionError):
            sm4_decrypt(key, blob, associated_data=other)


def test_sm4_refuses_keys_of_the_wrong_length():
    for key in (b"", bytes(15), bytes(17), bytes(32)):
        with pytest.raises(ValueError, match="16 bytes"):
            sm4_encrypt(key, b"x")
        with pytest.raises(ValueError, match="16 bytes"):
            sm4_decrypt(key, bytes(40))


# --- field encryption -------------------------------------------------------------------------


def test_encrypt_field_round_trip_with_chinese_text():
    for value in ("张三", "浙江省杭州市西湖区文三路 90 号", "11010519491231002X", "😀", "a"):
        stored = encrypt_field(value)
        assert stored.startswith("sm4g1:")
        assert decrypt_field(stored) == value
        if len(value.encode()) >= 4:  # shorter ones may appear in random base64 by chance
            assert value.encode() not in base64.b64decode(stored[len("sm4g1:") :])
            assert value not in stored


def test_encrypt_field_is_not_deterministic():
    assert encrypt_field("张三") != encrypt_field("张三")


def test_decrypt_field_of_empty_and_foreign_values():
    assert decrypt_field("") == ""
    with pytest.raises(DecryptionError):
        decrypt_field("张三")
    stored = encrypt_field("张三")
    middle = len("sm4g1:") + 20
    changed = stored[:middle] + ("A" if stored[middle] != "A" else "B") + stored[middle + 1 :]
    with pytest.raises(DecryptionError):
        decrypt_field(changed)


@pytest.mark.parametrize("stored", ["sm4g1:", "sm4g1:abc", "sm4g1:!!!!", "sm4g1:" + "A" * 40])
def test_decrypt_field_of_corrupt_values_is_a_decryption_error(stored):
    with pytest.raises(DecryptionError):
        decrypt_field(stored)


def test_blind_index_is_deterministic_and_purpose_bound():
    value = "11010519491231002X"
    assert blind_index(value, purpose="citizen_id") == blind_index(value, purpose="citizen_id")
    assert blind_index(value, purpose="citizen_id") != blind_index(value, purpose="phone")
    assert blind_index(value, purpose="citizen_id") != blind_index(
        "110105194912310038", purpose="citizen_id"
    )
    assert blind_index(value, purpose="citizen_id") != sm3_hex(value)


# --- SM2 --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def keypair():
    return sm2_generate_keypair()


@pytest.fixture(scope="module")
def other_keypair():
    return sm2_generate_keypair()


def _gmssl_engine(private_key: str | None, public_key: str) -> gm_sm2.CryptSM2:
    # The constructor strips "04" with lstrip, eating leading 0s and 4s of x: set it after.
    engine = gm_sm2.CryptSM2(private_key=private_key, public_key="")
    engine.public_key = public_key
    return engine


def test_sm2_keypair_shape(keypair):
    assert len(keypair.private_key) == 64
    assert len(keypair.public_key) == 128
    assert 1 <= int(keypair.private_key, 16) < crypto._N
    assert sm2_public_from_private(keypair.private_key) == keypair.public_key


def test_sm2_keypairs_differ():
    assert sm2_generate_keypair().private_key != sm2_generate_keypair().private_key


def test_sm2_public_key_with_leading_zero_digits_is_kept_whole():
    # Find a public key starting with 0 or 4: the case gmssl's constructor mangles.
    for d in range(1, 400):
        public_key = sm2_public_from_private(f"{d:064x}")
        if public_key[0] in "04":
            break
    else:  # pragma: no cover - probability ~ (14/16)^400
        pytest.fail("no public key starting with 0 or 4 found")
    assert len(public_key) == 128
    signature = sm2_sign(f"{d:064x}", b"message")
    assert sm2_verify(public_key, b"message", signature)


def test_sm2_sign_and_verify(keypair):
    message = "同意办理：杭州市西湖区 2025-0001".encode()
    signature = sm2_sign(keypair.private_key, message)
    assert len(signature) == 128
    assert sm2_verify(keypair.public_key, message, signature)
    # Signatures are randomised but each verifies.
    again = sm2_sign(keypair.private_key, message, public_key=keypair.public_key)
    assert again != signature
    assert sm2_verify(keypair.public_key, message, again)


def test_sm2_verify_fails_for_a_changed_message(keypair):
    signature = sm2_sign(keypair.private_key, b"amount=100")
    assert not sm2_verify(keypair.public_key, b"amount=900", signature)
    assert not sm2_verify(keypair.public_key, b"amount=100 ", signature)
    assert not sm2_verify(keypair.public_key, b"", signature)


def test_sm2_verify_fails_for_a_changed_signature(keypair):
    signature = sm2_sign(keypair.private_key, b"amount=100")
    for position in (0, 31, 63, 64, 100, 127):
        digit = signature[position]
        changed = signature[:position] + ("1" if digit != "1" else "2") + signature[position + 1 :]
        assert not sm2_verify(keypair.public_key, b"amount=100", changed)
    r, s = signature[:64], signature[64:]
    assert not sm2_verify(keypair.public_key, b"amount=100", s + r)


@pytest.mark.parametrize(
    "signature",
    ["", "00", "zz" * 64, "0" * 128, "f" * 128, "0" * 127, "0" * 129],
)
def test_sm2_verify_refuses_malformed_signatures(keypair, signature):
    assert sm2_verify(keypair.public_key, b"amount=100", signature) is False


def test_sm2_verify_fails_with_another_key(keypair, other_keypair):
    signature = sm2_sign(keypair.private_key, b"amount=100")
    assert not sm2_verify(other_keypair.public_key, b"amount=100", signature)


def test_sm2_verify_fails_with_another_user_id(keypair):
    signature = sm2_sign(keypair.private_key, b"amount=100", user_id=b"zhejiang@hz.gov.cn")
    assert sm2_verify(keypair.public_key, b"amount=100", signature, user_id=b"zhejiang@hz.gov.cn")
    assert not sm2_verify(keypair.public_key, b"amount=100", signature)
    assert not sm2_verify(
        keypair.public_key, b"amount=100", signature, user_id=b"zhejiang@hz.gov.cm"
    )


def test_sm2_z_depends_on_user_id_and_key(keypair, other_keypair):
    z = sm2_z(keypair.public_key)
    assert len(z) == 32
    assert z == sm2_z(keypair.public_key, DEFAULT_SM2_USER_ID)
    assert z != sm2_z(keypair.public_key, b"1234567812345679")
    assert z != sm2_z(other_keypair.public_key)


def test_sm2_signature_verifies_with_gmssl(keypair):
    """Our Z computation matches gmssl's own sign/verify with SM3 (default user ID)."""
    message = "电子证照 330106 营业执照".encode()
    signature = sm2_sign(keypair.private_key, message)
    engine = _gmssl_engine(None, keypair.public_key)
    assert engine.verify_with_sm3(signature, message)
    assert not engine.verify_with_sm3(signature, message + b".")


def test_gmssl_signature_verifies_with_ours(keypair):
    message = "电子证照 330106 营业执照".encode()
    engine = _gmssl_engine(keypair.private_key, keypair.public_key)
    signature = engine.sign_with_sm3(message)
    assert sm2_verify(keypair.public_key, message, signature)
    assert not sm2_verify(keypair.public_key, message + b".", signature)
    # gmssl hard-codes the default user ID; another ID must not verify.
    assert not sm2_verify(keypair.public_key, message, signature, user_id=b"someone-else")


def test_sm2_cross_check_with_gmssl_over_many_keys():
    """Keys whose x starts with 0 or 4 included: the padding of Z's inputs matters."""
    for _ in range(8):
        pair = sm2_generate_keypair()
        engine = _gmssl_engine(pair.private_key, pair.public_key)
        ours = sm2_sign(pair.private_key, b"m")
        assert engine.verify_with_sm3(ours, b"m")
        assert sm2_verify(pair.public_key, b"m", engine.sign_with_sm3(b"m"))


def test_sm3_reference_of_the_digest_to_sign(keypair):
    """e = SM3(Z || M) as GB/T 32918.2 defines it, computed independently with hashlib."""
    if not crypto._HASHLIB_SM3:
        pytest.skip("this OpenSSL build has no SM3")
    curve = gm_sm2.default_ecc_table
    material = (
        (len(DEFAULT_SM2_USER_ID) * 8).to_bytes(2, "big")
        + DEFAULT_SM2_USER_ID
        + bytes.fromhex(curve["a"] + curve["b"] + curve["g"] + keypair.public_key)
    )
    assert sm2_z(keypair.public_key) == hashlib.new("sm3", material).digest()


def test_sm2_verify_rejects_out_of_range_signature_components():
    from smartgov.core.crypto import _N, sm2_generate_keypair, sm2_sign, sm2_verify

    keys = sm2_generate_keypair()
    signature = sm2_sign(keys.private_key, b"msg", public_key=keys.public_key)
    assert sm2_verify(keys.public_key, b"msg", signature)
    zero_r = "0" * 64 + signature[64:]
    big_s = signature[:64] + f"{_N:064x}"
    assert not sm2_verify(keys.public_key, b"msg", zero_r)
    assert not sm2_verify(keys.public_key, b"msg", big_s)
