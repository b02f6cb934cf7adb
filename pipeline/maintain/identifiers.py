"""The identifiers of one user, the forms they take in stored text, and the salted hash the audit keeps.

A user id travels through the pipeline in several spellings: as itself in enriched columns, JSON-escaped in
bad-row payloads, URL-encoded in tracker query strings, and encoded twice in CloudFront logs (`%` → `%25`).
Text is searched for every spelling, but only where a value can stand — after `=` (query strings, cookies) or
between quotes (JSON) — so that erasing the user id "42" does not remove every bad row containing the number 42.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from urllib.parse import quote, quote_plus

from pipeline.maintain.errors import MaintainError

KINDS = ("user_id", "domain_userid", "network_userid")
"""The identifier kinds a user can be erased by, named like their atomic.events columns."""

MODEL_COLUMNS: dict[str, tuple[str, ...]] = {
    "user_id": ("user_id", "stitched_user_id"),
    "domain_userid": ("domain_userid", "original_domain_userid"),
    "network_userid": ("network_userid",),
}
"""Model-table columns that hold each kind (dbt web models add stitched and original ids)."""

_BEFORE = r'(?:"|=|(?i:%3D|%253D|%22|%2522))'
_AFTER = r'(?=["&;\\\s]|$|(?i:%26|%2526|%22|%2522|%3B|%253B))'


@dataclass(frozen=True)
class Identifiers:
    """One user's identifiers; empty strings count as absent, at least one must be given."""

    user_id: str | None = None
    domain_userid: str | None = None
    network_userid: str | None = None

    def __post_init__(self) -> None:
        for kind in KINDS:
            value = getattr(self, kind)
            if value is not None and not isinstance(value, str):
                raise MaintainError(f"{kind} must be a string, got {type(value).__name__} {value!r}")
            if value is not None and not value.strip():
                object.__setattr__(self, kind, None)
        if not self.items():
            raise MaintainError("no identifier given: pass at least one of user_id, domain_userid, network_userid")

    @classmethod
    def from_mapping(cls, values: Mapping[str, str | None]) -> Identifiers:
        """Identifiers from a dict such as DAG params or CLI options; unknown keys are an error."""
        unknown = set(values) - {f.name for f in fields(cls)}
        if unknown:
            raise MaintainError(f"unknown identifier kind(s) {', '.join(sorted(unknown))}; "
                                f"use {', '.join(KINDS)}")
        return cls(**values)

    def items(self) -> list[tuple[str, str]]:
        """(kind, value) of every identifier given, in KINDS order."""
        return [(kind, getattr(self, kind)) for kind in KINDS if getattr(self, kind) is not None]


def text_forms(value: str) -> list[str]:
    """Every spelling of `value` in stored text: raw, JSON-escaped, URL-encoded (once and CloudFront's twice)."""
    forms = {value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1], quote_plus(value)}
    for safe in ("", "@", "!*'()"):
        once = quote(value, safe=safe)
        forms.update({once, once.replace("%", "%25")})
    return sorted(forms)


@dataclass(frozen=True)
class TextMatcher:
    """Finds a user's identifiers standing as values in text lines (bad rows, collector logs)."""

    forms: tuple[str, ...]
    pattern: re.Pattern[str]
    byte_forms: tuple[bytes, ...]
    byte_pattern: re.Pattern[bytes]

    @classmethod
    def of(cls, identifiers: Identifiers) -> TextMatcher:
        forms = tuple(sorted({form for _, value in identifiers.items() for form in text_forms(value)},
                             key=lambda f: (-len(f), f)))
        body = "|".join(re.escape(form) for form in forms)
        text = f"{_BEFORE}(?:{body}){_AFTER}"
        return cls(forms, re.compile(text), tuple(f.encode() for f in forms), re.compile(text.encode()))

    def search(self, text: str) -> bool:
        """True when any identifier stands as a value in `text` (a cheap substring test first)."""
        return any(form in text for form in self.forms) and self.pattern.search(text) is not None

    def search_bytes(self, line: bytes) -> bool:
        """`search` for a line of bytes (UTF-8 text files)."""
        return any(form in line for form in self.byte_forms) and self.byte_pattern.search(line) is not None


def identifier_hash(kind: str, value: str, salt: bytes) -> str:
    """HMAC-SHA256 of `kind:value` keyed by `salt`: the audit can prove an erasure without holding the value.

    A plain hash of a short identifier is reversed by trying every candidate; a secret key (or at least a
    random per-erasure salt) makes that impossible (or per-row work).
    """
    return hmac.new(salt, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
