"""Writers for the raw formats the collectors read: lzop containers, elephant-bird blocks, Thrift CollectorPayloads.

The product only reads these formats; the tests write them here, from the format descriptions, to build inputs.
"""

from __future__ import annotations

import struct
import zlib

import lzokay

LZOP_MAGIC = b"\x89LZO\x00\r\n\x1a\n"
ELEPHANT_BIRD_MARKER = bytes.fromhex("29d8d50658cd4c29b2bc57992171bdff")


def lzop(data: bytes, *, block_size: int = 256 * 1024, crc32: bool = False, compress: bool = True) -> bytes:
    """An lzop file (lzop 1.03 header layout) holding `data`; checksums adler32 (default) or crc32."""
    d_flag, c_flag = (0x0100, 0x0200) if crc32 else (0x0001, 0x0002)
    flags = d_flag | c_flag | 0x03000000
    header = struct.pack(">HHHBBI", 0x1030, 0x2080, 0x0940, 1, 5, flags)
    header += struct.pack(">III", 0o100644, 0, 0) + b"\x00"
    out = bytearray(LZOP_MAGIC + header + struct.pack(">I", zlib.adler32(header)))
    check = zlib.crc32 if crc32 else zlib.adler32
    for start in range(0, len(data), block_size):
        block = data[start:start + block_size]
        packed = lzokay.compress(block) if compress else block
        if len(packed) >= len(block):
            out += struct.pack(">III", len(block), len(block), check(block)) + block
        else:
            out += struct.pack(">IIII", len(block), len(packed), check(block), check(packed)) + packed
    out += b"\x00\x00\x00\x00"
    return bytes(out)


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def elephant_bird_blocks(records: list[bytes], per_block: int = 2) -> bytes:
    """Records framed like elephant-bird's RawBlockWriter: marker, LE length, protobuf SerializedBlock."""
    out = bytearray()
    for start in range(0, len(records), per_block):
        block = bytearray(b"\x08\x01")  # version = 1
        name = b"com.twitter.elephantbird.util.Bytes"
        block += b"\x12" + _varint(len(name)) + name
        for record in records[start:start + per_block]:
            block += b"\x1a" + _varint(len(record)) + record
        out += ELEPHANT_BIRD_MARKER + struct.pack("<I", len(block)) + block
    return bytes(out)


# Thrift TBinaryProtocol type ids
T_STOP, T_BOOL, T_BYTE, T_DOUBLE, T_I16, T_I32, T_I64, T_STRING, T_STRUCT, T_MAP, T_SET, T_LIST = (
    0, 2, 3, 4, 6, 8, 10, 11, 12, 13, 14, 15)

COLLECTOR_PAYLOAD_SCHEMA = "iglu:com.snowplowanalytics.snowplow/CollectorPayload/thrift/1-0-0"
_STRING_FIELDS = {
    "schema": 31337, "ipAddress": 100, "encoding": 210, "collector": 220, "userAgent": 300, "refererUri": 310,
    "path": 320, "querystring": 330, "body": 340, "contentType": 360, "hostname": 400, "networkUserId": 410,
}


def thrift_string(field_id: int, value: str | bytes) -> bytes:
    raw = value.encode() if isinstance(value, str) else value
    return struct.pack(">bhi", T_STRING, field_id, len(raw)) + raw


def collector_payload(*, extra_fields: bytes = b"", **fields: object) -> bytes:
    """A TBinaryProtocol CollectorPayload; keyword names as in the Thrift IDL, `headers` a list of strings."""
    out = bytearray()
    for name, value in fields.items():
        if value is None:
            continue
        if name == "timestamp":
            out += struct.pack(">bhq", T_I64, 200, value)
        elif name == "headers":
            items = [h.encode() for h in value]
            out += struct.pack(">bhbi", T_LIST, 350, T_STRING, len(items))
            for item in items:
                out += struct.pack(">i", len(item)) + item
        else:
            out += thrift_string(_STRING_FIELDS[name], value)
    return bytes(out + extra_fields + bytes([T_STOP]))
