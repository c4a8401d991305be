"""The contract adapter for the BitDust dialect: each user acts over BitDust's WebSocket
`api_call` protocol with their podstore session token as the API secret; a pod is a key
(`key_create`), a scope its key id; bytes travel by `chunk_write`/`chunk_read` as the desktop
app moves them. BitDust has no move: the adapter moves as a BitDust user would (download,
upload, delete).

Grants as BitDust has them: a folder share is `share_create` on the folder (`remote_path`)
and `share_grant` to the user; a member is given the pod's key (`key_share`). Either hands
over the private key, and whoever holds it reads, writes and deletes: BitDust has no
read-only or write-only key, so the matrix's viewer, read grant and write grant cannot be
expressed and are skipped (`Unsupported`); the editor and the delete grant run.
"""

from __future__ import annotations

from typing import Any

import websocket

from tests.contract.frontend import MEMBERS, SHARE, TREE, Refused, Unsupported
from tests.fixtures.server import Server, User
from tests.frontends.dialects.bitdust.engine import Socket

PIECE = 128 * 1024  # up to 6 JSON bytes per byte: frames stay under max_json_body


class BitDustSession:
    def __init__(self, port: int, user: User | None) -> None:
        self.name = user.name if user else ""
        self.socket: Socket | None = None
        if user is not None:
            self.socket = Socket(f"ws://127.0.0.1:{port}/?api_secret={user.token}")

    def call(self, method: str, **kwargs: Any) -> dict[str, Any]:
        if self.socket is None:
            raise Refused("access denied")
        reply = self.socket.call(method, **kwargs)
        if reply["status"] != "OK":
            raise Refused("; ".join(reply["errors"]))
        return reply

    def remote(self, scope: str, path: str) -> str:
        return f"{scope if '$' in scope else f'{scope}${self.name}@localhost'}:{path}"

    def _ensure_folders(self, scope: str, path: str) -> None:
        parts = path.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            folder = "/".join(parts[:depth])
            self.call(
                "file_create", remote_path=self.remote(scope, folder), as_folder=1, exist_ok=1
            )

    def create_pod(self, pod: str) -> None:
        self.call("key_create", key_alias=pod)

    def mkdir(self, scope: str, path: str) -> None:
        self._ensure_folders(scope, path)
        self.call("file_create", remote_path=self.remote(scope, path), as_folder=1)

    def upload(self, scope: str, path: str, data: bytes) -> None:
        self._ensure_folders(scope, path)
        remote = self.remote(scope, path)
        self.call("file_create", remote_path=remote, exist_ok=1)
        local = self.call("chunk_write", data="")["result"]["path"]
        for start in range(0, len(data), PIECE):
            self.call("chunk_write", data=data[start : start + PIECE].decode("latin-1"), path=local)
        self.call("file_upload_start", local_path=local, remote_path=remote, wait_result=1)

    def download(self, scope: str, path: str) -> bytes:
        remote = self.remote(scope, path)
        local = self.call("file_download_start", remote_path=remote, wait_result=1)["result"]
        got = b""
        while True:
            piece = self.call(
                "chunk_read", path=local["local_path"], offset=len(got), max_size=PIECE
            )
            if piece["result"].get("completed"):
                return got
            got += piece["result"]["chunk"].encode("latin-1")

    def listing(self, scope: str, path: str) -> dict[str, str]:
        found = self.call("files_list", remote_path=self.remote(scope, path), recursive=0)
        return {entry["name"]: entry["type"] for entry in found["result"]}

    def move(self, scope: str, source: str, target: str) -> None:
        data = self.download(scope, source)
        self.upload(scope, target, data)
        self.delete(scope, source)

    def delete(self, scope: str, path: str) -> None:
        self.call("file_delete", remote_path=self.remote(scope, path))


class BitDustFrontEnd:
    name = "bitdust"
    capabilities: set[str] = {SHARE, MEMBERS, TREE}

    def __init__(self, server: Server) -> None:
        self.server = server

    @property
    def port(self) -> int:
        """The WebSocket listener the suite's server serves (`LISTENERS` in its conftest)."""
        return self.server.listener_ports["bitdust_ws"]

    def sign_up(self, prefix: str) -> BitDustSession:
        return BitDustSession(self.port, self.server.new_user(prefix))

    def anonymous(self) -> BitDustSession:
        try:
            Socket(f"ws://127.0.0.1:{self.port}/?api_secret=")
        except websocket.WebSocketBadStatusException as refused:
            assert refused.status_code == 403
        else:
            raise AssertionError("the BitDust WebSocket let a client in without a secret")
        return BitDustSession(self.port, None)

    def share(
        self, owner: BitDustSession, pod: str, path: str, grantee: BitDustSession, level: str
    ) -> str:
        if level != "delete":
            raise Unsupported(f"a BitDust share hands over its private key: no {level}-only key")
        folder = owner.remote(pod, path)
        key_id: str = owner.call("share_create", remote_path=folder)["result"]["key_id"]
        owner.call("share_grant", key_id=key_id, trusted_user_id=grantee.name)
        return key_id

    def add_member(self, owner: BitDustSession, pod: str, member: BitDustSession, role: str) -> str:
        if role != "editor":
            raise Unsupported(f"a BitDust key opens its pod for writing: no {role} key")
        key_id = self.pod_scope(owner, pod)
        owner.call("key_share", key_id=key_id, trusted_user_id=member.name)
        return key_id

    def pod_scope(self, owner: BitDustSession, pod: str) -> str:
        return f"{pod}${owner.name}@localhost"
