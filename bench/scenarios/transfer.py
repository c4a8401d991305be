"""Scenarios 1 and 5: one big upload + download with curl; peak RSS of each server meanwhile."""

from __future__ import annotations

from bench import client, data
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
                down = s.download(path, size)
                ctx.results.add(
                    "1", "download", label, down.mb_per_s(size), unit="MB/s", higher_is_better=True
                )
                s.delete(c, path)
        ctx.results.add("5", "peak RSS", s.name, rss.peak / 1e6, unit="MB", higher_is_better=False)

    ctx.alternate("1", systems, one)
