"""Redshift-only SQL (encodings, keys, COPY) checked as text; PostgreSQL runs the rest in the integration tests."""

from __future__ import annotations

import json

import pytest

from pipeline.load.ddl import Column
from pipeline.load.errors import WarehouseUrlError
from pipeline.load.redshift import (
    RedshiftWarehouse,
    context_ddl,
    copy_manifest,
    copy_parquet_sql,
    events_ddl,
    literal,
    manifest_ddl,
    stage_ddl,
)


def test_events_ddl_has_snowplow_encodings_and_keys() -> None:
    ddl = events_ddl("atomic")
    assert ddl.startswith('CREATE TABLE IF NOT EXISTS "atomic"."events" (')
    assert '"collector_tstamp" timestamp ENCODE RAW NOT NULL' in ddl
    assert '"event_id" char(36) ENCODE ZSTD NOT NULL' in ddl
    assert '"domain_sessionid" char(128) ENCODE ZSTD' in ddl and '"load_tstamp" timestamp ENCODE ZSTD' in ddl
    assert ddl.count("ENCODE ZSTD") == 128 and ddl.count("ENCODE RAW") == 1
    assert ddl.endswith("PRIMARY KEY (event_id)\n)\nDISTSTYLE KEY\nDISTKEY (event_id)\nSORTKEY (collector_tstamp)")


def test_context_ddl_is_keyed_on_root_id_and_quotes_names() -> None:
    ddl = context_ddl("atomic", 'evil"; drop_1', [Column("a.b", "BOOLEAN", False, "RUNLENGTH")])
    assert 'CREATE TABLE IF NOT EXISTS "atomic"."evil""; drop_1"' in ddl
    assert '"root_id" CHAR(36) ENCODE RAW NOT NULL' in ddl and '"root_tstamp" TIMESTAMP ENCODE ZSTD NOT NULL' in ddl
    assert '"a.b" BOOLEAN ENCODE RUNLENGTH' in ddl
    assert 'FOREIGN KEY (root_id) REFERENCES "atomic"."events"(event_id)' in ddl
    assert ddl.endswith("DISTSTYLE KEY\nDISTKEY (root_id)\nSORTKEY (root_tstamp)")


def test_manifest_and_stage_ddl() -> None:
    assert manifest_ddl("atomic").endswith("DISTKEY (base)\nSORTKEY (ingestion_tstamp)")
    assert '"types" VARCHAR(65535) ENCODE ZSTD NOT NULL' in manifest_ddl("atomic")
    stage = stage_ddl()
    assert stage.count("\n  ") == 131 and '"contexts" VARCHAR(65535)' in stage and '"txn_id" VARCHAR(64)' in stage


def test_copy_reads_parquet_through_a_manifest_with_the_role() -> None:
    sql = copy_parquet_sql('"plough_stage_events"', "s3://b/p/events.manifest", "arn:aws:iam::1:role/r")
    assert sql == ("COPY \"plough_stage_events\" FROM 's3://b/p/events.manifest' IAM_ROLE 'arn:aws:iam::1:role/r' "
                   "FORMAT AS PARQUET MANIFEST")
    assert json.loads(copy_manifest([("s3://b/x.parquet", 12)])) == {
        "entries": [{"url": "s3://b/x.parquet", "mandatory": True, "meta": {"content_length": 12}}]}
    assert literal("it's \\ x") == "'it''s \\\\ x'"


def test_url_parsing_keeps_the_password_out_of_the_public_url() -> None:
    warehouse = RedshiftWarehouse("redshift://loader:s%3Acret@cluster.example:5439/analytics"
                                  "?iam_role=arn:aws:iam::1:role/r&staging=s3://stage/plough")
    assert warehouse.url.startswith("redshift://loader:***@cluster.example")
    assert "s:cret" not in repr(warehouse.__dict__.get("url"))
    assert (warehouse.iam_role, warehouse.staging) == ("arn:aws:iam::1:role/r", "s3://stage/plough")
    with pytest.raises(WarehouseUrlError):
        RedshiftWarehouse("redshift:///nohost")
