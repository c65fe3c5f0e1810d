"""The data keys: SM4-GCM (checked against RFC 8998), HMAC-SM3, the key ring and its file."""

from __future__ import annotations

import json
import os
import stat

import pytest
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from xinyong.core import crypto
from xinyong.core.crypto import DecryptError, Keyring, KeyRingError


def test_sm4_gcm_matches_rfc_8998():
    """RFC 8998 appendix A.1: SM4-GCM as the cryptography package computes it."""
    key = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
    iv = bytes.fromhex("00001234567800000000ABCD")
    aad = bytes.fromhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2")
    pt = bytes.fromhex("AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD"
                       "EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA")
    enc = Cipher(algorithms.SM4(key), modes.GCM(iv)).encryptor()
    enc.authenticate_additional_data(aad)
    ct = enc.update(pt) + enc.finalize()
    assert ct.hex().upper() == (
        "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"
        "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D")
    assert enc.tag.hex().upper() == "83DE3541E4C2B58177E065A9BF7B62EC"
    assert crypto.sm4_gcm_available()


def test_a_new_ring_uses_sm4_gcm_and_separate_keys():
    ring = crypto.fresh_keyring()
    assert ring.keys[ring.active].alg == crypto.SM4_GCM and len(ring.keys[ring.active].key) == 16
    assert ring.hash_key.alg == crypto.HMAC_SM3 and len(ring.hash_key.key) == 32
    assert ring.hash_key.key != ring.keys[ring.active].key
    aes = crypto.new_key(crypto.AES_GCM)
    with pytest.raises(KeyRingError):  # the same bytes for both purposes is refused
        Keyring(aes.id, {aes.id: aes}, crypto.DataKey("h1", crypto.HMAC_SM3, aes.key))


def test_round_trip_and_authentication():
    ring = crypto.fresh_keyring()
    a, b = ring.encrypt("330106199001011234", "subjects.code"), ring.encrypt("330106199001011234", "subjects.code")
    assert a != b and a.startswith(ring.active + "$")  # a fresh nonce each time; the key id in front
    assert ring.decrypt(a, "subjects.code") == "330106199001011234"
    with pytest.raises(DecryptError):  # moved to another column
        ring.decrypt(a, "subjects.legal_rep_code")
    kid, _, body = a.partition("$")
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    with pytest.raises(DecryptError):
        ring.decrypt(f"{kid}${flipped}", "subjects.code")
    with pytest.raises(DecryptError):
        ring.decrypt("nokey$" + body, "subjects.code")


def test_aes_gcm_keys_read_too():
    """Where SM4 is missing a ring gets AES-256-GCM keys; a ring may hold both."""
    ring = crypto.fresh_keyring()
    aes = crypto.new_key(crypto.AES_GCM)
    both = Keyring(aes.id, {**ring.keys, aes.id: aes}, ring.hash_key)
    old = ring.encrypt("x1", "c")
    new = both.encrypt("x2", "c")
    assert both.decrypt(old, "c") == "x1" and both.decrypt(new, "c") == "x2"


def test_keyed_hash_is_hmac_sm3():
    ring = crypto.fresh_keyring()
    h = hmac.HMAC(ring.hash_key.key, hashes.SM3())
    h.update(b"330106199001011234")
    assert ring.keyed_hash("330106199001011234") == h.finalize().hex()
    assert ring.keyed_hashes(["a", "b"]) == [ring.keyed_hash("a"), ring.keyed_hash("b")]
    assert crypto.fresh_keyring().keyed_hash("a") != ring.keyed_hash("a")


def test_the_key_file_is_made_once_with_mode_0600(tmp_path, monkeypatch):
    from xinyong.core import settings

    monkeypatch.delenv("XINYONG_DATA_KEY", raising=False)
    monkeypatch.setenv("XINYONG_VAR_DIR", str(tmp_path / "var"))
    settings.reset_settings()
    try:
        with pytest.raises(KeyRingError, match="xinyong init"):
            crypto.get_keyring()
        ring, created = crypto.ensure_keyring()
        path = crypto.key_file()
        assert created and path.is_file()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        again, created_again = crypto.ensure_keyring()
        assert not created_again and again.active == ring.active
        os.chmod(path, 0o644)
        crypto.reset_keyring_cache()
        with pytest.raises(KeyRingError, match="chmod 600"):
            crypto.get_keyring()
    finally:
        settings.reset_settings()


def test_the_environment_key_wins_and_no_file_is_made(tmp_path, monkeypatch):
    from xinyong.core import settings

    ring = crypto.fresh_keyring()
    monkeypatch.setenv("XINYONG_DATA_KEY", json.dumps(ring.as_json()))
    monkeypatch.setenv("XINYONG_VAR_DIR", str(tmp_path / "var"))
    settings.reset_settings()
    try:
        got, created = crypto.ensure_keyring()
        assert not created and got.source == "env" and got.active == ring.active
        assert not crypto.key_file().exists()
        assert got.keyed_hash("a") == ring.keyed_hash("a")
        monkeypatch.setenv("XINYONG_DATA_KEY", "{not json")
        settings.reset_settings()
        with pytest.raises(KeyRingError):
            crypto.get_keyring()
    finally:
        settings.reset_settings()
