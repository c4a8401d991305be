"""The service key: what lets the file service open its pods for anyone its rules allow.

32 random bytes in a file of its own (mode 0600), made on first use; every node of a
cluster needs the same file. The database holds only its hash.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

KEY_BYTES = 32


def load_or_create(path: Path) -> bytes:
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(KEY_BYTES)
        temp = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(key)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temp, path)  # whole or not at all; refused if another process won
        except FileExistsError:
            return load_or_create(path)
        finally:
            temp.unlink()
        return key
    if len(key) != KEY_BYTES:
        raise ValueError(f"{path} is not a file-service key ({KEY_BYTES} bytes)")
    return key
