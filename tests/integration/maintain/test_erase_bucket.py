"""Erasing one user from the bucket: raw CloudFront logs, enriched Parquet and TSV, bad rows; local and S3."""

from __future__ import annotations

import gzip
import io
import json
from urllib.parse import quote

import maintain_samples as samples
import pyarrow.parquet as pq
import pytest

from pipeline.events import read_tsv_bytes, write_tsv
from pipeline.maintain import erase_user_from_bucket
from pipeline.storage import Storage

ALICE_IDS = {"user_id": samples.ALICE["user_id"], "domain_userid": samples.ALICE["domain_userid"]}


def cloudfront_line(n: int, user: dict[str, str | None]) -> str:
    """A CloudFront web-distribution log line of a page view; the query string is encoded twice, as CloudFront does."""
    query = f"e=pv&url={quote(quote('https://shop.example.com/', safe=''), safe='')}&tv=js-3.24.2&aid=shop&p=web"
    query += f"&eid=00000000-0000-0000-0000-{n:012d}&duid={user['domain_userid']}"
    if user["user_id"]:
        query += "&uid=" + quote(user["user_id"], safe="").replace("%", "%25")
    fields = ["2026-01-01", f"10:00:{n:02d}", "AMS58-C1", "487", "84.73.53.4", "GET", "d92aa9c4b66d4c.cloudfront.net",
              "/i", "200", "https://shop.example.com/", "Mozilla/5.0%2520(X11;%2520Linux%2520x86_64)", query, "-",
              "Hit", f"req{n}==", "d92aa9c4b66d4c.cloudfront.net", "https", "1209", "0.001", "-", "TLSv1.3",
              "TLS_AES_128_GCM_SHA256", "Hit", "HTTP/2.0", "-", "-", "20379", "0.001", "Hit", "image/gif", "43", "-",
              "-"]
    return "\t".join(fields) + "\n"


def raw_log() -> bytes:
    header = "#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem …\n"
    users = [samples.ALICE, {**samples.ALICE, "user_id": None}, samples.BOB, samples.ANONYMOUS,
             {**samples.BOB, "user_id": samples.ALICE["user_id"] + ".au"}]
    return gzip.compress((header + "".join(cloudfront_line(n, u) for n, u in enumerate(users))).encode())


def fill(storage: Storage) -> None:
    """A bucket after two runs: raw and archived logs, good Parquet and TSV, bad rows, a summary, a Thrift dump."""
    storage.write_bytes("raw/E2PLOUGHDEMO.2026-01-02-10.0a1b2c3d.gz", raw_log())
    storage.write_bytes("archive/raw/run=2026-01-01-10-00-00/E2PLOUGHDEMO.2026-01-01-10.9f8e7d6c.gz", raw_log())
    parquet = io.BytesIO()
    pq.write_table(samples.events(), parquet, compression="zstd")
    storage.write_bytes(f"enriched/good/run={samples.RUN}/part-00000.parquet", parquet.getvalue())
    tsv = io.BytesIO()
    write_tsv(samples.events().to_batches(), tsv)
    storage.write_bytes("enriched/good/run=2026-01-01-11-00-00/part-00000.tsv", tsv.getvalue())
    storage.write_bytes(f"enriched/bad/run={samples.RUN}/part-00000.jsonl",
                        "".join(line + "\n" for line in samples.bad_lines()).encode())
    storage.write_bytes(f"quarantine/run={samples.RUN}/summary.json", b'{"good": 9}')
    storage.write_bytes("raw/collector.thrift.lzo", b"\x89LZO\x00\r\n\x1a\n\x10\x30")


def everything(storage: Storage) -> dict[str, bytes]:
    return {obj.key: storage.read_bytes(obj.key) for obj in storage.list("")}


@pytest.fixture(params=["local", "s3"])
def bucket(request: pytest.FixtureRequest, tmp_path) -> Storage:  # noqa: ANN001
    root = request.getfixturevalue("s3_bucket") if request.param == "s3" else str(tmp_path / "bucket")
    storage = Storage(root)
    fill(storage)
    return storage


def test_scrub_removes_the_users_lines_and_rows_everywhere(bucket: Storage) -> None:
    result = erase_user_from_bucket(bucket, ALICE_IDS)

    raw_keys = ["raw/E2PLOUGHDEMO.2026-01-02-10.0a1b2c3d.gz",
                "archive/raw/run=2026-01-01-10-00-00/E2PLOUGHDEMO.2026-01-01-10.9f8e7d6c.gz"]
    for key in raw_keys:
        text = gzip.decompress(bucket.read_bytes(key)).decode()
        assert samples.ALICE["domain_userid"] not in text
        lines = text.splitlines(keepends=True)
        assert lines[:2] == raw_log_lines()[:2], "header lines are kept"
        assert lines[2:] == [cloudfront_line(2, samples.BOB), cloudfront_line(3, samples.ANONYMOUS),
                             cloudfront_line(4, {**samples.BOB, "user_id": samples.ALICE["user_id"] + ".au"})]
    good = pq.read_table(io.BytesIO(bucket.read_bytes(f"enriched/good/run={samples.RUN}/part-00000.parquet")))
    assert good.num_rows == 5 and samples.ALICE["domain_userid"] not in good.column("domain_userid").to_pylist()
    assert good.schema == samples.events().schema
    tsv = read_tsv_bytes(bucket.read_bytes("enriched/good/run=2026-01-01-11-00-00/part-00000.tsv"))
    assert sorted(set(tsv.column("domain_userid").to_pylist())) == sorted(
        [samples.BOB["domain_userid"], samples.ANONYMOUS["domain_userid"]])
    bad = bucket.read_bytes(f"enriched/bad/run={samples.RUN}/part-00000.jsonl").decode().splitlines()
    assert bad == samples.bad_lines()[1:]
    assert all(json.loads(line) for line in bad)

    assert sorted(result.files_rewritten) == sorted([*raw_keys, f"enriched/bad/run={samples.RUN}/part-00000.jsonl",
                                                     f"enriched/good/run={samples.RUN}/part-00000.parquet",
                                                     "enriched/good/run=2026-01-01-11-00-00/part-00000.tsv"])
    assert result.lines_removed == 2 * 2 + 4 + 4 + 1, "two raw logs, Parquet, TSV, bad rows"
    assert sorted(result.not_scrubbed) == ["quarantine/run=2026-01-01-10-00-00/summary.json",
                                           "raw/collector.thrift.lzo"]


def raw_log_lines() -> list[str]:
    return gzip.decompress(raw_log()).decode().splitlines(keepends=True)


def test_dry_run_rewrites_nothing_and_a_second_scrub_finds_nothing(bucket: Storage) -> None:
    before = everything(bucket)
    dry = erase_user_from_bucket(bucket, ALICE_IDS, dry_run=True)
    assert everything(bucket) == before
    real = erase_user_from_bucket(bucket, ALICE_IDS)
    assert (dry.lines_removed, sorted(dry.files_rewritten)) == (real.lines_removed, sorted(real.files_rewritten))
    again = erase_user_from_bucket(bucket, ALICE_IDS)
    assert (again.lines_removed, again.files_rewritten) == (0, [])
