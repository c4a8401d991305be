"""kv/export (rows from a start key, FairOS's limit of 100) and /public-kv (a key of a
public pod's table, read with the pod's sharing reference and no login)."""

from __future__ import annotations

import base64

import httpx

from tests.frontends.dialects.fairos.conftest import FairosServer
from tests.frontends.dialects.fairos.test_flows import _user


def test_export_and_public_kv(fairos: FairosServer) -> None:
    web = _user(fairos)
    try:
        web.post("/v1/pod/new", json={"podName": "p"})
        table = {"podName": "p", "tableName": "t"}
        web.post("/v1/kv/new", json={**table, "indexType": "string"})
        web.post("/v1/kv/open", json=table)
        for key in ("a1", "a2", "a3", "b1"):
            put = web.post("/v1/kv/entry/put", json={**table, "key": key, "value": f"v-{key}"})
            assert put.status_code == 200
        got = web.post("/v1/kv/export", json={**table, "startPrefix": "a2", "endPrefix": "b1"})
        assert got.json() == {"items": [{"a2": "v-a2"}, {"a3": "v-a3"}]}
        first = web.post("/v1/kv/export", json={**table, "startPrefix": "a", "limit": "2"})
        assert first.json() == {"items": [{"a1": "v-a1"}, {"a2": "v-a2"}]}
        too_many = web.post("/v1/kv/export", json={**table, "startPrefix": "a", "limit": "101"})
        assert too_many.status_code == 400
        assert too_many.json()["message"] == "kv export: maximum limit is 100"
        no_start = web.post("/v1/kv/export", json=table)
        assert no_start.json()["message"] == 'kv export: "start" argument missing'

        ref = web.post("/v1/pod/share", json={"podName": "p"}).json()["podSharingReference"]
        query = {"sharingRef": ref, "tableName": "t", "key": "a3"}
        public = httpx.get(f"{fairos.url}/public-kv", params=query)
        assert public.json() == {"keys": ["a3"], "values": base64.b64encode(b"v-a3").decode()}
        absent = httpx.get(f"{fairos.url}/public-kv", params={**query, "key": "zz"})
        assert absent.status_code == 404
        bad = httpx.get(f"{fairos.url}/public-kv", params={**query, "sharingRef": "x" * 20})
        assert bad.status_code == 404
    finally:
        web.close()
