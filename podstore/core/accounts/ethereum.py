"""A mnemonic's Ethereum address, as FairOS derives a user's: BIP-32 over secp256k1 along the
BIP-44 path m/44'/60'/0'/0/0, Keccak-256 of the public key, EIP-55 checksum case."""

from __future__ import annotations

import hashlib
import hmac

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from mnemonic import Mnemonic

HARDENED = 0x80000000
ETHEREUM_PATH = (44 | HARDENED, 60 | HARDENED, 0 | HARDENED, 0, 0)
_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141  # of secp256k1


def _public(secret: int, encoding: PublicFormat) -> bytes:
    key = ec.derive_private_key(secret, ec.SECP256K1())
    return key.public_key().public_bytes(Encoding.X962, encoding)


def derive_key(seed: bytes, path: tuple[int, ...] = ETHEREUM_PATH) -> int:
    """The BIP-32 private key of `seed` at `path` (hardened indexes have the top bit set)."""
    digest = hmac.digest(b"Bitcoin seed", seed, hashlib.sha512)
    secret, chain = int.from_bytes(digest[:32], "big"), digest[32:]
    for index in path:
        if index & HARDENED:
            data = b"\0" + secret.to_bytes(32, "big")
        else:
            data = _public(secret, PublicFormat.CompressedPoint)
        digest = hmac.digest(chain, data + index.to_bytes(4, "big"), hashlib.sha512)
        secret, chain = (int.from_bytes(digest[:32], "big") + secret) % _ORDER, digest[32:]
    return secret


def keccak256(data: bytes) -> bytes:
    # imported here: pycryptodome parses its C declarations (pycparser) on import, ~10 MB
    # that a server without FairOS accounts need not hold
    from Crypto.Hash import keccak

    return keccak.new(digest_bits=256, data=data).digest()


def checksummed(address: bytes) -> str:
    """EIP-55: a hex letter is upper-case where the Keccak of the lower-case hex is ≥ 8."""
    plain = address.hex()
    digest = keccak256(plain.encode()).hex()
    cased = (c.upper() if int(digest[i], 16) >= 8 else c for i, c in enumerate(plain))
    return "0x" + "".join(cased)


def address_of_key(secret: int) -> str:
    point = _public(secret, PublicFormat.UncompressedPoint)[1:]  # x || y, without the 0x04
    return checksummed(keccak256(point)[-20:])


def address_from_mnemonic(phrase: str) -> str:
    return address_of_key(derive_key(Mnemonic.to_seed(phrase)))
