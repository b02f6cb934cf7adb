"""Scala Stream Collector records (the `thrift` collector_format): Thrift `CollectorPayload`s → RAW_SCHEMA batches.

Records sit in S3 as the S3 loader wrote them: inside an lzop file, framed by elephant-bird blocks (a 16-byte
marker, a little-endian length and a protobuf `SerializedBlock` whose repeated field 3 holds one serialised
record each). A file that does not start with the marker is read as one base64-encoded record per line,
elephant-bird's own fallback and how Snowplow's test data is stored. The same two layouts are also accepted
inside gzip or uncompressed files; gzip is our convention (the S3 loader's gzip output is not binary-safe).

Each record is decoded in one pass by a small TBinaryProtocol reader into a `CollectorPayload` (field ids of
collector-payload.thrift; unknown fields of any type are skipped), then checked in the order of Snowplow's
ThriftLoader: readable, `schema` present and matching, required fields, path. Error messages follow Java
Thrift's, since Snowplow copies them into bad rows.

A record without a `schema` field is, as in ThriftLoader's `convertOldSchema`, read again as the legacy
`SnowplowRawEvent` of the first Scala collectors (snowplow-raw-event.thrift): a GET request of tracker
protocol 1, whose `payload.data` is the querystring, so it becomes a `/i` row without body or content type.
Its fields have default requiredness (none is checked); a missing `payload` fails as Snowplow's null
dereference does (message "null"), a missing `encoding` as `Charset.forName(null)`, a missing timestamp is 0.
"""

from __future__ import annotations

import base64
import re
import struct
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any, BinaryIO

import pyarrow as pa

from pipeline.collectors.codecs import IP_PATTERN, lenient_base64url_decode
from pipeline.collectors.files import RawReader
from pipeline.collectors.records import damage_batch, fallback_failure, input_data_failure, raw_batch

LOADER = "thrift"
ELEPHANT_BIRD_MARKER = bytes.fromhex("29d8d50658cd4c29b2bc57992171bdff")
EXPECTED_SCHEMA = "iglu:com.snowplowanalytics.snowplow/CollectorPayload/thrift/1-0-*"
_SCHEMA_URI = re.compile(r"iglu:([a-zA-Z0-9\-_.]+)/([a-zA-Z0-9\-_]+)/([a-zA-Z0-9\-_]+)/([0-9]+)-([0-9]+)-([0-9]+)")

# TBinaryProtocol type ids
T_STOP, T_BOOL, T_BYTE, T_DOUBLE, T_I16, T_I32, T_I64, T_STRING, T_STRUCT, T_MAP, T_SET, T_LIST = (
    0, 2, 3, 4, 6, 8, 10, 11, 12, 13, 14, 15)
_FIXED_SIZES = {T_BOOL: 1, T_BYTE: 1, T_DOUBLE: 8, T_I16: 2, T_I32: 4, T_I64: 8}
_MAX_SKIP_DEPTH = 64
_BYTE, _I16, _I32, _I64 = struct.Struct(">b"), struct.Struct(">h"), struct.Struct(">i"), struct.Struct(">q")

# CollectorPayload (collector-payload-1/collector-payload.thrift)
_STRING_FIELDS = {31337: "schema", 100: "ipAddress", 210: "encoding", 220: "collector", 300: "userAgent",
                  310: "refererUri", 320: "path", 330: "querystring", 340: "body", 360: "contentType",
                  400: "hostname", 410: "networkUserId"}
_TIMESTAMP, _HEADERS = 200, 350
_REQUIRED_OBJECTS = ("ipAddress", "encoding", "collector")

# SnowplowRawEvent and its TrackerPayload (snowplow-raw-event/snowplow-raw-event.thrift)
_LEGACY_STRING_FIELDS = {20: "collector", 30: "encoding", 40: "ipAddress", 45: "hostname", 50: "userAgent",
                         60: "refererUri", 80: "networkUserId"}
_LEGACY_TIMESTAMP, _LEGACY_PAYLOAD, _LEGACY_HEADERS = 1, 41, 70
_TRACKER_PAYLOAD_DATA = 3
LEGACY_PATH = "/i"

_DOT = "[^\n\r\u0085\u2028\u2029]*"
_X_FORWARDED_FOR = re.compile(f"x-forwarded-for: {IP_PATTERN}{_DOT}")
_FORWARDED = re.compile(f"forwarded: for={IP_PATTERN}{_DOT}")
_EPOCH = datetime(1970, 1, 1)


class ThriftError(Exception):
    """The bytes are not a readable Thrift struct; the message is what Java Thrift would say."""


class _Reader:
    """TBinaryProtocol primitives over an in-memory record."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def _need(self, size: int) -> int:
        """The current position, after checking that `size` more bytes exist (Java Thrift's message if not)."""
        available = len(self.data) - self.pos
        if size > available:
            raise ThriftError(f"Cannot read. Remote side has closed. Tried to read {size} bytes, but only got "
                              f"{max(available, 0)} bytes. (This is often indicative of an internal error on the "
                              "server side. Please check your server logs.)")
        return self.pos

    def take(self, size: int) -> bytes:
        pos = self._need(size)
        self.pos = pos + size
        return self.data[pos:pos + size]

    def _unpack(self, layout: struct.Struct) -> Any:
        pos = self._need(layout.size)
        self.pos = pos + layout.size
        return layout.unpack_from(self.data, pos)[0]

    def byte(self) -> int:
        return self._unpack(_BYTE)

    def i16(self) -> int:
        return self._unpack(_I16)

    def i32(self) -> int:
        return self._unpack(_I32)

    def i64(self) -> int:
        return self._unpack(_I64)

    def binary(self) -> bytes:
        size = self.i32()
        if size < 0:
            raise ThriftError(f"Negative length: {size}")
        return self.take(size)

    def string(self) -> str:
        return self.binary().decode("utf-8", errors="replace")

    def field(self) -> tuple[int, int]:
        """(type, id) of the next field; type T_STOP ends the struct."""
        kind = self.byte()
        return (kind, 0) if kind == T_STOP else (kind, self.i16())

    def container_size(self) -> int:
        size = self.i32()
        if size < 0:
            raise ThriftError(f"Negative length: {size}")
        return size

    def skip(self, kind: int, depth: int = _MAX_SKIP_DEPTH) -> None:
        """Skips one value of any type, as TProtocolUtil.skip does."""
        if depth <= 0:
            raise ThriftError("Maximum skip depth exceeded")
        if kind in _FIXED_SIZES:
            self.take(_FIXED_SIZES[kind])
        elif kind == T_STRING:
            self.binary()
        elif kind == T_STRUCT:
            while (field := self.field())[0] != T_STOP:
                self.skip(field[0], depth - 1)
        elif kind == T_MAP:
            key, value, size = self.byte(), self.byte(), self.container_size()
            for _ in range(size):
                self.skip(key, depth - 1)
                self.skip(value, depth - 1)
        elif kind in (T_SET, T_LIST):
            element, size = self.byte(), self.container_size()
            for _ in range(size):
                self.skip(element, depth - 1)
        else:
            raise ThriftError(f"Unrecognized type {kind}")


def read_collector_payload(record: bytes) -> dict[str, Any]:
    """A serialised CollectorPayload → its fields by IDL name (`timestamp` epoch ms, `headers` a list).

    Reads every field once (unknown ids and known ids of an unexpected type are skipped), so a record that
    Snowplow's schema sniffer could not read fails here with the same message. Required fields are checked
    by `check_required` after the schema, in Snowplow's order.
    """
    reader = _Reader(record)
    payload: dict[str, Any] = {}
    while (field := reader.field())[0] != T_STOP:
        kind, field_id = field
        if field_id in _STRING_FIELDS and kind == T_STRING:
            payload[_STRING_FIELDS[field_id]] = reader.string()
        elif field_id == _TIMESTAMP and kind == T_I64:
            payload["timestamp"] = reader.i64()
        elif field_id == _HEADERS and kind == T_LIST:
            _read_headers(reader, payload)
        else:
            reader.skip(kind)
    return payload


def read_snowplow_raw_event(record: bytes) -> dict[str, Any]:
    """A serialised legacy SnowplowRawEvent → its fields by IDL name; `payload` is the TrackerPayload's `data`
    (None when the struct has no data), absent when the record has no payload struct."""
    reader = _Reader(record)
    event: dict[str, Any] = {}
    while (field := reader.field())[0] != T_STOP:
        kind, field_id = field
        if field_id in _LEGACY_STRING_FIELDS and kind == T_STRING:
            event[_LEGACY_STRING_FIELDS[field_id]] = reader.string()
        elif field_id == _LEGACY_TIMESTAMP and kind == T_I64:
            event["timestamp"] = reader.i64()
        elif field_id == _LEGACY_HEADERS and kind == T_LIST:
            _read_headers(reader, event)
        elif field_id == _LEGACY_PAYLOAD and kind == T_STRUCT:
            event["payload"] = None
            while (inner := reader.field())[0] != T_STOP:
                if inner == (T_STRING, _TRACKER_PAYLOAD_DATA):
                    event["payload"] = reader.string()
                else:
                    reader.skip(inner[0])
        else:
            reader.skip(kind)
    return event


def _read_headers(reader: _Reader, into: dict[str, Any]) -> None:
    """A list<string> of headers into `into["headers"]`; a list of another element type is skipped."""
    element, size = reader.byte(), reader.container_size()
    if element != T_STRING:
        for _ in range(size):
            reader.skip(element)
        return
    into["headers"] = [reader.string() for _ in range(size)]


def check_required(payload: dict[str, Any]) -> None:
    """Raises the error Java Thrift's generated `read`/`validate` give for a missing required field."""
    if "timestamp" not in payload:
        raise ThriftError(f"Required field 'timestamp' was not found in serialized data! Struct: {_describe(payload)}")
    for name in _REQUIRED_OBJECTS:
        if name not in payload:
            raise ThriftError(f"Required field '{name}' was not present! Struct: {_describe(payload)}")


def _describe(payload: dict[str, Any]) -> str:
    return "CollectorPayload(" + ", ".join(f"{name}:{value}" for name, value in payload.items()) + ")"


def client_ip(headers: list[str], ip_address: str | None) -> str | None:
    """IpAddressExtractor: the first X-Forwarded-For address, else a Forwarded `for=` address, else ipAddress.

    A Forwarded address only counts if no unrelated header follows it (Snowplow 1.0.0 resets it on every
    non-matching header); headers are matched lower-cased.
    """
    forwarded = None
    for header in headers:
        lowered = header.lower()
        match = _X_FORWARDED_FOR.fullmatch(lowered)
        if match:
            return match.group(1) or match.group(2)
        match = _FORWARDED.fullmatch(lowered)
        forwarded = (match.group(1) or match.group(2)) if match else None
    return forwarded if forwarded is not None else ip_address


def _timestamp(epoch_ms: int) -> datetime | None:
    try:
        return _EPOCH + timedelta(milliseconds=epoch_ms)
    except OverflowError:
        return None


def parse_record(record: bytes) -> dict[str, Any]:
    """One serialised record → the RAW_SCHEMA fields it determines; `failure` set when Snowplow rejects it."""
    try:
        payload = read_collector_payload(record)
        schema = payload.get("schema")
        if schema is None:
            return _legacy_record(record)
        key = _SCHEMA_URI.fullmatch(schema)
        if key is None or key.group(1, 2, 3, 4, 5) != ("com.snowplowanalytics.snowplow", "CollectorPayload",
                                                        "thrift", "1", "0"):
            return {"failure": fallback_failure(f"verifying record as {EXPECTED_SCHEMA} failed: found {schema}")}
        check_required(payload)
    except ThriftError as exc:
        return {"failure": fallback_failure(f"error deserializing raw event: {exc}")}
    if payload.get("path") is None:
        return {"failure": input_data_failure("path", None, "request does not contain a path")}
    headers = payload.get("headers", [])
    return {
        "collector_tstamp": _timestamp(payload["timestamp"]),
        "ip_address": client_ip(headers, payload["ipAddress"]),
        "useragent": payload.get("userAgent"),
        "referer": payload.get("refererUri"),
        "path": payload["path"],
        "querystring": payload.get("querystring"),
        "body": payload.get("body"),
        "content_type": payload.get("contentType"),
        "headers": headers,
        "network_userid": payload.get("networkUserId"),
        "hostname": payload.get("hostname"),
        "collector": payload["collector"],
        "encoding": payload["encoding"],
        "failure": None,
    }


def _legacy_record(record: bytes) -> dict[str, Any]:
    """A record without `schema` read as a legacy SnowplowRawEvent (ThriftLoader.convertOldSchema)."""
    event = read_snowplow_raw_event(record)
    if "payload" not in event:
        raise ThriftError("null")
    if event.get("encoding") is None:
        raise ThriftError("Null charset name")
    headers = event.get("headers", [])
    return {
        "collector_tstamp": _timestamp(event.get("timestamp", 0)),
        "ip_address": client_ip(headers, event.get("ipAddress")),
        "useragent": event.get("userAgent"),
        "referer": event.get("refererUri"),
        "path": LEGACY_PATH,
        "querystring": event["payload"],
        "headers": headers,
        "network_userid": event.get("networkUserId"),
        "hostname": event.get("hostname"),
        "collector": event.get("collector"),
        "encoding": event["encoding"],
        "failure": None,
    }


_PARSED = ("collector_tstamp", "ip_address", "useragent", "referer", "path", "querystring", "body", "content_type",
           "headers", "network_userid", "hostname", "collector", "encoding", "failure")


def parse_records(records: list[bytes], first_record_number: int, source: str) -> pa.RecordBatch:
    """Serialised records → one RAW_SCHEMA row each (pure; record numbers for `source`)."""
    columns: dict[str, list[Any]] = {name: [] for name in _PARSED}
    for record in records:
        row = parse_record(record)
        for name in _PARSED:
            columns[name].append(row.get(name, [] if name == "headers" else None))
    n = len(records)
    return raw_batch(n, {
        **columns,
        "loader": [LOADER] * n,
        "source": [f"{source}:{number}" for number in range(first_record_number, first_record_number + n)],
        "payload": [base64.b64encode(record).decode("ascii") for record in records],
    })


class _FramingError(Exception):
    """The elephant-bird block stream is damaged; nothing after this point can be located."""


def _varint(data: bytes | bytearray, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(data):
            raise _FramingError("a protobuf varint runs past the end of its block")
        byte = data[pos]
        value |= (byte & 0x7F) << shift
        pos += 1
        if not byte & 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            raise _FramingError("a protobuf varint is longer than 10 bytes")


def serialized_block_records(block: bytes) -> list[bytes]:
    """The `proto_blobs` (field 3) of an elephant-bird SerializedBlock protobuf, in order."""
    records = []
    pos = 0
    while pos < len(block):
        tag, pos = _varint(block, pos)
        field_number, wire_type = tag >> 3, tag & 7
        if wire_type == 0:
            _, pos = _varint(block, pos)
        elif wire_type == 1:
            pos += 8
        elif wire_type == 5:
            pos += 4
        elif wire_type == 2:
            size, pos = _varint(block, pos)
            if pos + size > len(block):
                raise _FramingError("a protobuf field runs past the end of its block")
            if field_number == 3:
                records.append(bytes(block[pos:pos + size]))
            pos += size
        else:
            raise _FramingError(f"unsupported protobuf wire type {wire_type}")
        if pos > len(block):
            raise _FramingError("a protobuf field runs past the end of its block")
    return records


def _block_records(chunks: Iterator[bytes], state: dict[str, str]) -> Iterator[bytes]:
    """Records of an elephant-bird block stream; framing damage stops it and is left in state["error"]."""
    buffer = bytearray()
    offset = 0
    exhausted = False
    while True:
        while len(buffer) < 20 and not exhausted:
            chunk = next(chunks, None)
            exhausted = chunk is None
            buffer += chunk or b""
        if not buffer:
            return
        if len(buffer) < 20 or bytes(buffer[:16]) != ELEPHANT_BIRD_MARKER:
            what = "truncated block header" if len(buffer) < 20 else "no block marker"
            state["error"] = f"corrupt elephant-bird block stream at byte {offset}: {what}"
            return
        (size,) = struct.unpack("<I", buffer[16:20])
        while len(buffer) < 20 + size and not exhausted:
            chunk = next(chunks, None)
            exhausted = chunk is None
            buffer += chunk or b""
        if len(buffer) < 20 + size:
            state["error"] = f"corrupt elephant-bird block stream at byte {offset}: truncated block"
            return
        try:
            yield from serialized_block_records(bytes(buffer[20:20 + size]))
        except _FramingError as exc:
            state["error"] = f"corrupt elephant-bird block stream at byte {offset}: {exc}"
            return
        del buffer[:20 + size]
        offset += 20 + size


def _line_records(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Records of a base64-per-line stream (commons-codec's lenient decoding; an empty line is an empty record)."""
    pending = bytearray()
    for chunk in chunks:
        pending += chunk
        *lines, rest = pending.split(b"\n")
        for line in lines:
            yield lenient_base64url_decode(line.decode("ascii", errors="replace"))
        pending = bytearray(rest)
    if pending:
        yield lenient_base64url_decode(pending.decode("ascii", errors="replace"))


def read_thrift(stream: BinaryIO, source: str, batch_rows: int = 50_000) -> Iterator[pa.RecordBatch]:
    """All rows of one raw Thrift object (lzop/gzip/plain; elephant-bird blocks or base64 lines)."""
    reader = RawReader(stream)
    chunks = reader.chunks()
    first = b""
    while len(first) < len(ELEPHANT_BIRD_MARKER):
        chunk = next(chunks, None)
        if chunk is None:
            break
        first += chunk
    rest = _chain(first, chunks)
    state: dict[str, str] = {}
    records = _block_records(rest, state) if first.startswith(ELEPHANT_BIRD_MARKER) else _line_records(rest)
    number = 1
    batch: list[bytes] = []
    for record in records:
        batch.append(record)
        if len(batch) == batch_rows:
            yield parse_records(batch, number, source)
            number += len(batch)
            batch = []
    if batch:
        yield parse_records(batch, number, source)
        number += len(batch)
    error = reader.error or state.get("error")  # a cut-off block is a consequence of a truncated file: report once
    if error is not None:
        yield damage_batch(error, source=f"{source}:{number}", loader=LOADER, collector=LOADER)


def _chain(first: bytes, chunks: Iterator[bytes]) -> Iterator[bytes]:
    if first:
        yield first
    yield from chunks

