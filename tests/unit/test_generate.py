"""`plough generate`: CloudFront collector logs that are deterministic, well-formed and realistic."""

from __future__ import annotations

import base64
import gzip
import json
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

import pipeline
from pipeline.generate import EMITTED_SCHEMAS, GenerateError, generate
from pipeline.generate.cloudfront import FIELDS
from pipeline.storage import Storage

START = date(2024, 5, 1)
DAYS = 2
PER_DAY = 4000
SHARE = 0.02
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
NAME = re.compile(r"^raw/E2PLOUGHDEMO\.(\d{4}-\d{2}-\d{2}-\d{2})\.[0-9a-f]{8}\.gz$")
DOUBLE_PCT = re.compile(r"%25([0-9a-fA-F]{2})")
BAD_ESCAPE = re.compile(r"%(?![0-9a-fA-F]{2})")
UNSTRUCT = "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0"


def _b64url(text: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def _data_line(line: bytes) -> dict | None:
    """The request of a line the way Snowplow's CloudFront loader and tp1 adapter read it, or None if malformed."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return None
    fields = text.split("\t")
    if len(fields) != len(FIELDS) or fields[5] != "GET" or fields[7] != "/i":
        return None
    try:
        tstamp = datetime.fromisoformat(f"{fields[0]}T{fields[1]}")
    except ValueError:
        return None
    query = DOUBLE_PCT.sub(r"%\1", fields[11])
    if BAD_ESCAPE.search(query):
        return None
    params = dict(parse_qsl(query.replace(";", "&"), keep_blank_values=True, errors="strict"))
    return {"tstamp": tstamp, "ip": fields[4], "referer": fields[9],
            "ua": unquote(DOUBLE_PCT.sub(r"%\1", fields[10])), "params": params}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Two days of logs, read back: summary, files, parsed requests per file, malformed lines."""
    root = tmp_path_factory.mktemp("bucket")
    reported: list[int] = []
    summary = generate(Storage(root), START, DAYS, PER_DAY, seed=7, malformed_share=SHARE, progress=reported.append)
    files, requests, malformed = {}, {}, []
    for path in sorted((root / "raw").iterdir()):
        key = f"raw/{path.name}"
        files[key] = path.read_bytes()
        lines = gzip.decompress(files[key]).split(b"\n")
        assert lines[-1] == b""
        requests[key] = []
        for line in lines[2:-1]:
            parsed = _data_line(line)
            (requests[key] if parsed else malformed).append(parsed or line)
    return {"root": root, "summary": summary, "files": files, "requests": requests, "malformed": malformed,
            "all": [r for rs in requests.values() for r in rs], "reported": reported}


def test_same_seed_gives_the_same_bytes_and_another_seed_other_bytes(tmp_path: Path) -> None:
    def run(name: str, seed: int) -> dict[str, bytes]:
        generate(Storage(tmp_path / name), START, 1, 600, seed=seed)
        return {p.name: p.read_bytes() for p in sorted((tmp_path / name / "raw").iterdir())}

    first, again, other = run("a", 11), run("b", 11), run("c", 12)
    assert first == again
    assert set(first) != set(other)
    assert gzip.decompress(b"".join(first.values())) != gzip.decompress(b"".join(other.values()))


def test_files_are_named_and_rotated_like_cloudfront(generated: dict) -> None:
    hours = Counter()
    for key, data in generated["files"].items():
        match = NAME.match(key)
        assert match, key
        hour = datetime.strptime(match.group(1), "%Y-%m-%d-%H")
        assert datetime(2024, 5, 1) <= hour < datetime(2024, 5, 1) + timedelta(days=DAYS)
        hours[hour] += 1
        assert data[:4] == b"\x1f\x8b\x08\x08" and data[4:8] == b"\0\0\0\0"  # FNAME set, mtime 0
        assert data[10:].split(b"\0", 1)[0] == key.split("/")[1].removesuffix(".gz").encode()
        for request in generated["requests"][key]:
            assert request["tstamp"].replace(minute=0, second=0) == hour
    assert len(generated["files"]) == generated["summary"].files
    assert max(hours.values()) >= 3, "several files per busy hour"
    assert generated["summary"].bytes_written == sum(len(d) for d in generated["files"].values())


def test_files_rotate_after_max_lines(tmp_path: Path) -> None:
    summary = generate(Storage(tmp_path), START, 1, 1500, seed=3, max_lines_per_file=100)
    sizes = [len(gzip.decompress(p.read_bytes()).splitlines()) - 2 for p in (tmp_path / "raw").iterdir()]
    assert max(sizes) <= 100
    assert sum(sizes) == summary.events + summary.malformed_lines
    assert summary.files == len(sizes) > 15


def test_every_file_starts_with_the_w3c_headers(generated: dict) -> None:
    for data in generated["files"].values():
        version, fields = gzip.decompress(data).split(b"\n")[:2]
        assert version == b"#Version: 1.0"
        assert fields.decode().split(" ")[1:] == FIELDS
    assert len(FIELDS) == 33


def test_malformed_lines_are_counted_apart_and_mixed(generated: dict) -> None:
    summary, malformed = generated["summary"], generated["malformed"]
    assert len(generated["all"]) == summary.events
    assert len(malformed) == summary.malformed_lines
    total = summary.events + summary.malformed_lines
    assert abs(summary.malformed_lines / total - SHARE) < 4 * (SHARE / total) ** 0.5
    kinds = Counter()
    for line in malformed:
        fields = line.split(b"\t")
        if not line:
            kinds["empty"] += 1
        elif len(fields) == 1:
            kinds["garbage"] += 1
        elif len(fields) != len(FIELDS):
            kinds["field_count"] += 1
        elif fields[5] != b"GET":
            kinds["method"] += 1
        elif BAD_ESCAPE.search(DOUBLE_PCT.sub(r"%\1", fields[11].decode())):
            kinds["querystring"] += 1
        else:
            kinds["timestamp"] += 1
    assert set(kinds) == {"empty", "garbage", "field_count", "method", "querystring", "timestamp"}, kinds


def test_collector_times_are_in_range_and_in_order_within_a_file(generated: dict) -> None:
    start = datetime(2024, 5, 1)
    for requests in generated["requests"].values():
        times = [r["tstamp"] for r in requests]
        assert times == sorted(times)
        assert all(start <= t < start + timedelta(days=DAYS) for t in times)
    collector_ms = [(r["tstamp"] - datetime(1970, 1, 1)) // timedelta(milliseconds=1) for r in generated["all"]]
    dtm = [int(r["params"]["dtm"]) for r in generated["all"]]
    stm = [int(r["params"]["stm"]) for r in generated["all"]]
    before = sum(0 < c - d < 2000 and d <= s for c, d, s in zip(collector_ms, dtm, stm, strict=True))
    assert 0.9 < before / len(dtm) < 1, "dtm just before the collector time, except skewed device clocks"


def test_events_carry_valid_tracker_parameters(generated: dict) -> None:
    by_event = Counter()
    for request in generated["all"]:
        p = request["params"]
        by_event[p["e"]] += 1
        assert UUID.match(p["eid"]) and UUID.match(p["sid"]) and UUID.match(p["duid"])
        assert p["p"] == "web" and p["tv"].startswith("js-3.") and p["tna"] == "sp" and p["aid"] == "shop"
        assert int(p["vid"]) >= 1 and re.match(r"^\d+x\d+$", p["res"]) and re.match(r"^\d+x\d+$", p["vp"])
        assert urlsplit(p["url"]).netloc == "shop.example.com"
        contexts = _b64url(p["cx"])
        assert contexts["schema"] == "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0"
        [web_page] = contexts["data"]
        assert web_page["schema"] == "iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0"
        assert UUID.match(web_page["data"]["id"])
        if p["e"] == "pp":
            assert all(int(p[k]) >= 0 for k in ("pp_mix", "pp_max", "pp_miy", "pp_may"))
        if p["e"] == "se":
            assert p["se_ca"] and p["se_ac"]
        if p["e"] == "ue":
            assert _b64url(p["ue_px"])["schema"] == UNSTRUCT
    eids = [r["params"]["eid"] for r in generated["all"]]
    assert len(set(eids)) == len(eids)
    names = {"pv": "page_view", "pp": "page_ping", "se": "struct", "ue": "unstruct", "tr": "transaction",
             "ti": "transaction_item"}
    assert {names[e]: n for e, n in by_event.items()} == generated["summary"].events_by_type
    assert by_event["pp"] > by_event["pv"] > by_event["se"] > by_event["ue"] > by_event["tr"] > 0


def test_pings_share_the_web_page_id_of_their_page_view(generated: dict) -> None:
    page_of_view: dict[tuple[str, str], str] = {}
    current: dict[str, str] = {}
    events = sorted(generated["all"], key=lambda r: (r["tstamp"], r["params"]["e"] != "pv"))
    for request in events:
        p = request["params"]
        page_id = _b64url(p["cx"])["data"][0]["data"]["id"]
        if p["e"] == "pv":
            assert (p["sid"], page_id) not in page_of_view
            page_of_view[(p["sid"], page_id)] = p["url"]
            current[p["sid"]] = page_id
        else:
            assert page_of_view[(p["sid"], page_id)] == p["url"]
    pinged = {_b64url(r["params"]["cx"])["data"][0]["data"]["id"] for r in events if r["params"]["e"] == "pp"}
    assert len(pinged) > 100


def test_visitors_return_with_the_same_cookie_ip_and_growing_visit_count(generated: dict) -> None:
    summary = generated["summary"]
    sessions_of = defaultdict(dict)
    ips, days = defaultdict(set), defaultdict(set)
    for request in generated["all"]:
        p = request["params"]
        sessions_of[p["duid"]].setdefault(p["sid"], (request["tstamp"], int(p["vid"])))
        ips[p["duid"]].add(request["ip"])
        days[p["duid"]].add(request["tstamp"].date())
    assert sum(len(s) for s in sessions_of.values()) == summary.sessions
    assert summary.users <= len(sessions_of) <= summary.sessions
    assert all(len(found) == 1 for found in ips.values())
    returning = [d for d, s in sessions_of.items() if len(s) >= 3]
    assert len(returning) > 20
    assert sum(len(d) == DAYS for d in days.values()) > 20
    for duid in returning:
        visits = sorted(sessions_of[duid].values())
        assert [vid for _, vid in visits] == list(range(visits[0][1], visits[0][1] + len(visits)))
    assert 4 < summary.events / summary.sessions < 40
    assert any("uid" in r["params"] for r in generated["all"])


def test_traffic_sources_campaigns_devices_and_ip_versions_are_mixed(generated: dict) -> None:
    referers = Counter(urlsplit(r["params"]["refr"]).netloc for r in generated["all"] if "refr" in r["params"])
    for host in ("www.google.com", "www.bing.com", "search.yahoo.com", "duckduckgo.com", "t.co", "mail.google.com",
                 "outlook.live.com", "shop.example.com"):
        assert referers[host], host
    assert any(h.endswith("facebook.com") for h in referers) and any("linkedin" in h or "lnkd" in h for h in referers)
    search_terms = [parse_qsl(urlsplit(r["params"]["refr"]).query) for r in generated["all"]
                    if urlsplit(r["params"].get("refr", "")).netloc == "search.yahoo.com"]
    assert all(dict(q).get("p") for q in search_terms)
    landing = " ".join(r["params"]["url"] for r in generated["all"])
    for marker in ("utm_source=", "utm_medium=cpc", "utm_medium=email", "gclid=", "msclkid=", "dclid="):
        assert marker in landing, marker
    assert sum(r["params"]["e"] == "pv" and "refr" not in r["params"] for r in generated["all"]) > 50
    uas = " ".join({r["ua"] for r in generated["all"]})
    for marker in ("Googlebot", "bingbot", "iPhone", "Android", "Windows NT", "iPad"):
        assert marker in uas, marker
    assert "%" not in uas and "(compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)" in uas
    ip_versions = Counter(":" in r["ip"] for r in generated["all"])
    assert ip_versions[True] > 0.1 * len(generated["all"]) and ip_versions[False] > 0.5 * len(generated["all"])


def test_progress_reports_every_event(generated: dict) -> None:
    assert sum(generated["reported"]) == generated["summary"].events
    assert abs(generated["summary"].events - DAYS * PER_DAY) < 0.01 * DAYS * PER_DAY


def test_payloads_validate_against_iglu_central(generated: dict, shared_data: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    central = shared_data / "iglu-central" / "schemas"
    if not central.is_dir():
        pytest.skip("no copy of Iglu Central")

    def check(instance: dict) -> None:
        vendor, name, fmt, version = instance["schema"].removeprefix("iglu:").split("/")
        schema = json.loads((central / vendor / name / fmt / version).read_text())
        jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(instance["data"])

    seen = set()
    for request in generated["all"]:
        p = request["params"]
        envelopes = [_b64url(p["cx"])] + ([_b64url(p["ue_px"])] if "ue_px" in p else [])
        for envelope in envelopes:
            check(envelope)
            seen.add(envelope["schema"])
            for inner in envelope["data"] if isinstance(envelope["data"], list) else [envelope["data"]]:
                check(inner)
                seen.add(inner["schema"])
    assert seen == set(EMITTED_SCHEMAS)


def test_every_emitted_schema_ships_with_plough() -> None:
    shipped = Path(pipeline.__file__).parent / "schemas"
    for uri in EMITTED_SCHEMAS:
        vendor, name, fmt, version = uri.removeprefix("iglu:").split("/")
        assert (shipped / vendor / name / fmt / version).is_file(), f"{uri} would not validate offline"


def test_rejects_impossible_requests(tmp_path: Path) -> None:
    with pytest.raises(GenerateError, match="days"):
        generate(Storage(tmp_path), START, 0, 100, seed=1)
    with pytest.raises(GenerateError, match="malformed_share"):
        generate(Storage(tmp_path), START, 1, 100, seed=1, malformed_share=1.5)
