"""One BitDust-enabled server (SQLite, identity made) for the REST and WebSocket tests; the
CLI and the erasure-set tests start their own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.frontends.dialects.bitdust.engine import BitDust, running_bitdust


@pytest.fixture(scope="package")
def bitdust(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BitDust]:
    yield from running_bitdust(tmp_path_factory.mktemp("bitdust"))
