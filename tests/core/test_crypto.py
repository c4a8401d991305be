"""Keys: mnemonic identities, sealing, wrapping for a public key."""

from __future__ import annotations

import pytest

from podstore.core.accounts import crypto
from podstore.core.errors import Invalid


def test_a_mnemonic_always_derives_the_same_identity() -> None:
    phrase = crypto.new_mnemonic()
    assert len(phrase.split()) == 12
    one, two = crypto.identity_from_mnemonic(phrase), crypto.identity_from_mnemonic(phrase)
    assert crypto.public_bytes(one) == crypto.public_bytes(two)
    other = crypto.identity_from_mnemonic(crypto.new_mnemonic())
    assert crypto.public_bytes(one) != crypto.public_bytes(other)


def test_mnemonics_are_checked_and_normalised() -> None:
    phrase = crypto.new_mnemonic()
    assert crypto.normalise_mnemonic("  " + phrase.upper().replace(" ", "   ")) == phrase
    valid = " ".join(["abandon"] * 11 + ["about"])  # the BIP-39 test vector
    assert crypto.normalise_mnemonic(valid) == valid
    for bad in (" ".join(["abandon"] * 12), "abandon " * 11 + "notaword", "too short"):
        with pytest.raises(Invalid):
            crypto.normalise_mnemonic(bad)


def test_seal_detects_tampering_and_wrong_context() -> None:
    key = b"k" * 32
    sealed = crypto.seal(key, b"secret", b"ctx")
    assert crypto.unseal(key, sealed, b"ctx") == b"secret"
    with pytest.raises(crypto.SealBroken):
        crypto.unseal(key, sealed, b"other")
    flipped = bytearray(sealed)
    flipped[-1] ^= 1
    with pytest.raises(crypto.SealBroken):
        crypto.unseal(key, bytes(flipped), b"ctx")
    with pytest.raises(crypto.SealBroken):
        crypto.unseal(b"x" * 32, sealed, b"ctx")


def test_wrap_for_opens_only_with_the_right_private_key() -> None:
    alice = crypto.identity_from_mnemonic(crypto.new_mnemonic())
    mallory = crypto.identity_from_mnemonic(crypto.new_mnemonic())
    secrets = crypto.PodSecrets.generate()
    wrapped = crypto.wrap_for(crypto.public_bytes(alice), secrets.to_bytes(), b"pod-1")
    assert crypto.PodSecrets.from_bytes(crypto.unwrap_with(alice, wrapped, b"pod-1")) == secrets
    with pytest.raises(crypto.SealBroken):
        crypto.unwrap_with(mallory, wrapped, b"pod-1")
    with pytest.raises(crypto.SealBroken):
        crypto.unwrap_with(alice, wrapped, b"pod-2")


def test_password_kek_depends_on_password_and_salt() -> None:
    a = crypto.password_kek("correct horse", b"s" * 16, memory_kib=1024, time_cost=1)
    assert a == crypto.password_kek("correct horse", b"s" * 16, memory_kib=1024, time_cost=1)
    assert a != crypto.password_kek("correct horsf", b"s" * 16, memory_kib=1024, time_cost=1)
    assert a != crypto.password_kek("correct horse", b"t" * 16, memory_kib=1024, time_cost=1)
