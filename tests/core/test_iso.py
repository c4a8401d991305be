"""`iso` writes exactly what `datetime.isoformat` writes, at every rounding edge."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from podstore.core.context import iso


def reference(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


@given(st.floats(min_value=-6.2e10, max_value=2.5e11, allow_nan=False))  # years 5 to 9892
def test_iso_matches_isoformat(ts: float) -> None:
    assert iso(ts) == reference(ts)


@given(
    st.integers(min_value=-(10**9), max_value=4 * 10**9),
    st.sampled_from([0.0, 0.5, 0.25, 1e-7, 5e-7, 0.9999995, 0.9999999, -5e-7]),
)
def test_iso_at_microsecond_rounding_edges(seconds: int, fraction: float) -> None:
    assert iso(seconds + fraction) == reference(seconds + fraction)


def test_iso_examples() -> None:
    assert iso(None) is None
    assert iso(0) == "1970-01-01T00:00:00Z"
    assert iso(1700000000.5) == "2023-11-14T22:13:20.500000Z"
    assert iso(-0.5) == "1969-12-31T23:59:59.500000Z"
    assert iso(-62104060800) == "0002-01-01T00:00:00Z"  # four digits, as isoformat writes
