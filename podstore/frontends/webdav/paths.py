"""WebDAV URLs: `/dav/` lists what the user can reach, `/dav/{pod}/…` is a pod's tree and
`/dav/share:{id}/…` a received grant's. Each segment is percent-decoded on its own, so an
encoded slash stays inside one name (and is refused there), never a path separator."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, unquote_to_bytes, urlsplit

from podstore.core.errors import Invalid
from podstore.core.names import decode_text

PREFIX = "/dav"


@dataclass(frozen=True)
class Location:
    """`pod` None is `/dav/` itself; `path` is '/'-joined names inside the pod."""

    pod: str | None
    path: str = "/"

    @property
    def parts(self) -> list[str]:
        return [p for p in self.path.split("/") if p]

    @property
    def is_pod_root(self) -> bool:
        return self.pod is not None and not self.parts

    def parent(self) -> Location:
        return Location(self.pod, "/" + "/".join(self.parts[:-1]))

    def href(self, is_dir: bool) -> str:
        """The URL path of this location, a folder's with a trailing slash."""
        if self.pod is None:
            return PREFIX + "/"
        names = [quote(self.pod, safe=":")] + [quote(p, safe="") for p in self.parts]
        return PREFIX + "/" + "/".join(names) + ("/" if is_dir else "")

    def child(self, name: str) -> Location:
        return Location(self.pod, "/" + "/".join([*self.parts, name]))


def parse_path(raw: str) -> Location:
    """The location of a raw (still percent-encoded) URL path below the prefix."""
    if raw != PREFIX and not raw.startswith(PREFIX + "/"):
        raise Invalid("not a WebDAV URL")
    segments = [s for s in raw[len(PREFIX) :].split("/") if s]
    names = [decode_text(unquote_to_bytes(s), "the URL path") for s in segments]
    if any("/" in name for name in names):
        raise Invalid("a name may not contain a slash")
    if not names:
        return Location(None)
    return Location(names[0], "/" + "/".join(names[1:]))


def parse_destination(value: str, host: str | None) -> Location | None:
    """A Destination header's location; None when it names another server."""
    parts = urlsplit(value.strip())
    if parts.netloc and host is not None and parts.netloc.lower() != host.lower():
        return None
    if not parts.path.startswith("/"):
        raise Invalid("the Destination header is not a URL")
    if parts.path != PREFIX and not parts.path.startswith(PREFIX + "/"):
        return None
    return parse_path(parts.path)
