"""XML in and out, safely: request bodies are parsed with expat with no DTD at all (so no
entity expansion, internal or external), a bounded depth and element count; answers are
written as text with every name and value escaped."""

from __future__ import annotations

import xml.parsers.expat
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from podstore.core.errors import Invalid

DAV = "DAV:"
MAX_DEPTH = 64
MAX_ELEMENTS = 20_000


@dataclass
class Element:
    namespace: str
    name: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Element] = field(default_factory=list)
    text: str = ""  # all character data directly inside, in order
    parts: list[str | Element] = field(default_factory=list)  # text and children, in order

    def find(self, namespace: str, name: str) -> Element | None:
        return next((c for c in self.children if c.namespace == namespace and c.name == name), None)

    def is_(self, namespace: str, name: str) -> bool:
        return self.namespace == namespace and self.name == name

    def inner_xml(self) -> str:
        """The content as well-formed XML text, each element declaring its namespace."""
        return "".join(escape(p) if isinstance(p, str) else p.outer_xml() for p in self.parts)

    def outer_xml(self) -> str:
        attrs = "".join(f" {_attr_name(k)}={quoteattr(v)}" for k, v in self.attrs.items())
        return (
            open_tag(self.namespace, self.name, attrs)
            + self.inner_xml()
            + close_tag(self.namespace, self.name)
        )


def _attr_name(key: str) -> str:
    namespace, _, local = key.rpartition(" ")
    if namespace == "http://www.w3.org/XML/1998/namespace":
        return f"xml:{local}"
    return local


def open_tag(namespace: str, name: str, attrs: str = "") -> str:
    if namespace:
        return f"<x:{name} xmlns:x={quoteattr(namespace)}{attrs}>"
    return f'<{name} xmlns=""{attrs}>'


def close_tag(namespace: str, name: str) -> str:
    return f"</x:{name}>" if namespace else f"</{name}>"


def parse(body: bytes) -> Element:
    """The document element of `body`; Invalid for anything not well-formed, any DTD,
    or a document deeper or larger than we read."""
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    stack: list[Element] = []
    root: list[Element] = []
    count = 0

    def refuse(*_: object) -> None:
        raise Invalid("XML with a document type declaration is not accepted")

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal count
        count += 1
        if len(stack) >= MAX_DEPTH or count > MAX_ELEMENTS:
            raise Invalid("the XML body is nested too deeply or is too large")
        namespace, _, name = tag.rpartition(" ")
        element = Element(namespace, name, attrs)
        if stack:
            stack[-1].children.append(element)
            stack[-1].parts.append(element)
        else:
            root.append(element)
        stack.append(element)

    def end(_: str) -> None:
        stack.pop()

    def data(text: str) -> None:
        if stack:
            stack[-1].text += text
            parts = stack[-1].parts
            if parts and isinstance(parts[-1], str):
                parts[-1] += text
            else:
                parts.append(text)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    try:
        parser.Parse(body, True)
    except xml.parsers.expat.ExpatError as exc:
        raise Invalid(f"the XML body is not well-formed: {exc}") from None
    except RecursionError:
        raise Invalid("the XML body is nested too deeply") from None
    if not root:
        raise Invalid("the XML body has no document element")
    return root[0]


def text(value: str) -> str:
    return escape(value)


def href(url_path: str) -> str:
    return f"<D:href>{escape(url_path)}</D:href>"


def multistatus(inner: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<D:multistatus xmlns:D="DAV:">'
        + inner
        + "</D:multistatus>"
    ).encode()


def error_body(condition: str, inner: str = "") -> bytes:
    """An RFC 4918 §16 precondition or postcondition element in a DAV:error body."""
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<D:error xmlns:D="DAV:"><D:{condition}>'
        f"{inner}</D:{condition}></D:error>"
    ).encode()
