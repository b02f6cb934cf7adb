"""Decompress a raw collector object as a stream: gzip (also multi-member), lzop or plain, told apart by magic bytes.

Collector dumps are large (millions of lines) and sometimes damaged (an upload cut short, a disk error). The
reader therefore never holds a whole object in memory and never raises on damaged data: it yields every byte
it could decompress and records what went wrong in `RawReader.error`, which the collectors turn into one
bad row, so a damaged object is visible downstream instead of stopping the run or vanishing silently.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from typing import BinaryIO

import lzokay
import pyarrow as pa
import pyarrow.compute as pc
from isal import isal_zlib

GZIP_MAGIC = b"\x1f\x8b"
LZOP_MAGIC = b"\x89LZO\x00\r\n\x1a\n"

CHUNK_SIZE = 4 << 20
"""Bytes read from the object (and at most produced by one gzip step) at a time."""

# lzop header flags (lzop's conf.h)
_F_ADLER32_D = 0x0001
_F_ADLER32_C = 0x0002
_F_H_EXTRA_FIELD = 0x0040
_F_CRC32_D = 0x0100
_F_CRC32_C = 0x0200
_F_H_FILTER = 0x0800
_F_H_CRC32 = 0x1000
_LZOP_MAX_BLOCK = 64 << 20


class _Damaged(Exception):
    """Internal: the compressed stream cannot be read further; the message goes to `RawReader.error`."""


class _CountingStream:
    """Reads from the object, remembers how many bytes were consumed, and puts a peeked prefix back in front."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._prefix = b""
        self.consumed = 0

    def peek(self, size: int) -> bytes:
        while len(self._prefix) < size:
            data = self._stream.read(size - len(self._prefix))
            if not data:
                break
            self._prefix += data
        return self._prefix[:size]

    def read(self, size: int) -> bytes:
        if self._prefix:
            data, self._prefix = self._prefix[:size], self._prefix[size:]
        else:
            data = self._stream.read(size)
        self.consumed += len(data)
        return data

    def read_exact(self, size: int) -> bytes:
        """Up to `size` bytes, fewer only at the end of the object (raw streams may return short reads)."""
        parts: list[bytes] = []
        missing = size
        while missing > 0:
            data = self.read(missing)
            if not data:
                break
            parts.append(data)
            missing -= len(data)
        return b"".join(parts)


class RawReader:
    """The decompressed content of one raw object, read lazily.

    Iterate `chunks()` (bytes, any size) or `line_blocks()` (whole lines) once; afterwards `error` is None or a
    message such as "truncated gzip stream after 1234 bytes: …" (the byte count is the decompressed output
    produced before the damage) and `compression` names the detected container.
    """

    def __init__(self, stream: BinaryIO, chunk_size: int = CHUNK_SIZE) -> None:
        self._stream = _CountingStream(stream)
        self._chunk_size = chunk_size
        self.error: str | None = None
        self.produced = 0
        head = self._stream.peek(len(LZOP_MAGIC))
        if head.startswith(GZIP_MAGIC):
            self.compression = "gzip"
        elif head == LZOP_MAGIC:
            self.compression = "lzop"
        else:
            self.compression = "plain"

    @property
    def bytes_read(self) -> int:
        """Raw (compressed) bytes consumed from the object so far."""
        return self._stream.consumed

    def chunks(self) -> Iterator[bytes]:
        """Decompressed bytes in chunks; stops quietly at damage, leaving the reason in `error`."""
        source = {"gzip": self._gunzip, "lzop": self._unlzop, "plain": self._plain}[self.compression]
        try:
            for chunk in source():
                if chunk:
                    self.produced += len(chunk)
                    yield chunk
        except _Damaged as damage:
            kind, detail = damage.args
            self.error = f"{kind} after {self.produced} bytes: {detail}"

    def line_blocks(self, block_size: int = CHUNK_SIZE) -> Iterator[memoryview]:
        """Blocks of whole lines: each block is one or more lines joined by b"\\n", without the final newline.

        Splitting a block on b"\\n" gives its lines; a line cut off by damage or the end of the object is
        still a line. Hadoop's line reader does the same, so the line numbers agree with Snowplow's.
        Blocks are read-only views of the decompressed bytes: an object that decompresses in one step (most
        collector logs) is never copied, and larger ones are joined once per block.
        """
        pending: list[bytes] = []
        size = 0
        for chunk in self.chunks():
            pending.append(chunk)
            size += len(chunk)
            last_newline = chunk.rfind(b"\n")
            if size < block_size or last_newline < 0:
                continue
            text = b"".join(pending)
            cut = size - len(chunk) + last_newline
            yield memoryview(text)[:cut]
            pending = [text[cut + 1:]]
            size = len(pending[0])
        text = b"".join(pending)
        if text:
            yield memoryview(text)[:-1] if text.endswith(b"\n") else memoryview(text)

    def _plain(self) -> Iterator[bytes]:
        while data := self._stream.read(self._chunk_size):
            yield data

    def _gunzip(self) -> Iterator[bytes]:
        """gzip members in turn, inflated by ISA-L (the same API as zlib, about twice as fast)."""
        inflater = isal_zlib.decompressobj(wbits=31)
        in_member = False
        while data := self._stream.read(self._chunk_size):
            while data:
                if not in_member and not data.strip(b"\0"):
                    break  # NUL padding after the last member, which gzip(1) also ignores
                try:
                    yield inflater.decompress(data, self._chunk_size)
                except isal_zlib.error as exc:
                    raise _Damaged("corrupt gzip stream", str(exc)) from None
                in_member = True
                if inflater.eof:
                    data = inflater.unused_data
                    inflater = isal_zlib.decompressobj(wbits=31)
                    in_member = False
                else:
                    data = inflater.unconsumed_tail
        if in_member:
            yield inflater.flush()
            raise _Damaged("truncated gzip stream", "the object ends inside a gzip member (upload cut short?)")

    def _unlzop(self) -> Iterator[bytes]:
        flags = self._lzop_header()
        while True:
            sizes = self._lzop_read(4)
            (out_size,) = struct.unpack(">I", sizes)
            if out_size == 0:
                return
            (in_size,) = struct.unpack(">I", self._lzop_read(4))
            if out_size > _LZOP_MAX_BLOCK or in_size > out_size:
                raise _Damaged("corrupt lzop stream", f"impossible block sizes {in_size} → {out_size}")
            out_checks = self._lzop_checks(flags & _F_ADLER32_D, flags & _F_CRC32_D)
            stored = in_size == out_size
            in_checks = [] if stored else self._lzop_checks(flags & _F_ADLER32_C, flags & _F_CRC32_C)
            data = self._lzop_read(in_size)
            _verify(in_checks, data, "compressed")
            if not stored:
                try:
                    data = lzokay.decompress(data, out_size)
                except lzokay.LzokayError as exc:
                    raise _Damaged("corrupt lzop stream", f"LZO block does not decompress ({exc!r})") from None
                if len(data) != out_size:
                    raise _Damaged("corrupt lzop stream", f"LZO block gave {len(data)} bytes, header says {out_size}")
            _verify(out_checks, data, "uncompressed")
            yield data

    def _lzop_read(self, size: int) -> bytes:
        data = self._stream.read_exact(size)
        if len(data) < size:
            raise _Damaged("truncated lzop stream", "the object ends inside an lzop block (upload cut short?)")
        return data

    def _lzop_checks(self, adler: int, crc: int) -> list[tuple[str, int]]:
        checks = []
        if adler:
            checks.append(("adler32", struct.unpack(">I", self._lzop_read(4))[0]))
        if crc:
            checks.append(("crc32", struct.unpack(">I", self._lzop_read(4))[0]))
        return checks

    def _lzop_header(self) -> int:
        """Reads lzop's file header (lzop 1.0x layout) and returns its flags."""
        self._lzop_read(len(LZOP_MAGIC))
        header = bytearray(self._lzop_read(6))  # version, lib version, version needed (or method…)
        version = struct.unpack(">H", header[:2])[0]
        if version < 0x0940:
            header += self._lzop_read(1 + 4)  # method, flags: old headers have no version-needed/level fields
            method, flags = header[4], struct.unpack(">I", header[5:9])[0]
        else:
            header += self._lzop_read(2 + 4)  # method, level, flags
            method, flags = header[6], struct.unpack(">I", header[8:12])[0]
        if method not in (1, 2, 3):
            raise _Damaged("corrupt lzop stream", f"unknown lzop method {method} (only LZO1X is supported)")
        if flags & _F_H_FILTER:
            header += self._lzop_read(4)
        header += self._lzop_read(4 + 4 + (4 if version >= 0x0940 else 0))  # mode, mtime (low, high)
        name_length = self._lzop_read(1)
        header += name_length + self._lzop_read(name_length[0])
        (expected,) = struct.unpack(">I", self._lzop_read(4))
        actual = zlib.crc32(header) if flags & _F_H_CRC32 else zlib.adler32(header)
        if actual != expected:
            raise _Damaged("corrupt lzop stream", "lzop header checksum mismatch")
        if flags & _F_H_EXTRA_FIELD:
            (extra_length,) = struct.unpack(">I", self._lzop_read(4))
            self._lzop_read(extra_length + 4)
        return flags


def _verify(checks: list[tuple[str, int]], data: bytes, what: str) -> None:
    for name, expected in checks:
        actual = zlib.adler32(data) if name == "adler32" else zlib.crc32(data)
        if actual != expected:
            raise _Damaged("corrupt lzop stream", f"{name} of {what} block data does not match")


def iter_line_arrays(reader: RawReader) -> Iterator[pa.Array]:
    """Decompressed lines as Arrow string arrays; invalid UTF-8 replaced by U+FFFD, a CR before LF dropped."""
    for block in reader.line_blocks():
        text = pa.array([str(block, "utf-8", errors="replace")], pa.string())
        lines = pc.list_flatten(pc.split_pattern(text, "\n"))
        yield pc.replace_substring_regex(lines, "\r$", "", max_replacements=1)

