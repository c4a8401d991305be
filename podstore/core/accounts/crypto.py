"""Keys (DESIGN.md §5): mnemonic -> identity key pair; password and session wrapping;
pod keys wrapped for a member's public key."""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from mnemonic import Mnemonic

from podstore.core.errors import Invalid

_BIP39 = Mnemonic("english")
_NONCE = 12


class SealBroken(Exception):
    """A wrapped secret did not open: wrong key or tampered data."""


def hkdf(secret: bytes, info: bytes, length: int = 32) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(secret)


def seal(key: bytes, plaintext: bytes, aad: bytes = b"") -> bytes:
    nonce = os.urandom(_NONCE)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def unseal(key: bytes, sealed: bytes, aad: bytes = b"") -> bytes:
    try:
        return AESGCM(key).decrypt(sealed[:_NONCE], sealed[_NONCE:], aad)
    except (InvalidTag, ValueError) as exc:
        raise SealBroken("the secret does not open with this key") from exc


def new_mnemonic() -> str:
    return str(_BIP39.generate(strength=128))


def normalise_mnemonic(words: str) -> str:
    phrase = " ".join(words.lower().split())
    if not _BIP39.check(phrase):
        raise Invalid("the mnemonic is not a valid BIP-39 phrase")
    return phrase


def identity_from_mnemonic(phrase: str) -> X25519PrivateKey:
    seed = Mnemonic.to_seed(phrase)
    return X25519PrivateKey.from_private_bytes(hkdf(seed, b"podstore identity x25519"))


def public_bytes(key: X25519PrivateKey | X25519PublicKey) -> bytes:
    pub = key.public_key() if isinstance(key, X25519PrivateKey) else key
    return pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def private_bytes(key: X25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )


def password_kek(password: str, salt: bytes, *, memory_kib: int, time_cost: int) -> bytes:
    return hash_secret_raw(
        password.encode("utf-8"),
        salt,
        time_cost=time_cost,
        memory_cost=memory_kib,
        parallelism=1,
        hash_len=32,
        type=Type.ID,
    )


def wrap_for(public_key: bytes, secret: bytes, context: bytes) -> bytes:
    """Seal `secret` so that only the holder of the private key of `public_key` opens it."""
    ephemeral = X25519PrivateKey.generate()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(public_key))
    key = hkdf(shared + public_key, b"podstore wrap " + context)
    return public_bytes(ephemeral) + seal(key, secret, context)


def unwrap_with(private_key: X25519PrivateKey, wrapped: bytes, context: bytes) -> bytes:
    ephemeral = X25519PublicKey.from_public_bytes(wrapped[:32])
    shared = private_key.exchange(ephemeral)
    key = hkdf(shared + public_bytes(private_key), b"podstore wrap " + context)
    return unseal(key, wrapped[32:], context)


def token_hash(secret: bytes) -> bytes:
    return hashlib.sha256(secret).digest()


def constant_time_equal(a: bytes, b: bytes) -> bool:
    return hmac.compare_digest(bytes(a), bytes(b))


@dataclass(frozen=True)
class PodSecrets:
    data_key: bytes
    dedup_key: bytes

    @classmethod
    def generate(cls) -> PodSecrets:
        return cls(os.urandom(32), os.urandom(32))

    def to_bytes(self) -> bytes:
        return self.data_key + self.dedup_key

    @classmethod
    def from_bytes(cls, raw: bytes) -> PodSecrets:
        if len(raw) != 64:
            raise SealBroken("pod secrets have the wrong length")
        return cls(raw[:32], raw[32:])
