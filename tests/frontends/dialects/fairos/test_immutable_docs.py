"""A document database made with `mutable: false`: loadjson fills it, entry/put is refused
with FairOS's text, and a mutable one still takes puts."""

from __future__ import annotations

from tests.frontends.dialects.fairos.conftest import FairosServer
from tests.frontends.dialects.fairos.test_flows import _user


def test_an_immutable_database_refuses_puts(fairos: FairosServer) -> None:
    web = _user(fairos)
    try:
        web.post("/v1/pod/new", json={"podName": "p"})
        frozen = {"podName": "p", "tableName": "frozen"}
        made = web.post("/v1/doc/new", json={**frozen, "si": "name=string", "mutable": False})
        assert made.status_code == 201
        web.post("/v1/doc/open", json=frozen)
        loaded = web.post(
            "/v1/doc/loadjson",
            data=frozen,
            files={"json": ("d.json", b'{"id":"1","name":"a"}\n{"id":"2","name":"b"}\n')},
        )
        assert loaded.status_code == 200, loaded.text
        refused = web.post("/v1/doc/entry/put", json={**frozen, "doc": '{"id":"3","name":"c"}'})
        assert refused.status_code == 400
        assert refused.json() == {"message": "doc put: trying to modify immutable document db"}
        count = web.post("/v1/doc/count", json={**frozen, "expr": ""})
        assert count.json()["count"] == 2

        free = {"podName": "p", "tableName": "free"}
        web.post("/v1/doc/new", json={**free, "si": "name=string", "mutable": "true"})
        web.post("/v1/doc/open", json=free)
        put = web.post("/v1/doc/entry/put", json={**free, "doc": '{"id":"1","name":"a"}'})
        assert put.status_code == 200
    finally:
        web.close()
