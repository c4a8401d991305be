"""ownCloud checksums: a PUT that declares `OC-Checksum: SHA1:<hex>` (rclone's owncloud
vendor does) is hashed as it streams and refused if it does not match, before its version
commits; the checksum is then kept as the dead property `oc:checksums`, tied to that version
by a property of our own, so a later write through any front end makes it disappear rather
than lie."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator

from podstore.core.errors import ChecksumMismatch, Invalid

OC = "http://owncloud.org/ns"
INTERNAL = "urn:podstore:webdav"  # our bookkeeping; never shown, never set by a client
CHECKSUMS = (OC, "checksums")
CHECKSUMS_OF = (INTERNAL, "checksums-of")  # the version the checksums describe
ALGORITHMS = {"SHA1": "sha1", "MD5": "md5", "SHA256": "sha256"}


def declared(header: str | None) -> dict[str, str]:
    """ALGORITHM -> lowercase hex of an OC-Checksum header; those we do not know are skipped."""
    found: dict[str, str] = {}
    for item in (header or "").split():
        name, sep, value = item.partition(":")
        if sep and name.upper() in ALGORITHMS:
            found[name.upper()] = value.strip().lower()
    return found


class Verifier:
    """Hashes a body as it streams: the declared algorithms and SHA1 and MD5 besides (rclone
    checks with MD5 what it declared as SHA1); the stream fails at its end, before the
    upload commits, if a declared checksum differs."""

    def __init__(self, wanted: dict[str, str]) -> None:
        self.wanted = wanted
        names = {*wanted, "SHA1", "MD5"}
        self.hashers = {name: hashlib.new(ALGORITHMS[name]) for name in sorted(names)}

    async def verified(self, source: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        async for piece in source:
            for hasher in self.hashers.values():
                hasher.update(piece)
            yield piece
        for name, value in self.wanted.items():
            if self.hashers[name].hexdigest() != value:
                raise ChecksumMismatch(f"the content does not match its {name} checksum")

    def properties(self, version_id: str) -> list[tuple[str, str, str | None]]:
        found = {name: hasher.hexdigest() for name, hasher in self.hashers.items()}
        return properties(found, version_id)


def properties(found: dict[str, str], version_id: str) -> list[tuple[str, str, str | None]]:
    listed = " ".join(f"{name}:{value}" for name, value in sorted(found.items()))
    value = f'<x:checksum xmlns:x="{OC}">{listed}</x:checksum>'
    return [(*CHECKSUMS, value), (*CHECKSUMS_OF, version_id)]


def check_settable(namespace: str) -> None:
    if namespace == INTERNAL:
        raise Invalid("that namespace is the server's own")
