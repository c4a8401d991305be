"""Blobs as objects in a bucket of any S3-compatible server (SeaweedFS, rclone, MinIO, AWS).

Path-style addressing, and checksums only when the operation requires them: rclone serve s3
returns whole-object CRCs on ranged GETs, which boto3's default validation rejects.
One boto3 client is shared by all threads (clients are thread-safe, sessions are not).

Timeouts: a short connect timeout, and a read timeout (the longest wait for any byte of an
answer) that lets the server store the largest part, 8 MiB (the largest chunk before 4 MiB
became the largest), at 1 MiB/s. botocore itself never
retries; RetryingBlobStore (storage/wrappers.py) decides, from BackendTimeout vs
BackendUnavailable, what may be tried again.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    ReadTimeoutError,
)

from podstore.storage.blobstore import BlobInfo, BlobStore, Buffer, check_range, validate_name
from podstore.storage.errors import BackendTimeout, BackendUnavailable, BlobNotFound, StorageError

_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}
_TRANSIENT = {
    "500",
    "502",
    "503",
    "504",
    "SlowDown",
    "InternalError",
    "ServiceUnavailable",
    "RequestTimeout",
    "RequestTimeTooSkewed",
}


CONNECT_TIMEOUT = 3.0
_SLOWEST_STORE_RATE = 1024 * 1024  # bytes/s a healthy store stores a part at, at worst


def read_timeout_for(part_bytes: int) -> float:
    """Seconds to wait for an answer to a request carrying (or asking for) `part_bytes`."""
    return 2.0 + part_bytes / _SLOWEST_STORE_RATE


LARGEST_PART = 8 * 1024 * 1024  # chunks were up to 8 MiB before 4 MiB became the largest
READ_TIMEOUT = read_timeout_for(LARGEST_PART)  # 10 s


def _error(exc: Exception, name: str) -> StorageError:
    if isinstance(exc, ReadTimeoutError):
        return BackendTimeout(f"S3 did not answer in time on {name}: {exc}")
    if isinstance(exc, ConnectTimeoutError):
        return BackendUnavailable(f"S3 did not accept a connection in time on {name}: {exc}")
    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        status = str(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", ""))
        if code in _NOT_FOUND or status == "404":
            return BlobNotFound(name)
        if code in _TRANSIENT or status.startswith("5"):
            return BackendUnavailable(f"S3 {code or status} on {name}")
        return StorageError(f"S3 {code or status} on {name}: {exc}")
    return BackendUnavailable(f"S3 unreachable on {name}: {exc}")


class S3BlobStore(BlobStore):
    def __init__(
        self,
        endpoint_url: str | None,
        bucket: str,
        *,
        access_key: str | None = None,
        secret_key: str | None = None,
        region: str = "us-east-1",
        prefix: str = "",
        max_connections: int = 16,
        connect_timeout: float = CONNECT_TIMEOUT,
        read_timeout: float = READ_TIMEOUT,
    ) -> None:
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        self.bucket = bucket
        self.prefix = prefix
        config = Config(
            region_name=region,
            s3={"addressing_style": "path"},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            max_pool_connections=max_connections,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retries={"total_max_attempts": 1, "mode": "standard"},  # one try: see wrappers.py
        )
        self.client: Any = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint_url,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            config=config,
        )

    def _key(self, name: str) -> str:
        return self.prefix + validate_name(name)

    def put(self, name: str, data: Buffer) -> None:
        key = self._key(name)
        try:
            self.client.put_object(Bucket=self.bucket, Key=key, Body=bytes(data))
        except (ClientError, BotoCoreError) as exc:
            raise _error(exc, name) from exc

    def _get(self, name: str, **extra: str) -> bytes:
        key = self._key(name)
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=key, **extra)["Body"]
            try:
                # StreamingBody.read, not the urllib3 stream `with body` hands out: it turns a
                # body that stalls or stops short into botocore's errors, mapped below
                return bytes(body.read())
            finally:
                body.close()
        except (ClientError, BotoCoreError) as exc:
            if (
                isinstance(exc, ClientError)
                and exc.response.get("Error", {}).get("Code") == "InvalidRange"
            ):
                self.stat(name)
                return b""
            raise _error(exc, name) from exc

    def get(self, name: str) -> bytes:
        return self._get(name)

    def get_range(self, name: str, offset: int, length: int) -> bytes:
        check_range(offset, length)
        if length == 0:
            self.stat(name)
            return b""
        return self._get(name, Range=f"bytes={offset}-{offset + length - 1}")

    def exists(self, name: str) -> bool:
        try:
            self.stat(name)
        except BlobNotFound:
            return False
        return True

    def delete(self, name: str) -> None:
        key = self._key(name)
        try:
            self.client.delete_object(Bucket=self.bucket, Key=key)
        except (ClientError, BotoCoreError) as exc:
            err = _error(exc, name)
            if not isinstance(err, BlobNotFound):
                raise err from exc

    def list(self, prefix: str = "") -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix):
                for item in page.get("Contents", ()):
                    yield item["Key"][len(self.prefix) :]
        except (ClientError, BotoCoreError) as exc:
            raise _error(exc, prefix or "<list>") from exc

    def stat(self, name: str) -> BlobInfo:
        key = self._key(name)
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=key)
        except (ClientError, BotoCoreError) as exc:
            raise _error(exc, name) from exc
        return BlobInfo(name, int(head["ContentLength"]), head["LastModified"].timestamp())

    def touch(self, name: str) -> None:
        key = self._key(name)
        try:
            self.client.copy_object(
                Bucket=self.bucket,
                Key=key,
                CopySource={"Bucket": self.bucket, "Key": key},
                MetadataDirective="REPLACE",
            )
        except ClientError as exc:
            err = _error(exc, name)
            if isinstance(err, BlobNotFound):
                raise err from exc
            super().touch(name)  # servers that refuse a copy onto itself
        except BotoCoreError as exc:
            raise _error(exc, name) from exc

    def close(self) -> None:
        self.client.close()
