"""Identifiers of one user: validation, the spellings searched for, where they count as present, the audit hash."""

from __future__ import annotations

import json

import pytest

from pipeline.maintain import Identifiers, MaintainError, identifier_hash
from pipeline.maintain.identifiers import TextMatcher, text_forms

DUID = "6f0d2a4e-0b5c-4c1e-9d61-1f6a2c0e7a11"


def test_blank_identifiers_are_absent_and_one_is_required() -> None:
    assert Identifiers(user_id=" ", domain_userid=DUID).items() == [("domain_userid", DUID)]
    with pytest.raises(MaintainError, match="at least one of user_id, domain_userid, network_userid"):
        Identifiers(user_id="", network_userid=None)
    with pytest.raises(MaintainError, match="user_id must be a string"):
        Identifiers(user_id=42)  # type: ignore[arg-type]
    with pytest.raises(MaintainError, match="unknown identifier kind.*email"):
        Identifiers.from_mapping({"email": "a@b.c"})


def test_text_forms_cover_json_url_and_cloudfront_encodings() -> None:
    forms = text_forms('Jürgen "J" +1@x.de')
    assert 'Jürgen "J" +1@x.de' in forms
    assert json.dumps('Jürgen "J" +1@x.de')[1:-1] in forms
    assert "J%C3%BCrgen%20%22J%22%20%2B1%40x.de" in forms
    assert "J%25C3%25BCrgen%2520%2522J%2522%2520%252B1%2540x.de" in forms
    assert "J%C3%BCrgen+%22J%22+%2B1%40x.de" in forms


@pytest.mark.parametrize("text", [
    f'{{"name":"duid","value":"{DUID}"}}',
    f"e=pv&duid={DUID}&vid=1",
    f"e=pv&duid={DUID}\t-\tHit",
    f"Cookie: sp={DUID}; other=1",
    f'"body":"{{\\"duid\\":\\"{DUID}\\"}}"',
    f"e%3Dpv%26duid%3D{DUID}%26vid%3D1",
])
def test_an_identifier_standing_as_a_value_is_found(text: str) -> None:
    matcher = TextMatcher.of(Identifiers(domain_userid=DUID))
    assert matcher.search(text) and matcher.search_bytes(text.encode())


def test_url_encoded_and_json_escaped_user_ids_are_found() -> None:
    matcher = TextMatcher.of(Identifiers(user_id="jürgen+1@x.de"))
    assert matcher.search("e=pv&uid=j%25C3%25BCrgen%252B1%2540x.de&p=web")
    assert matcher.search("e=pv&uid=j%C3%BCrgen%2B1%40x.de")
    assert matcher.search('{"user_id":"j\\u00fcrgen+1@x.de"}')


@pytest.mark.parametrize("text", [
    '{"messages":[{"n": 42}]}',
    '{"value":"1425"}',
    "e=pv&tid=142&vid=42x",
    '{"uid":"x42"}',
])
def test_a_short_id_inside_other_values_is_not_found(text: str) -> None:
    assert not TextMatcher.of(Identifiers(user_id="42")).search(text)


def test_a_longer_id_that_starts_with_the_users_is_not_the_user() -> None:
    matcher = TextMatcher.of(Identifiers(user_id="alice@example.com"))
    assert not matcher.search('{"uid":"alice@example.com.au"}')
    assert not matcher.search("uid=alice%40example.com.au&")
    assert matcher.search('{"uid":"alice@example.com"}')


def test_identifier_hash_is_keyed_by_salt_and_kind() -> None:
    digest = identifier_hash("user_id", "bob", b"salt-1")
    assert len(digest) == 64 and "bob" not in digest
    assert digest == identifier_hash("user_id", "bob", b"salt-1")
    assert digest != identifier_hash("user_id", "bob", b"salt-2")
    assert digest != identifier_hash("domain_userid", "bob", b"salt-1")
