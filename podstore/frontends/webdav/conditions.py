"""The If header (RFC 4918 §10.4): lists of state tokens and entity tags, optionally tagged
with the resource they test. The header holds when at least one list holds; every state
token in it is "submitted", which is what lets a write pass the locks it names."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from podstore.core.errors import Invalid
from podstore.core.records import DavTarget

_TOKEN = re.compile(
    r"\s*(?:(?P<coded><[^>]*>)|(?P<open>\()|(?P<close>\))|(?P<not>Not)\b|\[(?P<etag>[^\]]*)\])",
    re.IGNORECASE,
)
MAX_LISTS = 64


@dataclass(frozen=True)
class Condition:
    negated: bool
    token: str | None  # a state token (a Coded-URL's content)
    etag: str | None  # an entity tag, quotes and W/ stripped


@dataclass(frozen=True)
class IfList:
    resource: str | None  # the tagged URL, None for the request's own
    conditions: tuple[Condition, ...]


def parse(header: str) -> list[IfList]:
    """The lists of an If header; Invalid when it does not follow the grammar."""
    lists: list[IfList] = []
    resource: str | None = None
    position, depth, negated = 0, 0, False
    current: list[Condition] = []
    text = header.strip()
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None:
            raise Invalid("the If header is not valid")
        position = match.end()
        if match.group("open"):
            if depth:
                raise Invalid("the If header is not valid")
            depth, current = 1, []
        elif match.group("close"):
            if not depth or not current or negated:
                raise Invalid("the If header is not valid")
            lists.append(IfList(resource, tuple(current)))
            depth = 0
        elif match.group("not"):
            if not depth or negated:
                raise Invalid("the If header is not valid")
            negated = True
        elif match.group("etag") is not None:
            if not depth:
                raise Invalid("the If header is not valid")
            etag = match.group("etag").strip().removeprefix("W/").strip('"')
            current.append(Condition(negated, None, etag))
            negated = False
        else:
            coded = match.group("coded")
            if depth:
                current.append(Condition(negated, coded[1:-1].strip(), None))
                negated = False
            else:
                resource = coded[1:-1].strip()
        if len(lists) > MAX_LISTS:
            raise Invalid("the If header has too many lists")
    if depth or not lists:
        raise Invalid("the If header is not valid")
    return lists


def submitted(lists: list[IfList]) -> frozenset[str]:
    return frozenset(c.token for lst in lists for c in lst.conditions if c.token is not None)


def _holds(condition: Condition, target: DavTarget) -> bool:
    if condition.token is not None:
        found = condition.token in target.tokens
    else:
        found = target.etag is not None and condition.etag == target.etag
    return found != condition.negated


async def evaluate(
    lists: list[IfList], state_of: Callable[[str | None], Awaitable[DavTarget | None]]
) -> bool:
    """Whether some list holds; `state_of(url)` tells what a resource is (None: unknown)."""
    for lst in lists:
        target = await state_of(lst.resource)
        if target is not None and all(_holds(c, target) for c in lst.conditions):
            return True
    return False
