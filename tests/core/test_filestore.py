"""The file service in the core: global ids in the uploader's pod, Hasura's permission modes,
the service scope that reaches file-service pods and nothing else, trusted gateways."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

from podstore.core.access.authorize import Role, authorize
from podstore.core.context import Actor
from podstore.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    Unauthenticated,
)
from podstore.core.records import FilestoreIdentity, GatewayClaims, StoredFile
from podstore.settings import HasuraSettings
from tests.core.conftest import PASSWORD, Harness


async def body(data: bytes) -> AsyncIterator[bytes]:
    yield data


@pytest.fixture
def filestore(harness: Harness) -> Iterator[HasuraSettings]:
    """The service's settings, restored after each test (tests switch modes)."""
    settings = harness.core.settings.frontends.hasura
    saved = settings.model_copy()
    yield settings
    for field in HasuraSettings.model_fields:
        setattr(settings, field, getattr(saved, field))


def who(harness: Harness, actor: Actor | None, role: str | None = None) -> FilestoreIdentity:
    token = None
    if actor is not None:
        token = harness.run(harness.core.accounts.login(actor.name, PASSWORD)).token
    return harness.run(harness.core.filestore.identify(token, role))


def put(
    harness: Harness, identity: FilestoreIdentity, file_id: str, data: bytes, replace: bool = False
) -> StoredFile:
    upload = harness.core.filestore.upload(
        identity,
        file_id,
        body(data),
        content_type="text/plain",
        size_hint=len(data),
        replace=replace,
    )
    return harness.run(upload)


def read(harness: Harness, identity: FilestoreIdentity, file_id: str) -> bytes:
    _, download = harness.run(harness.core.filestore.open(identity, file_id))

    async def collect() -> bytes:
        return b"".join([p async for p in harness.core.files.stream(download)])

    return harness.run(collect())


def test_private_files_live_in_the_uploaders_pod(
    harness: Harness, filestore: HasuraSettings
) -> None:
    filestore.permissions = "private"
    alice, bob = harness.new_actor(None), harness.new_actor(None)
    as_alice, as_bob, anonymous = who(harness, alice), who(harness, bob), who(harness, None)
    assert as_alice.number >= 1 and as_bob.number not in (0, as_alice.number)
    file_id = str(uuid.uuid4())
    stored = put(harness, as_alice, file_id, b"hello")
    assert (stored.size, stored.content_type, stored.user_role) == (5, "text/plain", "user")
    assert stored.user_number == as_alice.number
    assert read(harness, as_alice, file_id) == b"hello"
    # the native API shows it, in alice's pod named by the settings
    listing = harness.run(harness.core.tree.list(alice, "filestore", ""))
    assert [e.name for e in listing.entries] == [file_id]
    with pytest.raises(NotFound):
        read(harness, as_bob, file_id)
    with pytest.raises(Unauthenticated):
        read(harness, anonymous, file_id)
    with pytest.raises(NotFound):
        put(harness, as_bob, file_id, b"bob's", replace=True)
    with pytest.raises(NotFound):
        harness.run(harness.core.filestore.delete(as_bob, file_id))
    assert read(harness, as_alice, file_id) == b"hello"


def test_ids_are_global_and_freed_by_delete(harness: Harness, filestore: HasuraSettings) -> None:
    filestore.permissions = "public-read-user-write"
    alice, bob = harness.new_actor(None), harness.new_actor(None)
    as_alice, as_bob = who(harness, alice), who(harness, bob)
    file_id = f"id-{uuid.uuid4().hex}"
    put(harness, as_alice, file_id, b"first")
    with pytest.raises(Conflict):
        put(harness, as_bob, file_id, b"second")
    assert read(harness, as_bob, file_id) == b"first"  # public read
    assert read(harness, who(harness, None), file_id) == b"first"
    with pytest.raises(PermissionDenied):  # visible, but not bob's to delete
        harness.run(harness.core.filestore.delete(as_bob, file_id))
    replaced = put(harness, as_alice, file_id, b"again", replace=True)
    assert replaced.user_number == as_alice.number and replaced.size == 5
    versions = harness.run(harness.core.files.versions(alice, "filestore", file_id))
    assert len(versions) == 2
    deleted = harness.run(harness.core.filestore.delete(as_alice, file_id))
    assert deleted.size == 5
    with pytest.raises(NotFound):
        read(harness, as_alice, file_id)
    assert [n.name for n in harness.run(harness.core.tree.trash(alice, "filestore"))] == [file_id]
    put(harness, as_bob, file_id, b"bob's now")  # the id is free again
    assert read(harness, as_alice, file_id) == b"bob's now"


def test_a_file_trashed_natively_frees_its_id(harness: Harness, filestore: HasuraSettings) -> None:
    filestore.permissions = "private"
    alice = harness.new_actor(None)
    as_alice = who(harness, alice)
    put(harness, as_alice, "native-trash", b"x")
    harness.run(harness.core.tree.delete(alice, "filestore", "native-trash"))
    with pytest.raises(NotFound):
        read(harness, as_alice, "native-trash")
    put(harness, as_alice, "native-trash", b"y")
    assert read(harness, as_alice, "native-trash") == b"y"


def test_a_pod_deleted_natively_is_made_again(harness: Harness, filestore: HasuraSettings) -> None:
    filestore.permissions = "private"
    alice = harness.new_actor(None)
    as_alice = who(harness, alice)
    put(harness, as_alice, "pod-gone", b"x")
    harness.run(harness.core.pods.delete(alice, "filestore"))
    with pytest.raises(NotFound):
        read(harness, as_alice, "pod-gone")
    put(harness, as_alice, "pod-gone", b"y")
    assert read(harness, as_alice, "pod-gone") == b"y"


def test_modes_and_roles(harness: Harness, filestore: HasuraSettings) -> None:
    admin, user = harness.new_actor(None), harness.new_actor(None)
    filestore.admins = [admin.name]
    as_admin, as_user = who(harness, admin), who(harness, user)
    assert as_admin.role == "admin" and as_user.role == "user"
    with pytest.raises(PermissionDenied):  # admin-only, the default
        put(harness, as_user, "modes-1", b"x")
    put(harness, as_admin, "modes-1", b"x")
    assert read(harness, as_admin, "modes-1") == b"x"
    with pytest.raises(PermissionDenied):
        who(harness, user, "admin")
    as_admin_user = who(harness, admin, "user")
    with pytest.raises(PermissionDenied):
        read(harness, as_admin_user, "modes-1")
    filestore.permissions = "public-read"
    assert read(harness, who(harness, None), "modes-1") == b"x"
    with pytest.raises(PermissionDenied):
        put(harness, as_user, "modes-2", b"x")
    filestore.permissions = "public-read-user-write"
    with pytest.raises(Unauthenticated):
        put(harness, who(harness, None), "modes-3", b"x")
    with pytest.raises(Unauthenticated):  # no token, so no role but anonymous
        harness.run(harness.core.filestore.identify(None, "user"))


def test_gateway_headers_count_only_from_a_trusted_address(
    harness: Harness, filestore: HasuraSettings
) -> None:
    filestore.permissions = "private"
    alice = harness.new_actor(None)
    as_alice = who(harness, alice)
    claims = GatewayClaims(str(as_alice.number), "user", "user")
    identify = harness.core.filestore.identify
    assert harness.run(identify(None, None, claims, "127.0.0.1")).user_id is None
    filestore.trusted_gateways = ["10.0.0.0/8"]
    assert harness.run(identify(None, None, claims, "127.0.0.1")).user_id is None
    trusted = harness.run(identify(None, None, claims, "10.1.2.3"))
    assert (trusted.user_id, trusted.number, trusted.role) == (
        alice.user_id,
        as_alice.number,
        "user",
    )
    with pytest.raises(PermissionDenied):
        harness.run(identify(None, None, GatewayClaims("1", "admin", "user"), "10.1.2.3"))


def test_the_service_scope_reaches_file_service_pods_only(
    harness: Harness, filestore: HasuraSettings
) -> None:
    filestore.permissions = "private"
    alice = harness.new_actor("home")
    as_alice = who(harness, alice)
    put(harness, as_alice, "scope-1", b"x")
    home = harness.run(harness.core.pods.stat(alice, "home")).id
    pod = harness.run(harness.core.pods.stat(alice, "filestore")).id
    key = harness.core.filestore.service_key()
    service = Actor(alice.user_id, alice.name, private_key=None, link_secret=key)
    forged = Actor(alice.user_id, alice.name, private_key=None, link_secret=b"\0" * 32)
    db = harness.core.ctx.db
    assert db.read_sync(lambda c: authorize(c, service, f"filestore:{pod}", Role.EDITOR)).pod_id
    for actor, ref in (
        (service, f"filestore:{home}"),
        (service, home),
        (forged, f"filestore:{pod}"),
    ):
        with pytest.raises(NotFound):
            db.read_sync(lambda c, a=actor, r=ref: authorize(c, a, r, Role.VIEWER))


def test_a_pod_of_that_name_not_made_by_the_service(
    harness: Harness, filestore: HasuraSettings
) -> None:
    filestore.permissions = "private"
    alice = harness.new_actor("filestore")
    with pytest.raises(Conflict):
        put(harness, who(harness, alice), "taken-pod", b"x")


def test_podstore_administrators_may_take_the_admin_role(
    harness: Harness, filestore: HasuraSettings
) -> None:
    filestore.permissions = "private"
    someone = harness.new_actor(pod=None)
    assert who(harness, someone).allowed_roles == ("user",)
    harness.run(harness.core.accounts.set_admin(someone.name, True))
    assert who(harness, someone).role == "user"
    assert who(harness, someone, "admin").role == "admin"
    harness.run(harness.core.accounts.set_admin(someone.name, False))
    with pytest.raises(PermissionDenied):
        who(harness, someone, "admin")
