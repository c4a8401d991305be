"""Who may create, read and delete a file of the file service, by the configured mode.

The modes are Hasura's built-in permission hooks: `admin-only` (its default), `private`
("user-read-write": signed-in users, on their own files), `public-read-user-write`,
`public-read`, and `webhook` (an outside hook decides). The `admin` role may do anything
in every mode. Replacing a file's content is a create that also deletes what was there.
"""

from __future__ import annotations

from podstore.core.errors import NotFound, PermissionDenied, Unauthenticated
from podstore.core.records import FilestoreIdentity

CREATE, READ, DELETE = "create", "read", "delete"
ADMIN = "admin"


def _signed_in(who: FilestoreIdentity, op: str) -> None:
    if who.anonymous:
        raise Unauthenticated(f"sign in to {op} files")


def _own(who: FilestoreIdentity, op: str, owner_id: str | None, *, visible: bool) -> None:
    """Only the uploader; to others the file does not exist unless the mode shows it."""
    _signed_in(who, op)
    if owner_id is not None and owner_id != who.user_id:
        if not visible:
            raise NotFound("no file with this id")
        raise PermissionDenied(f"only its uploader may {op} this file")


def decide(mode: str, who: FilestoreIdentity, op: str, owner_id: str | None) -> bool:
    """True when the mode allows `op` by `who` on a file of `owner_id` (None: a new file);
    False when the webhook must be asked; raises when the mode refuses."""
    if who.role == ADMIN:
        return True
    if mode == "webhook":
        return False
    if mode == "admin-only":
        raise PermissionDenied("only the admin role may use the file API")
    if op == READ and mode in ("public-read", "public-read-user-write"):
        return True
    if mode == "public-read":
        raise PermissionDenied("files here are read-only but for the admin role")
    if op == CREATE and mode == "public-read-user-write":
        _signed_in(who, op)
        return True
    _own(who, op, owner_id, visible=mode != "private")  # and deleting, in public-read-user-write
    return True
