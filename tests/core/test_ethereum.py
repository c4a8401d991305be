"""A mnemonic's Ethereum address (BIP-44 m/44'/60'/0'/0/0, EIP-55), against published vectors."""

from __future__ import annotations

from podstore.core.accounts.ethereum import address_from_mnemonic, checksummed, derive_key

# Hardhat's and Foundry's default account #0; the "abandon … about" vector many wallets
# publish (e.g. iancoleman.io/bip39 with coin ETH)
HARDHAT = "test test test test test test test test test test test junk"
ABANDON = " ".join(["abandon"] * 11 + ["about"])


def test_the_published_addresses() -> None:
    assert address_from_mnemonic(HARDHAT) == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
    assert address_from_mnemonic(ABANDON) == "0x9858EfFD232B4033E47d90003D41EC34EcaEda94"


def test_bip32_test_vector_1() -> None:
    # BIP-32 test vector 1, chain m/0H/1: its private key
    seed = bytes.fromhex("000102030405060708090a0b0c0d0e0f")
    key = derive_key(seed, (0x80000000, 1))
    assert key == int("3c6cb8d0f6a264c91ea8b5030fadaa8e538b020f0a387421a12de9319dc93368", 16)


def test_eip55_examples() -> None:
    for address in (
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    ):
        assert checksummed(bytes.fromhex(address[2:])) == address
