"""What the OpenAPI document says that FastAPI cannot infer: the problem+json answers of every
route (`problems()` as a router's `responses=`), the request bodies of routes that read their
own (`json_body`, `raw_body` as a route's `openapi_extra=`) and bodies that are not JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Response
from pydantic import BaseModel, Field

PROBLEM = "application/problem+json"
SCHEMAS = "#/components/schemas/"


class FieldError(BaseModel):
    loc: list[str] = Field(description="where: the body, query or path, then the field")
    msg: str


class Problem(BaseModel):
    """An RFC 9457 problem: the body of every error of the native API."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = Field(
        default=None, description="422 only: each field that does not have the expected shape"
    )


WHY = {
    400: "The request is invalid: a bad name, path, value or body",
    401: "No valid session, or a link's password is missing or wrong",
    403: "The caller may not do this",
    404: "No such pod, path, entry or id (or the caller may not see it)",
    409: "The request conflicts with what is there",
    410: "The upload has expired",
    412: "A precondition (If-Match, If-None-Match, tus version) does not hold",
    413: "The body is larger than the server accepts",
    414: "The URL is longer than the server reads",
    415: "The body's media type is not the one this route takes",
    416: "The range is outside the content",
    422: "A parameter or field does not have the expected shape",
    429: "Too many attempts; see Retry-After",
    460: "The body does not match its Upload-Checksum",
    500: "Stored data failed verification (run `podstore fsck`)",
    503: "The metadata or blob store is unavailable; try again",
    507: "The pod's or the account's quota would be exceeded",
}
COMMON = (400, 422, 500, 503)
# models referenced by json_body, added to the document's components by `install`
_MODELS: dict[str, type[BaseModel]] = {Problem.__name__: Problem}


def problem_response(status: int) -> dict[str, Any]:
    return {
        "description": WHY[status],
        "content": {PROBLEM: {"schema": {"$ref": SCHEMAS + Problem.__name__}}},
    }


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """A router's `responses=`: the problems its routes answer, with those any route can."""
    return {status: problem_response(status) for status in sorted({*COMMON, *statuses})}


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` for a route that parses a JSON body of `model` itself."""
    _MODELS[model.__name__] = model
    content = {"application/json": {"schema": {"$ref": SCHEMAS + model.__name__}}}
    return {"requestBody": {"required": True, "content": content}}


def raw_body(*media_types: str, required: bool = True) -> dict[str, Any]:
    """`openapi_extra` for a route that streams or reads a body of any bytes itself."""
    content = {kind: {"schema": {"type": "string", "format": "binary"}} for kind in media_types}
    return {"requestBody": {"required": required, "content": content}}


def content(description: str, *media_types: str) -> dict[str, Any]:
    """A success response whose body is not JSON (or not only JSON)."""
    return {"description": description, "content": {kind: {} for kind in media_types}}


# a download route's arguments: it answers file content, a range of it, or no body at all
DOWNLOAD: dict[str, Any] = {"response_model": None, "response_class": Response}
DOWNLOAD["responses"] = {
    200: content("The content, with the media type it was stored with", "*/*"),
    206: content("The requested range of the content", "*/*"),
    304: {"description": "Not modified: the content still has the ETag in If-None-Match"},
    416: {"description": WHY[416] + " (Content-Range tells the size)"},
}
FORM = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "array", "items": {"type": "string", "format": "binary"}}
                    },
                }
            }
        },
    }
}


def install(app: FastAPI) -> None:
    """Complete the generated document: the models named above, 414 everywhere (the HTTP
    server answers it, without a body, to a URL longer than it reads) and 413 on every route
    that takes a body."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            for name, model in _MODELS.items():
                schema = model.model_json_schema(ref_template=SCHEMAS + "{model}")
                schemas.update(schema.pop("$defs", {}))
                schemas[name] = schema
            for item in document["paths"].values():
                for operation in item.values():
                    operation["responses"].setdefault("414", {"description": WHY[414]})
                    if "requestBody" in operation:
                        operation["responses"].setdefault("413", problem_response(413))
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
