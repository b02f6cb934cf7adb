"""Java-compatible text decoders the collector formats need (URLDecoder, commons-codec Base64)."""

from __future__ import annotations

import base64
import re

_JAVA_HEX_INT = re.compile(r"[+-]?[0-9a-fA-F]+")  # what Integer.parseInt(s, 16) accepts
_BASE64_NOISE = re.compile(r"[^A-Za-z0-9+/]")

IP_PATTERN = r'"?\[?(?:([0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3})|((?:[0-9a-f]|\.|:+)+))'
"""Snowplow's IpAddressExtractor prefix: an IPv4 quad (group 1) or a run of lower-case hex, "." and ":" (group 2)."""


def java_url_decode(value: str) -> str:
    """`java.net.URLDecoder.decode(value, "UTF-8")` (JDK 8): "+" is a space, runs of %XX are UTF-8 bytes.

    Raises ValueError with Java's message when an escape is malformed.
    """
    out: list[str] = []
    i = 0
    while i < len(value):
        char = value[i]
        if char == "+":
            out.append(" ")
            i += 1
        elif char == "%":
            escaped = bytearray()
            while i + 2 < len(value) and value[i] == "%":
                pair = value[i + 1:i + 3]
                if not _JAVA_HEX_INT.fullmatch(pair):
                    raise ValueError(f'URLDecoder: Illegal hex characters in escape (%) pattern - For input string: '
                                     f'"{pair}"')
                if int(pair, 16) < 0:
                    raise ValueError("URLDecoder: Illegal hex characters in escape (%) pattern - negative value")
                escaped.append(int(pair, 16))
                i += 3
            if i < len(value) and value[i] == "%":
                raise ValueError("URLDecoder: Incomplete trailing escape (%) pattern")
            out.append(escaped.decode("utf-8", errors="replace"))
        else:
            out.append(char)
            i += 1
    return "".join(out)


def lenient_base64url_decode(value: str) -> bytes:
    """commons-codec `Base64.decodeBase64` as Snowplow calls it: both alphabets, stop at "=", skip other characters.

    A single leftover character (6 bits) cannot make a byte and is dropped, as commons-codec does.
    """
    data = value.split("=", 1)[0].replace("-", "+").replace("_", "/")
    data = _BASE64_NOISE.sub("", data)
    if len(data) % 4 == 1:
        data = data[:-1]
    return base64.b64decode(data + "=" * (-len(data) % 4))
