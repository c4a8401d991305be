"""Named RSA keys: each opens one pod; sharing one gives the key and the pod, nothing else."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from podstore.core.errors import Conflict, Invalid, NotFound
from podstore.core.service import Core
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


def test_a_folder_key_opens_that_folder_for_its_grantees_and_nothing_beside_it(
    harness: Harness,
) -> None:
    alice, bob, carol = (harness.new_actor(pod=None) for _ in range(3))
    core = harness.core
    pod = harness.run(core.keyring.create(alice, "proj", size=1024))
    harness.run(core.tree.mkdir(alice, pod.pod_id, "shared"))
    harness.run(core.tree.mkdir(alice, pod.pod_id, "private"))
    with pytest.raises(NotFound):
        harness.run(core.keyring.create(bob, "sneak", size=1024, location=(pod.pod_id, "shared")))
    key = harness.run(
        core.keyring.create(alice, "share_a", size=1024, location=(pod.pod_id, "shared"))
    )
    assert (key.folder, key.pod_id, key.scope, key.root) == (True, pod.pod_id, pod.pod_id, "shared")
    assert [p.id for p in harness.run(core.pods.list(alice))] == [pod.pod_id]  # no new pod
    harness.run(core.keyring.share(alice, "share_a", bob.name))
    held = harness.run(core.keyring.get(bob, "share_a"))
    assert held.scope.startswith("share:") and held.root == "" and not held.mine
    harness.run(core.tree.mkdir(bob, held.scope, "from-bob"))
    assert "from-bob" in [
        n.name for n in harness.run(core.tree.list(alice, pod.pod_id, "shared")).entries
    ]
    harness.run(core.tree.delete(bob, held.scope, "from-bob"))
    with pytest.raises(NotFound):
        harness.run(core.tree.stat(bob, pod.pod_id, "private"))
    with pytest.raises(Conflict):
        harness.run(core.keyring.share(alice, "share_a", bob.name))
    harness.run(core.keyring.share(alice, "share_a", carol.name))
    harness.run(core.keyring.erase(carol, "share_a"))  # a grantee leaves: their grant ends
    with pytest.raises(NotFound):
        harness.run(core.tree.stat(carol, held.scope, ""))
    harness.run(core.keyring.erase(alice, "share_a"))  # the creator ends every grant
    with pytest.raises(NotFound):
        harness.run(core.keyring.get(bob, "share_a"))
    with pytest.raises(NotFound):
        harness.run(core.tree.stat(bob, held.scope, ""))
    assert harness.run(core.tree.stat(alice, pod.pod_id, "shared")).kind == "dir"


def test_reservations_are_per_user_need_write_access_and_end_once(harness: Harness) -> None:
    alice, bob = (harness.new_actor(pod=None) for _ in range(2))
    core = harness.core
    pod = harness.run(core.keyring.create(alice, "cat", size=1024))
    slots = core.keyring.reservations
    harness.run(slots.reserve(alice, pod.pod_id, "a/b.txt"))
    with pytest.raises(Conflict):
        harness.run(slots.reserve(alice, pod.pod_id, "/a//b.txt"))
    with pytest.raises(NotFound):
        harness.run(slots.reserve(bob, pod.pod_id, "x.txt"))
    with pytest.raises(Invalid):
        harness.run(slots.reserve(alice, pod.pod_id, "../x"))
    assert harness.run(slots.is_reserved(alice, pod.pod_id, "a/b.txt"))
    assert not harness.run(slots.is_reserved(bob, pod.pod_id, "a/b.txt"))
    assert harness.run(slots.release(alice, pod.pod_id, "a/b.txt"))
    assert not harness.run(slots.release(alice, pod.pod_id, "a/b.txt"))
    assert not harness.run(slots.is_reserved(alice, pod.pod_id, "a/b.txt"))


def test_a_reservation_is_seen_by_another_node_of_the_same_database(harness: Harness) -> None:
    alice = harness.new_actor(pod=None)
    pod = harness.run(harness.core.keyring.create(alice, "cat", size=1024))
    harness.run(harness.core.keyring.reservations.reserve(alice, pod.pod_id, "later.txt"))
    other = Core(harness.core.settings)  # a second node, or the server after a restart
    try:
        slots = other.keyring.reservations
        assert harness.run(slots.is_reserved(alice, pod.pod_id, "later.txt"))
        assert harness.run(slots.release(alice, pod.pod_id, "later.txt"))
    finally:
        harness.run(other.close())
    assert not harness.run(
        harness.core.keyring.reservations.is_reserved(alice, pod.pod_id, "later.txt")
    )
