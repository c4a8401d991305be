"""Named RSA keys: each opens one pod; sharing one gives the key and the pod, nothing else."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from podstore.core.errors import Conflict, Invalid, NotFound
from tests.core.conftest import Harness


def test_a_key_is_real_rsa_and_opens_its_own_pod(harness: Harness) -> None:
    alice = harness.new_actor(pod=None)
    core = harness.core
    key = harness.run(core.keyring.create(alice, "photos", size=1024, label="holiday"))
    assert (key.alias, key.creator, key.size, key.label, key.mine) == (
        "photos",
        alice.name,
        1024,
        "holiday",
        True,
    )
    assert key.private_pem is None and key.public_key.startswith("ssh-rsa ")
    full = harness.run(core.keyring.get(alice, "photos", include_private=True))
    assert full.private_pem is not None
    private = serialization.load_pem_private_key(full.private_pem.encode(), None)
    assert isinstance(private, rsa.RSAPrivateKey) and private.key_size == 1024
    public = private.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    assert public.decode() == key.public_key
    assert harness.run(core.pods.stat(alice, key.pod_id)).name == "photos"
    with pytest.raises(Conflict):
        harness.run(core.keyring.create(alice, "photos", size=1024))
    with pytest.raises(Invalid):
        harness.run(core.keyring.create(alice, "x", size=1000))
    changed = harness.run(core.keyring.update(alice, "photos", label="trip", active=False))
    assert (changed.label, changed.active) == ("trip", False)


def test_sharing_a_key_gives_that_pod_and_only_it(harness: Harness) -> None:
    alice, bob, carol = (harness.new_actor(pod=None) for _ in range(3))
    core = harness.core
    shared = harness.run(core.keyring.create(alice, "team", size=1024))
    harness.run(core.keyring.create(alice, "own", size=1024))
    harness.run(core.keyring.share(alice, "team", bob.name))
    [held] = harness.run(core.keyring.list(bob))
    assert (held.alias, held.creator, held.mine, held.pod_id) == (
        "team",
        alice.name,
        False,
        shared.pod_id,
    )
    bobs = harness.run(core.keyring.get(bob, "team", include_private=True))
    alices = harness.run(core.keyring.get(alice, "team", include_private=True))
    assert bobs.private_pem == alices.private_pem
    assert harness.run(core.pods.stat(bob, shared.pod_id)).role == "editor"
    with pytest.raises(NotFound):
        harness.run(core.keyring.get(bob, "own"))
    with pytest.raises(NotFound):
        harness.run(core.keyring.get(carol, "team"))
    with pytest.raises(Invalid):
        harness.run(core.keyring.share(bob, "team", carol.name))
    harness.run(core.keyring.erase(bob, "team"))
    with pytest.raises(NotFound):
        harness.run(core.pods.stat(bob, shared.pod_id))
    harness.run(core.keyring.erase(alice, "team"))
    assert [k.alias for k in harness.run(core.keyring.list(alice))] == ["own"]
