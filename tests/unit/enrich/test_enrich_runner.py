"""enrich_objects end to end on CloudFront logs: conservation on adversarial input, TSV the Snowplow SDK reads,
Do Not Track, deduplication, enrichment configuration."""

from __future__ import annotations

import gzip
import json
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from snowplow_analytics_sdk.event_transformer import transform

from pipeline.collectors.records import raw_batch
from pipeline.config import ConfigError
from pipeline.enrich.registry import build_steps
from pipeline.enrich.run import coalesce, enrich_batches, enrich_objects
from pipeline.iglu import Resolver
from pipeline.storage import Storage

HEADER = ("#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status "
          "cs(Referer) cs(User-Agent) cs-uri-query\n")
EID = "a729d278-110a-4ac6-845b-d1f12ce45ac7"
UA = "Mozilla/5.0%2520(Windows%2520NT%25206.1)%2520Firefox/24.0"


def line(query: str, *, ua: str = UA, referer: str = "-", time: str = "23:35:30", method: str = "GET") -> str:
    fields = ["2013-10-07", time, "LHR5", "480", "255.255.255.255", method, "d.cloudfront.net", "/i", "200", referer,
              ua, query]
    return "\t".join(fields)


def page_view(eid: str = EID, extra: str = "") -> str:
    return (f"e=pv&p=web&tv=js-2.0&aid=shop&eid={eid}&duid=3db2f8b1ab6c2f14&uid=alice&fp=1822016478"
            f"&url=http%253A%252F%252Fshop.com%252Fa%253Futm_source%253Dnews&page=Tarot%2520cards&dtm=1381174047571"
            f"&stm=1381174047572&res=1920x1080&tid=019539&se_va=1.50{extra}")


ADVERSARIAL = [
    line(page_view()),
    line(page_view("b729d278-110a-4ac6-845b-d1f12ce45ac7", "&page=tab%2509in%250Atitle")),
    line("e=pv&p=web&eid=" + "x" * 3 + "&cx=!!!notbase64", ua="bad%zz"),
    line("e=ue&p=web&ue_px=am9obitzbWl0aA"),
    line("e=ue&p=web&ue_pr=%7B%22schema%22%3A%22iglu%3Acom.acme%2Funknown%2Fjsonschema%2F1-0-0%22%2C%22data%22"
         "%3A%7B%22schema%22%3A%22iglu%3Acom.acme%2Fx%2Fjsonschema%2F1-0-0%22%2C%22data%22%3A%7B%7D%7D%7D"),
    line("e=pv&p=web&dtm=-99999999999999999&stm=1e3"),
    line("e=pv&p=web&aid=" + "a" * 20000),
    line("e=pv&p=web&aid=%00nul%01"),
    line("e=pv&p=web&q=a b", method="GET"),
    line("e=pv", method="POST"),
    "",
    "garbage line with \x00 NUL",
    line(page_view()),                                                # natural duplicate of the first event
    line(page_view(extra="&aid=other")),                              # synthetic duplicate of the first event
]


def write_raw(root: Path, name: str, text: bytes, compress: bool = True) -> str:
    path = root / "raw" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(text) if compress else text)
    return f"raw/{name}"


@pytest.fixture(scope="module")
def configs(tmp_path_factory, shared_data) -> Path:
    folder = tmp_path_factory.mktemp("enrichments")
    for name in ("event_fingerprint_enrichment", "ua_parser_config", "campaign_attribution", "anon_ip"):
        (folder / f"{name}.json").write_text((shared_data / "enrichments" / f"{name}.json").read_text())
    return folder


def bad_lines(storage: Storage) -> list[dict]:
    return [json.loads(x) for x in storage.read_bytes("bad/part-00000.jsonl").decode().splitlines()]


def test_coalesce_recuts_batches_keeping_every_record_and_payload():
    payloads = [f"line {i}\t" + "é" * i for i in range(11)]
    sizes = [1, 4, 2, 4]
    starts = [sum(sizes[:k]) for k in range(len(sizes))]
    batches = [raw_batch(n, {"payload": payloads[s:s + n], "querystring": [f"e=pv&n={i}" for i in range(s, s + n)]})
               for s, n in zip(starts, sizes, strict=True)]
    out = list(coalesce(iter(batches), 3))
    assert [b.num_rows for b in out] == [3, 3, 3, 2]
    assert [p for b in out for p in b.column("payload").to_pylist()] == payloads
    assert [q for b in out for q in b.column("querystring").to_pylist()] == [f"e=pv&n={i}" for i in range(11)]


def test_adversarial_input_is_conserved(tmp_path, configs):
    storage = Storage(tmp_path)
    text = (HEADER + "\n".join(ADVERSARIAL) + "\n").encode("utf-8") + b"\xff\xfe invalid utf-8\n"
    full = gzip.compress(text)
    keys = [write_raw(tmp_path, "a.gz", text), write_raw(tmp_path, "truncated.gz", full[: len(full) // 2], False)]
    progress: list[int] = []
    summary = enrich_objects(storage, keys, "good/", "bad/", enrichments=str(configs),
                             etl_timestamp=datetime(2001, 9, 9, 1, 46, 40), batch_rows=4, progress=progress.append)
    assert summary.events_read == summary.good + summary.bad + summary.dnt_dropped + summary.duplicates_dropped
    assert summary.duplicates_dropped >= 1 and summary.synthetic_duplicates >= 1
    assert sum(progress) == summary.bytes_read == sum((tmp_path / k).stat().st_size for k in keys)
    good = pq.read_table(tmp_path / "good" / "part-00000.parquet")
    assert good.num_rows == summary.good
    bad = bad_lines(storage)
    assert sum(summary.bad_by_type.values()) == len(bad)
    assert {"collector_payload_format_violation", "schema_violations", "enrichment_failures"} <= set(
        summary.bad_by_type)
    resolver = Resolver.default()
    assert all(resolver.validate(row) == [] for row in bad)
    # every member of the synthetic group is renamed, the first event too (written in an earlier batch): the
    # first event, its synthetic duplicate, and the truncated copy of the first line in the damaged file if it
    # was cut inside its parameters (a different fingerprint)
    assert EID not in good.column("event_id").to_pylist()
    renamed = [e for e in good.to_pylist() if e["derived_contexts"] and "duplicate/" in e["derived_contexts"]]
    assert [e["app_id"] for e in renamed][:2] == ["shop", "other"]
    assert all(json.loads(e["derived_contexts"])["data"][-1]["data"] == {"originalEventId": EID} for e in renamed)
    assert summary.synthetic_duplicates == len(renamed)
    first = renamed[0]
    assert first["user_ipaddress"] == "255.255.255.x"
    assert first["mkt_source"] == "news" and first["event_fingerprint"]
    assert first["etl_tstamp"] == datetime(2001, 9, 9, 1, 46, 40)


def test_tsv_lines_are_accepted_by_the_snowplow_analytics_sdk(tmp_path, configs):
    storage = Storage(tmp_path)
    keys = [write_raw(tmp_path, "a.gz", (HEADER + "\n".join(ADVERSARIAL) + "\n").encode())]
    summary = enrich_objects(storage, keys, "good/", "bad/", enrichments=str(configs), output_format="tsv")
    lines = storage.read_bytes("good/part-00000.tsv").decode("utf-8").splitlines()
    assert len(lines) == summary.good > 0
    for tsv in lines:
        event = transform(tsv)
        assert event["v_etl"].startswith("plough-")


def test_tsv_part_first_occurrence_of_a_synthetic_group_renamed_across_batches(tmp_path, configs):
    storage = Storage(tmp_path)
    keys = [write_raw(tmp_path, "a.gz", (HEADER + "\n".join(ADVERSARIAL) + "\n").encode())]
    summary = enrich_objects(storage, keys, "good/", "bad/", enrichments=str(configs), output_format="tsv",
                             batch_rows=4)
    events = [transform(tsv) for tsv in storage.read_bytes("good/part-00000.tsv").decode("utf-8").splitlines()]
    assert len(events) == summary.good
    assert EID not in [e["event_id"] for e in events]
    group = [e for e in events if any(c.get("originalEventId") == EID
                                      for c in e.get("contexts_com_snowplowanalytics_snowplow_duplicate_1", []))]
    assert [e["app_id"] for e in group] == ["shop", "other"]
    assert summary.synthetic_duplicates == 2


def test_outputs_are_written_even_when_empty(tmp_path):
    storage = Storage(tmp_path)
    summary = enrich_objects(storage, [write_raw(tmp_path, "empty.gz", HEADER.encode())], "good/", "bad/")
    assert (summary.raw_records, summary.events_read, summary.good) == (0, 0, 0)
    assert storage.read_bytes("bad/part-00000.jsonl") == b""
    assert pq.read_table(tmp_path / "good" / "part-00000.parquet").num_rows == 0


def anonymous_batch() -> pa.RecordBatch:
    return raw_batch(2, {"path": ["/i", "/i"], "querystring": [page_view(), page_view(EID.replace("a", "b", 1))],
                         "collector_tstamp": [datetime(2013, 10, 7)] * 2, "ip_address": ["1.2.3.4"] * 2,
                         "headers": [["DNT: 1"], []], "loader": ["thrift"] * 2, "collector": ["ssc"] * 2,
                         "payload": ["a", "b"]})


@pytest.mark.parametrize(("policy", "good_rows", "dropped", "anonymised"),
                         [("drop", 1, 1, 0), ("anonymise", 2, 0, 1), ("ignore", 2, 0, 0)])
def test_do_not_track(policy, good_rows, dropped, anonymised):
    good, _, summary = enrich_batches([anonymous_batch()], do_not_track=policy)
    assert (good.num_rows, summary.dnt_dropped, summary.dnt_anonymised) == (good_rows, dropped, anonymised)
    first = good.to_pylist()[0]
    if policy == "anonymise":
        assert [first[f] for f in ("user_id", "domain_userid", "user_fingerprint", "user_ipaddress")] == [None] * 4
        assert first["domain_sessionidx"] is None or first["domain_sessionidx"] >= 0
    if policy == "ignore":
        assert first["user_id"] == "alice"


def test_bad_rows_carry_partial_event_and_raw_parameters():
    batch = raw_batch(1, {"path": ["/i"], "querystring": ["e=pv&p=web&tid=x&ue_px=e30"],
                          "collector_tstamp": [datetime(2013, 10, 7)], "loader": ["cloudfront"],
                          "collector": ["cloudfront"], "payload": ["raw line"]})
    good, bad, summary = enrich_batches([batch])
    assert good.num_rows == 0 and summary.bad == 1 and len(bad) == 2        # one event, two bad rows
    violations, failures = bad
    assert violations["schema"].endswith("schema_violations/jsonschema/1-0-0")
    assert failures["data"]["failure"]["messages"][0]["message"]["field"] == "tid"
    payload = failures["data"]["payload"]
    assert payload["raw"]["parameters"] == {"e": "pv", "p": "web", "tid": "x", "ue_px": "e30"}
    assert payload["enriched"]["event"] == "page_view" and len(payload["enriched"]) == 131


def test_unknown_enrichment_config_names_the_file(tmp_path):
    (tmp_path / "mystery.json").write_text(json.dumps({
        "schema": "iglu:com.acme/mystery/jsonschema/1-0-0",
        "data": {"vendor": "com.acme", "name": "mystery", "enabled": True, "parameters": {}}}))
    with pytest.raises(ConfigError, match="mystery.json"):
        build_steps(tmp_path)


def test_combined_enrichments_file_runs_in_snowplow_order(tmp_path, shared_data):
    entries = [json.loads((shared_data / "enrichments" / f"{n}.json").read_text())
               for n in ("anon_ip", "ua_parser_config", "event_fingerprint_enrichment", "weather_enrichment_config")]
    combined = tmp_path / "enrichments.json"
    combined.write_text(json.dumps({"schema": "iglu:com.snowplowanalytics.snowplow/enrichments/jsonschema/1-0-0",
                                    "data": entries}))
    assert [s.name for s in build_steps(combined)] == ["ua_parser_config", "event_fingerprint_config", "anon_ip"]
