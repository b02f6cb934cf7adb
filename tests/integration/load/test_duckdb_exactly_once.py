"""Exactly-once loading into DuckDB under concurrency, SIGKILL and an S3 source."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import load_samples as samples

from pipeline.load import load_run
from pipeline.storage import Storage

RUN = "2026-01-01-10-00-00"
SAMPLES_DIR = str(Path(samples.__file__).parent)
SCRIPT = """
import json, sys, time
sys.path.insert(0, {samples_dir!r})
import load_samples
from pipeline.load import load_run

def progress(n):
    print("loaded", n, flush=True)
    if {stall}:
        time.sleep(120)

result = load_run({good!r}, {url!r}, {run!r}, lookup=load_samples.lookup, progress=progress)
print(json.dumps({{"skipped": result.skipped, "events": result.events}}), flush=True)
"""


def _script(good: Path, url: str, stall: bool) -> list[str]:
    code = SCRIPT.format(samples_dir=SAMPLES_DIR, stall=stall, good=str(good), url=url, run=RUN)
    return [sys.executable, "-c", code]


def _counts(url: str) -> tuple[int, int, int]:
    with duckdb.connect(url[len("duckdb:///"):], read_only=True) as con:
        return (con.execute("select count(*) from atomic.events").fetchone()[0],
                con.execute("select count(*) from atomic.com_snowplowanalytics_snowplow_web_page_1").fetchone()[0],
                con.execute("select count(*) from atomic.manifest").fetchone()[0])


def test_sigkill_mid_load_then_rerun_leaves_one_copy(tmp_path: Path) -> None:
    good = samples.write_run(tmp_path / "good", samples.events(50))
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    proc = subprocess.Popen(_script(good, url, stall=True), stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": os.getcwd()})
    try:
        line = proc.stdout.readline()
        assert line.startswith("loaded 50"), line
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    result = load_run(str(good), url, RUN, lookup=samples.lookup)
    assert not result.skipped and result.events == 50
    assert _counts(url) == (50, 50, 1)


def test_two_processes_loading_the_same_run_commit_once(tmp_path: Path) -> None:
    good = samples.write_run(tmp_path / "good", samples.events(200))
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    procs = [subprocess.Popen(_script(good, url, stall=False), stdout=subprocess.PIPE, text=True, env=env)
             for _ in range(2)]
    outputs = [json.loads(p.communicate(timeout=120)[0].strip().splitlines()[-1]) for p in procs]
    assert sorted(o["skipped"] for o in outputs) == [False, True]
    assert _counts(url) == (200, 200, 1)


def test_two_threads_loading_the_same_run_commit_once(tmp_path: Path) -> None:
    good = samples.write_run(tmp_path / "good", samples.events(200))
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    results = []
    start = threading.Barrier(2)

    def load() -> None:
        start.wait()
        results.append(load_run(str(good), url, RUN, lookup=samples.lookup))

    threads = [threading.Thread(target=load) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(r.skipped for r in results) == [False, True]
    assert _counts(url) == (200, 200, 1)


def test_s3_source_and_bad_rows(tmp_path: Path, s3_bucket: str) -> None:
    local = samples.write_run(tmp_path / "good", samples.events(7))
    bad = samples.write_bad(tmp_path / "bad", 2)
    storage = Storage(s3_bucket)
    for path in local.iterdir():
        storage.upload(path, f"enriched/good/run={RUN}/{path.name}")
    storage.upload(bad / "part-00000.jsonl", f"enriched/bad/run={RUN}/part-00000.jsonl")
    storage.write_bytes(f"enriched/good/run={RUN}/_SUCCESS", b"")
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    result = load_run(storage.url(f"enriched/good/run={RUN}/"), url, RUN,
                      bad_source=storage.url(f"enriched/bad/run={RUN}/"), lookup=samples.lookup)
    assert (result.events, result.bad_rows) == (7, 2)
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        assert con.execute("select base from atomic.manifest").fetchone()[0] == f"{s3_bucket}/enriched/good/run={RUN}/"
