"""One WebDAV request as the handlers see it: the core, the authenticated actor, where the
URL points, and the headers every method reads the same way (Depth, If, Destination)."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request

from podstore.core.context import Actor
from podstore.core.errors import Invalid
from podstore.core.records import DavTarget
from podstore.core.service import Core
from podstore.frontends.http.bodies import read_body
from podstore.frontends.webdav import conditions
from podstore.frontends.webdav.errors import DavError
from podstore.frontends.webdav.paths import Location, parse_destination, parse_path

MAX_XML_BODY = 1024 * 1024


@dataclass
class Call:
    core: Core
    request: Request
    actor: Actor
    loc: Location
    tokens: frozenset[str] = field(default_factory=frozenset)

    @property
    def pod(self) -> str:
        if self.loc.pod is None:
            raise DavError(403, "the top level lists your pods; it cannot be changed")
        return self.loc.pod

    def depth(self, default: str, allowed: tuple[str, ...]) -> str:
        value = self.request.headers.get("depth", default).strip().lower()
        if value not in ("0", "1", "infinity"):
            raise Invalid("Depth is 0, 1 or infinity")
        if value not in allowed:
            raise Invalid(f"Depth {value} is not accepted by {self.request.method}")
        return value

    async def xml_body(self) -> bytes:
        return await read_body(self.request, MAX_XML_BODY)

    async def check_if(self) -> None:
        """Evaluate the If header (412 when no list holds) and keep its tokens."""
        header = self.request.headers.get("if")
        if header is None:
            return
        lists = conditions.parse(header)
        self.tokens = conditions.submitted(lists)
        if not await conditions.evaluate(lists, self._state_of):
            raise DavError(412, "no list of the If header holds")

    async def _state_of(self, url: str | None) -> DavTarget | None:
        loc = self.loc
        if url is not None:
            try:
                found = parse_destination(url, self.request.headers.get("host"))
            except Invalid:
                return None
            if found is None:
                return None
            loc = found
        if loc.pod is None:
            return DavTarget(None, None, frozenset())
        return await self.core.dav.target(self.actor, loc.pod, loc.path)

    def destination(self) -> Location:
        header = self.request.headers.get("destination")
        if not header:
            raise Invalid("COPY and MOVE need a Destination header")
        found = parse_destination(header, self.request.headers.get("host"))
        if found is None:
            raise DavError(502, "the Destination is on another server")
        return found

    def overwrite(self) -> bool:
        value = self.request.headers.get("overwrite", "T").strip().upper()
        if value not in ("T", "F"):
            raise Invalid("Overwrite is T or F")
        return value == "T"


def location_of(request: Request) -> Location:
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1").split("?", 1)[0] if raw else request.url.path
    return parse_path(path)
