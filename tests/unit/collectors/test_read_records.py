"""read_records: dispatch by collector_format, and one row per non-header record whatever the container."""

from __future__ import annotations

import base64
import gzip
import io

import pytest
import raw_writers as w

from pipeline.collectors import COLLECTOR_FORMATS, RAW_SCHEMA, read_records

CF_LINE = "\t".join(["2013-10-07", "23:35:30", "SFO4", "3402", "1.2.3.4", "GET", "h", "/i", "200", "-", "ua", "e=pv"])
CLJ_LINE = CF_LINE.replace("SFO4", "-")
THRIFT = w.collector_payload(schema=w.COLLECTOR_PAYLOAD_SCHEMA, ipAddress="1.2.3.4", timestamp=1, encoding="UTF-8",
                             collector="ssc", path="/i")
SAMPLES = {
    "cloudfront": ("#Version: 1.0\n" + CF_LINE + "\n\nnot a log line\n").encode(),
    "clj-tomcat": (CLJ_LINE + "\n\nnot a log line\n").encode(),
    "thrift": base64.b64encode(THRIFT) + b"\n\n" + base64.b64encode(b"junk") + b"\n",
    "tsv/com.amazon.aws.cloudfront/wd_access_log": ("#Version: 1.0\n" + CF_LINE + "\n\nnot a log line\n").encode(),
}


@pytest.mark.parametrize("collector_format", COLLECTOR_FORMATS)
@pytest.mark.parametrize("container", ["plain", "gzip", "lzop"])
def test_every_record_is_exactly_one_row(collector_format: str, container: str) -> None:
    data = SAMPLES[collector_format]
    packed = {"plain": data, "gzip": gzip.compress(data), "lzop": w.lzop(data)}[container]
    batches = list(read_records(collector_format, io.BytesIO(packed), "raw/x"))
    assert all(batch.schema == RAW_SCHEMA for batch in batches)
    got = [row for batch in batches for row in batch.to_pylist()]
    assert [row["failure"] is None for row in got] == [True, False, False]
    assert {row["loader"] for row in got} == {collector_format}


def test_unknown_format_names_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="unknown collector_format 'ndjson'.*cloudfront, clj-tomcat, thrift, tsv/"):
        read_records("ndjson", io.BytesIO(b""), "raw/x")
