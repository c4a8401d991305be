"""Properties as PROPFIND shows them: the live ones computed from a node record, the dead
ones as stored, and the lock discovery; each answer carries only what was asked for."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from podstore.core.errors import Invalid
from podstore.core.records import DavLock, DeadProperty, NodeInfo
from podstore.frontends.webdav import checksums, xml
from podstore.frontends.webdav.paths import Location
from podstore.frontends.webdav.xml import DAV, Element

Name = tuple[str, str]
MS = "urn:schemas-microsoft-com:"

# live properties: all of them are protected (PROPPATCH answers 403 for them)
LIVE: tuple[Name, ...] = tuple(
    (DAV, n)
    for n in (
        "resourcetype",
        "displayname",
        "getcontentlength",
        "getcontenttype",
        "getetag",
        "getlastmodified",
        "creationdate",
        "lockdiscovery",
        "supportedlock",
    )
)
# kept out of allprop answers (given when named): the same 300 bytes on every entry would
# double a large folder's answer, which Windows' Mini-Redirector caps at about 1 MB
NAMED_ONLY = frozenset({"supportedlock"})
SUPPORTED_LOCK = (
    "<D:lockentry><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype>"
    "</D:lockentry><D:lockentry><D:lockscope><D:shared/></D:lockscope><D:locktype><D:write/>"
    "</D:locktype></D:lockentry>"
)


@dataclass(frozen=True)
class Request:
    """What a PROPFIND asks for: named properties, all of them, or only their names."""

    names: list[Name] | None  # None: allprop
    only_names: bool = False
    include: tuple[Name, ...] = ()


def parse_propfind(body: bytes) -> Request:
    if not body.strip():
        return Request(None)
    root = xml.parse(body)
    if not root.is_(DAV, "propfind"):
        raise Invalid("the body is not a DAV:propfind")
    for child in root.children:
        if child.is_(DAV, "propname"):
            return Request(None, only_names=True)
        if child.is_(DAV, "allprop"):
            include = root.find(DAV, "include")
            extra = tuple((c.namespace, c.name) for c in include.children) if include else ()
            return Request(None, include=extra)
        if child.is_(DAV, "prop"):
            return Request([(c.namespace, c.name) for c in child.children])
    raise Invalid("a DAV:propfind holds prop, allprop or propname")


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


_STAMPS: dict[int, tuple[str, str]] = {}  # whole second -> (HTTP date, ISO 8601); cleared when full


def _stamps(ts: float) -> tuple[str, str]:
    """A second's HTTP date and ISO 8601 time, made once per second: a PROPFIND of 10,000
    entries writes 20,000 of them, mostly of a few seconds (made anew each time, they took
    ~40% of building its answer)."""
    second = math.floor(ts)  # what gmtime does to a fraction, before 1970 too
    found = _STAMPS.get(second)
    if found is None:
        if len(_STAMPS) >= 4096:
            _STAMPS.clear()
        t = time.gmtime(second)
        found = (
            f"{_DAYS[t.tm_wday]}, {t.tm_mday:02d} {_MONTHS[t.tm_mon - 1]} {t.tm_year} "
            f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} GMT",
            f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T"
            f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}Z",
        )
        _STAMPS[second] = found
    return found


def http_date(ts: float) -> str:
    return _stamps(ts)[0]


def iso_second(ts: float) -> str:
    return _stamps(ts)[1]


def active_lock(lock: DavLock, pod: str | None) -> str:
    scope = "exclusive" if lock.exclusive else "shared"
    root = Location(pod, lock.path).href(False) if pod else "/"
    seconds = max(0, int(lock.timeout))
    return (
        f"<D:activelock><D:locktype><D:write/></D:locktype><D:lockscope><D:{scope}/>"
        f"</D:lockscope><D:depth>{'infinity' if lock.infinite else '0'}</D:depth>"
        f"{lock.owner and f'<D:owner>{lock.owner}</D:owner>'}"
        f"<D:timeout>Second-{seconds}</D:timeout>"
        f"<D:locktoken>{xml.href(lock.token)}</D:locktoken>"
        f"<D:lockroot>{xml.href(root)}</D:lockroot></D:activelock>"
    )


def live_properties(node: NodeInfo, locks: list[DavLock], pod: str | None) -> dict[str, str]:
    """DAV: name -> content of every live property `node` has (a folder has no length,
    type or ETag; lockdiscovery is empty without locks)."""
    found = {
        "resourcetype": "<D:collection/>" if node.kind == "dir" else "",
        "displayname": xml.text(node.name or (pod or "")),
        "getlastmodified": http_date(node.modified_at),
        "creationdate": iso_second(node.created_at),
        "supportedlock": SUPPORTED_LOCK,
        "lockdiscovery": "".join(active_lock(lock, pod) for lock in locks),
    }
    if node.kind != "dir":
        found["getcontentlength"] = str(node.size)
        found["getcontenttype"] = xml.text(node.content_type or "application/octet-stream")
        if node.version_id:
            found["getetag"] = f'"{node.version_id}"'
    return found


def element(namespace: str, name: str, inner: str) -> str:
    if namespace == DAV:
        return f"<D:{name}>{inner}</D:{name}>" if inner else f"<D:{name}/>"
    return xml.open_tag(namespace, name) + inner + xml.close_tag(namespace, name)


def propstat(props: list[str], status: str) -> str:
    return (
        f"<D:propstat><D:prop>{''.join(props)}</D:prop>"
        f"<D:status>HTTP/1.1 {status}</D:status></D:propstat>"
    )


def response(
    href: str,
    node: NodeInfo,
    want: Request,
    dead: list[DeadProperty],
    locks: list[DavLock],
    pod: str | None,
) -> str:
    """One DAV:response of a PROPFIND multistatus."""
    stored = {(p.namespace, p.name): p.value for p in dead}
    if stored.pop(checksums.CHECKSUMS_OF, None) != node.version_id:
        stored.pop(checksums.CHECKSUMS, None)  # they describe an older version
    live = live_properties(node, locks, pod)
    found: list[str] = []
    missing: list[str] = []
    if want.only_names:
        found = [f"<D:{n}/>" for n in live] + [element(ns, n, "") for ns, n in stored]
    elif want.names is None:  # allprop: the live properties that say something, the dead
        found = [
            f"<D:{n}>{v}</D:{n}>" if v else f"<D:{n}/>"
            for n, v in live.items()
            if (v or n == "resourcetype") and n not in NAMED_ONLY
        ]
        found += [element(ns, n, v) for (ns, n), v in stored.items()]
        for namespace, name in want.include:
            if namespace != DAV or name not in live:
                missing.append(element(namespace, name, ""))
    else:
        for namespace, name in want.names:
            value = live.get(name) if namespace == DAV else None
            if value is None:
                value = stored.get((namespace, name))
            if value is None:
                missing.append(element(namespace, name, ""))
            else:
                found.append(element(namespace, name, value))
    stats = (propstat(found, "200 OK") if found else "") + (
        propstat(missing, "404 Not Found") if missing else ""
    )
    return f"<D:response>{xml.href(href)}{stats}</D:response>"


def proppatch_changes(root: Element) -> list[tuple[str, str, str | None]]:
    """The (namespace, name, value or None to remove) of a DAV:propertyupdate, in order."""
    if not root.is_(DAV, "propertyupdate"):
        raise Invalid("the body is not a DAV:propertyupdate")
    changes: list[tuple[str, str, str | None]] = []
    for action in root.children:
        if not (action.is_(DAV, "set") or action.is_(DAV, "remove")):
            continue
        prop = action.find(DAV, "prop")
        if prop is None:
            raise Invalid("a set or remove holds a DAV:prop")
        for item in prop.children:
            value = item.inner_xml() if action.name == "set" else None
            changes.append((item.namespace, item.name, value))
    if not changes:
        raise Invalid("the propertyupdate changes nothing")
    return changes
