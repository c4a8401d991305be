"""VFS paths: `<scheme>://<path>` onto podstore scopes.

`home://` is the user's home pod (setting `home_pod`), `desktop://` its `.antos/desktop`,
`pod://<scope>/…` any pod or share the user reaches (a podstore extension: the pod's name
or id, or `share:<id>`), `shared://<token>` a published file, `os://` the AntOS build
directory. Empty segments are dropped (`home:///a` is `home://a`, and AntOS's router turns
`home://a` into `home:/a`); `.`, `..` and unknown schemes are not paths (BadPath).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from podstore.core.errors import Invalid
from podstore.core.names import split_path
from podstore.frontends.dialects.antos.errors import BadPath

_VFS = re.compile(r"^([A-Za-z]+):/(.*)$", re.DOTALL)
DESKTOP = [".antos", "desktop"]
SETTINGS = [".antos", "settings"]
PACKAGES = [".antos", "packages"]
POD_SCHEMES = ("home", "desktop", "pod")


@dataclass(frozen=True)
class VfsPath:
    scheme: str  # home, desktop, pod, shared or os
    scope: str  # the core scope of home, desktop and pod paths; the token of a shared one
    parts: tuple[str, ...]  # below the scope's root (home and desktop: the home pod's)
    text: str  # as the client wrote it

    @property
    def in_pod(self) -> bool:
        return self.scheme in POD_SCHEMES

    @property
    def inner(self) -> str:
        """The path inside the scope, as the core takes it."""
        return "/".join(self.parts)

    @property
    def name(self) -> str:
        return self.parts[-1] if self.parts else ""

    def child(self, name: str) -> str:
        """A child's VFS path as AntOS spells it: this path without one trailing `/`, `/`, name."""
        return f"{self.text.removesuffix('/')}/{name}"


def parse(text: object, home_pod: str) -> VfsPath:
    if not isinstance(text, str):
        raise BadPath()
    match = _VFS.match(text)
    if match is None:
        raise BadPath()
    scheme, rest = match.group(1).lower(), match.group(2)
    try:
        parts = split_path(rest)
    except Invalid:
        raise BadPath() from None
    if scheme == "home":
        return VfsPath(scheme, home_pod, tuple(parts), text)
    if scheme == "desktop":
        return VfsPath(scheme, home_pod, (*DESKTOP, *parts), text)
    if scheme == "pod" and parts:
        return VfsPath(scheme, parts[0], tuple(parts[1:]), text)
    if scheme == "shared" and len(parts) <= 1:
        return VfsPath(scheme, parts[0] if parts else "", (), text)
    if scheme == "os":
        return VfsPath(scheme, "", tuple(parts), text)
    raise BadPath()


def home(home_pod: str, *parts: str) -> VfsPath:
    return VfsPath("home", home_pod, parts, "home://" + "/".join(parts))
