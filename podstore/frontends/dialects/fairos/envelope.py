"""FairOS answers: JSON as Go's `json.Encoder` writes it (a trailing newline,
`application/json; charset=utf-8`), and which generation of the API a request speaks."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

JSON_TYPE = "application/json; charset=utf-8"


@dataclass(frozen=True)
class Generation:
    """v0 (forms), v1 snake_case (v0.5-v0.8) or v1 camelCase + v2 (v0.9+). A request that
    does not say ("unsaid": no fields, or only fields spelt alike in both) is answered as
    v0.8, with each key of the answer in both spellings where they differ."""

    name: str  # "v0", "snake", "camel" or "unsaid"

    @property
    def camel(self) -> bool:
        return self.name == "camel"

    def message(self, text: str, status: int) -> dict[str, Any]:
        """Up to v0.8 a message carries its status as `code`; from v0.9 it does not."""
        return {"message": text} if self.camel else {"message": text, "code": status}

    def shape(self, *items: tuple[str, str, Any]) -> dict[str, Any]:
        """An answer from (camelCase key, snake_case key, value) triples."""
        out: dict[str, Any] = {}
        for camel, snake, value in items:
            if self.name != "snake" and self.name != "v0":
                out[camel] = value
            if not self.camel:
                out[snake] = value
        return out


V08 = Generation("snake")
UNSAID = Generation("unsaid")


def respond(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":")) + "\n"
    return Response(content.encode(), status, headers, media_type=JSON_TYPE)


def no_content() -> Response:
    return Response(status_code=204)
