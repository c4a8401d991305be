"""Every FairOS route, fed junk by a logged-in user and by an anonymous one: never a 5xx."""

from __future__ import annotations

import httpx
from starlette.routing import Route

from podstore.frontends.dialects.fairos.app import all_routes
from tests.frontends.dialects.fairos.conftest import FairosServer
from tests.frontends.dialects.fairos.test_flows import _user

JUNK_JSON: list[object] = [
    "text",
    {"podName": 7, "pod_name": None, "dirPath": ["/"], "limit": -1},
    {"podName": "p", "tableName": "t", "dirPath": "/../..", "filePath": "/\u0000", "key": "k",
     "expr": "age>=", "si": "a=b,,", "doc": "{", "id": "", "offset": "-1", "limit": "0",
     "sharingRef": "zz.zz", "reference": "0" * 32, "member": "0x12", "permission": "9",
     "groupName": "nope", "forkName": "../x", "oldPath": "/", "newPath": "/a/../../b",
     "startPrefix": "\uffff", "indexType": "bytes", "mutable": "maybe"},
]  # fmt: skip


def _paths() -> list[tuple[str, str]]:
    found = []
    for route in all_routes():
        if isinstance(route, Route) and route.methods and "{" not in route.path:
            for method in sorted(route.methods - {"HEAD"}):
                found.append((method, route.path))
    return found


def test_no_route_answers_5xx(fairos: FairosServer) -> None:
    user = _user(fairos)
    anonymous = httpx.Client(base_url=fairos.url, timeout=30)
    try:
        user.post("/v1/pod/new", json={"podName": "p"})
        form = {"podName": "p", "dirPath": "/", "blockSize": "x", "pod": "p"}
        for method, path in _paths():
            assert anonymous.request(method, path, json={}).status_code < 500, (method, path)
            for body in JUNK_JSON:
                answer = user.request(method, path, json=body)
                assert answer.status_code < 500, (method, path, body, answer.text)
            multipart = user.request(method, path, data=form, files={"files": ("../x", b"junk")})
            assert multipart.status_code < 500, (method, path, multipart.text)
            query = user.request(method, path, params={"podName": "p", "limit": "x"})
            assert query.status_code < 500, (method, path, query.text)
    finally:
        user.close()
        anonymous.close()
