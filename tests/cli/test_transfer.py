"""How `podstore put` sizes its chunk requests."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from podstore.cli.chunking import batches
from podstore.cli.transfer import MIN_BATCH, batch_size

MiB = 1024 * 1024


@given(
    size=st.integers(0, 1 << 40),
    jobs=st.integers(1, 16),
    max_request=st.integers(MiB, 256 * MiB),
)
def test_requests_respect_the_server_limit_and_feed_every_job(
    size: int, jobs: int, max_request: int
) -> None:
    batch = batch_size(size, jobs, max_request)
    assert batch <= max_request
    if size >= 2 * jobs * max_request:  # big files: the largest requests the server takes
        assert batch == max_request
    elif max_request >= MIN_BATCH and size >= 2 * jobs * MIN_BATCH:
        assert size // batch >= 2 * jobs  # every job gets two requests or more


def test_a_gigabyte_goes_in_requests_of_the_server_limit() -> None:
    sizes = [2 * MiB] * 512
    offsets = [sum(sizes[:i]) for i in range(len(sizes) + 1)]
    batch = batch_size(offsets[-1], 4, 64 * MiB)
    groups = batches(list(range(len(sizes))), offsets, batch)
    assert len(groups) == 16
    assert all(offsets[g[-1] + 1] - offsets[g[0]] <= 64 * MiB for g in groups)
