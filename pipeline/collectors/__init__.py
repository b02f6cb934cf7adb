"""Raw collector formats → Arrow batches of collector payloads, one module per Snowplow `collector_format`.

Every collector yields `pyarrow.RecordBatch`es with `RAW_SCHEMA`: one row per raw record (a log line or a
Thrift record), that is one HTTP request to the collector. A POST request may carry many events; the
tracker protocol (`pipeline.protocol`) expands it. A record the collector format cannot parse is still a
row: `failure` holds the collector_payload_format_violation message (compact JSON) and `payload` the raw
record, so that every record read becomes exactly one good event or one bad row downstream.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

import pyarrow as pa

from pipeline.events import TIMESTAMP

RAW_SCHEMA = pa.schema([
    pa.field("collector_tstamp", TIMESTAMP),
    pa.field("ip_address", pa.string()),        # client IP after X-Forwarded-For/Forwarded handling
    pa.field("useragent", pa.string()),         # as the collector logged it (still URL-encoded; enrich decodes)
    pa.field("referer", pa.string()),           # collector Referer header, not decoded
    pa.field("path", pa.string()),              # request path: /i, /com.snowplowanalytics.snowplow/tp2, /r/tp2, …
    pa.field("querystring", pa.string()),       # raw querystring (CloudFront %25XX already single-encoded)
    pa.field("body", pa.string()),              # POST body text (decoded from base64 where the format stores it so)
    pa.field("content_type", pa.string()),
    pa.field("headers", pa.list_(pa.string())),  # "Name: value" request headers (Thrift only)
    pa.field("network_userid", pa.string()),    # collector cookie (Thrift networkUserId)
    pa.field("hostname", pa.string()),
    pa.field("collector", pa.string()),         # v_collector default: cloudfront, clj-tomcat, ssc-…
    pa.field("encoding", pa.string()),
    pa.field("loader", pa.string()),            # collector_format name, for bad rows
    pa.field("source", pa.string()),            # "<object key>:<line or record number>", for messages
    pa.field("payload", pa.string()),           # the raw record (line text; base64 for binary records)
    pa.field("failure", pa.string()),           # null, or the collector_payload_format_violation message JSON
])
"""One row per raw collector record."""

COLLECTOR_FORMATS = ("cloudfront", "clj-tomcat", "thrift", "tsv/com.amazon.aws.cloudfront/wd_access_log")
"""The Snowplow `collector_format` names `read_records` understands."""


def read_records(collector_format: str, stream: BinaryIO, source: str,
                 batch_rows: int = 50_000) -> Iterator[pa.RecordBatch]:
    """RAW_SCHEMA batches (at most `batch_rows` rows each) of one raw object, gzip/lzop/plain detected by magic.

    Args:
        collector_format: one of `COLLECTOR_FORMATS`, as in Snowplow's enrich configuration.
        stream: the raw object's bytes, read once, sequentially.
        source: where the object came from (its key); rows carry "<source>:<line or record number>".
        batch_rows: upper bound on the rows of one batch.
    """
    if collector_format == "cloudfront":
        from pipeline.collectors.cloudfront import read_cloudfront as reader
    elif collector_format == "clj-tomcat":
        from pipeline.collectors.clj_tomcat import read_clj_tomcat as reader
    elif collector_format == "thrift":
        from pipeline.collectors.thrift import read_thrift as reader
    elif collector_format == "tsv/com.amazon.aws.cloudfront/wd_access_log":
        from pipeline.collectors.wd_access_log import read_wd_access_log as reader
    else:
        raise ValueError(f"unknown collector_format {collector_format!r}: use one of {', '.join(COLLECTOR_FORMATS)}")
    return reader(stream, source, batch_rows)
