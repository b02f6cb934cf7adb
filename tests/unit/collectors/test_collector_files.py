"""RawReader: gzip / lzop / plain detection, streaming, and damage reported instead of raised."""

from __future__ import annotations

import gzip
import io
import os

import pytest
from raw_writers import lzop

from pipeline.collectors.files import RawReader

TEXT = b"".join(b"line %d \xc3\xa9\n" % i for i in range(5000))


def read_all(data: bytes, **kwargs: int) -> tuple[bytes, RawReader]:
    reader = RawReader(io.BytesIO(data), **kwargs)
    return b"".join(reader.chunks()), reader


@pytest.mark.parametrize("packed, compression", [
    (TEXT, "plain"),
    (gzip.compress(TEXT), "gzip"),
    (lzop(TEXT), "lzop"),
    (lzop(TEXT, crc32=True), "lzop"),
    (lzop(TEXT, compress=False), "lzop"),
])
def test_detects_the_container_and_yields_the_content(packed: bytes, compression: str) -> None:
    content, reader = read_all(packed, chunk_size=1000)
    assert (content, reader.compression, reader.error) == (TEXT, compression, None)
    assert reader.bytes_read == len(packed)


def test_multi_member_gzip_is_read_to_the_end() -> None:
    packed = gzip.compress(TEXT[:1000]) + gzip.compress(TEXT[1000:]) + gzip.compress(b"")
    assert read_all(packed, chunk_size=100)[0] == TEXT


def test_nul_padding_after_the_last_gzip_member_is_ignored() -> None:
    content, reader = read_all(gzip.compress(TEXT) + b"\0" * 512)
    assert (content, reader.error) == (TEXT, None)


def test_truncated_gzip_yields_what_it_can_and_reports() -> None:
    packed = gzip.compress(os.urandom(50_000) + TEXT)
    content, reader = read_all(packed[:-2000], chunk_size=4096)
    assert len(content) > 0 and TEXT.startswith(content[50_000:])
    assert reader.error.startswith(f"truncated gzip stream after {len(content)} bytes: ")


def test_corrupt_gzip_is_reported_not_raised() -> None:
    packed = bytearray(gzip.compress(TEXT))
    packed[40:60] = b"\xff" * 20
    _, reader = read_all(bytes(packed))
    assert reader.error.startswith("corrupt gzip stream after ")


def test_garbage_after_a_gzip_member_is_reported() -> None:
    content, reader = read_all(gzip.compress(TEXT) + b"not gzip at all")
    assert content == TEXT
    assert reader.error.startswith(f"corrupt gzip stream after {len(TEXT)} bytes: ")


def test_truncated_lzop_keeps_the_complete_blocks() -> None:
    packed = lzop(TEXT, block_size=10_000)
    content, reader = read_all(packed[:-5000])
    assert content and TEXT.startswith(content) and len(content) % 10_000 == 0
    assert reader.error.startswith(f"truncated lzop stream after {len(content)} bytes: ")


def test_lzop_checksum_mismatch_is_reported() -> None:
    packed = bytearray(lzop(TEXT, compress=False))
    packed[-100] ^= 0xFF
    _, reader = read_all(bytes(packed))
    assert reader.error.endswith("adler32 of uncompressed block data does not match")


def test_real_lzop_file_from_snowplow(shared_data) -> None:
    with open(shared_data / "thrift" / "CorruptedThriftLinesSpec.line.lzo", "rb") as stream:
        reader = RawReader(stream)
        assert (b"".join(reader.chunks()), reader.compression, reader.error) == (b"bad", "lzop", None)


@pytest.mark.parametrize("data, lines", [
    (b"", []),
    (b"\n", [b""]),
    (b"a\nb", [b"a", b"b"]),
    (b"a\nb\n", [b"a", b"b"]),
    (b"a\n\nb\n\n", [b"a", b"", b"b", b""]),
])
def test_line_blocks_split_like_hadoop(data: bytes, lines: list[bytes]) -> None:
    for block_size in (1, 3, 1 << 20):
        reader = RawReader(io.BytesIO(data), chunk_size=2)
        got = [line for block in reader.line_blocks(block_size) for line in bytes(block).split(b"\n")]
        assert got == lines


def test_line_blocks_keep_huge_lines_whole() -> None:
    huge = b"x" * 3_000_000
    reader = RawReader(io.BytesIO(gzip.compress(b"a\n" + huge + b"\nb\n")), chunk_size=65536)
    got = [line for block in reader.line_blocks(100_000) for line in bytes(block).split(b"\n")]
    assert got == [b"a", huge, b"b"]
