"""JSON read and written the way Snowplow does (circe): compact, key order kept, numbers as they were sent.

Python's `json` turns `1.10` into `1.1` and `0.000001` into `1e-06`; Snowplow keeps a number's text. Numbers
with a fraction or exponent are therefore parsed as `JsonNumber` (a `Decimal`, so schema validation compares
them exactly) that remembers its text, and written back verbatim.
"""

from __future__ import annotations

import json
import re
import secrets
from decimal import Decimal
from typing import Any

# NOTE: numbers are written as marked strings and unquoted afterwards; the random part keeps a payload's own
# strings from ever looking like a mark.
_MARK = f"\ue000{secrets.token_hex(8)}"
_MARKED = re.compile(f'"{_MARK}([^"]*?){_MARK}"')


class JsonNumber(Decimal):
    """A JSON number with a fraction or exponent, kept with its original text."""

    __slots__ = ("text",)

    def __new__(cls, text: str) -> JsonNumber:
        number = super().__new__(cls, text)
        number.text = text
        return number


def _marked(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"{_MARK}{value.text if isinstance(value, JsonNumber) else value}{_MARK}"
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def loads(text: str) -> Any:
    """Parse JSON text keeping non-integer numbers' text (raises ValueError on invalid JSON)."""
    return json.loads(text, parse_float=JsonNumber)


def dumps(value: Any) -> str:
    """Serialise compactly like circe `noSpaces`: no whitespace, key order kept, non-ASCII as-is."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=_marked)
    return _MARKED.sub(r"\1", text) if _MARK in text else text
