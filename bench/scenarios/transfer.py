"""Scenarios 1 and 5: one big upload + download with curl; peak RSS of each server meanwhile.

The file is downloaded three times. First right after the upload, as a user who fetches
what they just sent: a server that wrote it through the page cache then sends it from
memory, podstore (whose chunks went to the disk with O_DIRECT) from the disk. Then
"download, cached": again at once, from the page cache for every system that reads through
it (podstore reads a stream with O_DIRECT, so from the disk again). Then "download, from
disk": after every file of the system was evicted from the page cache (`bench.cache`), as a
file fetched long after it was stored.

Scenario 5 also moves one file of `huge_mib` (8 GiB) through `huge_systems` (podstore and
copyparty), once, to show whether the peak grows with the file size.
"""

from __future__ import annotations

from bench import cache, client, data
from bench.procs import RssSampler
from bench.scenarios import Context, scenario
from bench.systems import FILES, System


@scenario(
    "transfer",
    "1",
    "big file upload + download (curl)",
    aliases=("5", "rss"),
    also_reports=(("5", "peak RSS of each server process tree during 1"),),
)
def transfer(ctx: Context) -> None:
    size = ctx.cfg.big_bytes
    systems = ctx.capable(FILES)
    runs = range(ctx.cfg.runs)
    # one file per run: a later run must not find its content already stored (dedup)
    rand = [data.random_file(ctx.data_dir, size, run) for run in runs]
    text = None
    if ctx.cfg.text_for_podstore and any(s.name == "podstore" for s in systems):
        text = [data.text_file(ctx.data_dir, size, run) for run in runs]
    for s in systems:
        with client.http_client() as c:
            ctx.guarded("1", s, "mkdir", lambda s=s, c=c: s.mkdir(c, "big"))

    def one(run: int, s: System) -> None:
        variants = [(s.name, rand[run])]
        if text is not None and s.name == "podstore":
            variants.append((f"{s.name} (text)", text[run]))
        with RssSampler(s.pid) as rss, client.http_client() as c:
            for label, file in variants:
                path = f"big/r{run}{file.suffix}"
                kind = "text" if label.endswith("(text)") else "random"
                with ctx.profile(s, f"upload-{kind}-run{run + 1}"):
                    up = s.upload(path, file)
                ctx.results.add(
                    "1", "upload", label, up.mb_per_s(size), unit="MB/s", higher_is_better=True
                )
                for measure in ("download", "download, cached", "download, from disk"):
                    if measure.endswith("from disk"):
                        cache.evict(s.home)
                    down = s.download(path, size)
                    ctx.results.add(
                        "1", measure, label, down.mb_per_s(size), unit="MB/s", higher_is_better=True
                    )
                s.delete(c, path)
        ctx.results.add("5", "peak RSS", s.name, rss.peak / 1e6, unit="MB", higher_is_better=False)

    ctx.alternate("1", systems, one)
    huge = [s for s in systems if s.name in ctx.cfg.huge_systems]
    if ctx.cfg.huge_mib > 0 and huge:
        _huge_rss(ctx, huge)


def _huge_rss(ctx: Context, systems: list[System]) -> None:
    """Peak RSS during one upload + download of a `huge_mib` file (random), per system."""
    size = ctx.cfg.huge_mib * 1024 * 1024
    file = data.random_file(ctx.data_dir, size, 100)
    label = f"peak RSS, {_size_name(ctx.cfg.huge_mib)} file"

    def one(s: System) -> None:
        with client.http_client() as c:
            s.mkdir(c, "huge")
            with RssSampler(s.pid) as rss:
                s.upload("huge/h.bin", file)
                s.download("huge/h.bin", size)
            s.delete(c, "huge/h.bin")
        ctx.results.add("5", label, s.name, rss.peak / 1e6, unit="MB", higher_is_better=False)

    for s in systems:
        ctx.guarded("5", s, label, lambda s=s: one(s))


def _size_name(mib: int) -> str:
    return f"{mib // 1024} GiB" if mib % 1024 == 0 else f"{mib} MiB"
