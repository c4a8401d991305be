"""The times PROPFIND writes: getlastmodified as an HTTP date, creationdate as ISO 8601."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import formatdate

from hypothesis import given
from hypothesis import strategies as st

from podstore.frontends.webdav import props

# from year 1 to 9999, whole seconds and fractions, before 1970 too
TIMES = st.one_of(
    st.floats(min_value=-62_135_596_800, max_value=253_402_300_799, allow_nan=False),
    st.integers(-62_135_596_800, 253_402_300_799).map(float),
    st.builds(
        lambda s, f: s + f,
        st.integers(-(10**9), 4 * 10**9),
        st.sampled_from([0.5, 0.999999, 1e-7, -1e-7, -0.5]),
    ),
)


@given(st.lists(TIMES, min_size=1, max_size=20))
def test_times_are_written_as_their_whole_second_each_time(stamps: list[float]) -> None:
    for ts in stamps + stamps:  # the second pass answers from the cache
        second = datetime.fromtimestamp(ts // 1, UTC)
        if second.year >= 1970:  # formatdate's own range
            assert props.http_date(ts) == formatdate(ts // 1, usegmt=True)
        assert props.http_date(ts) == second.strftime("%a, %d %b %Y %H:%M:%S GMT")
        assert props.iso_second(ts) == second.isoformat()[:19] + "Z"
