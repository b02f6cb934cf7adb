"""One statement template, three dialects: identifiers quoted per dialect, values left as placeholders."""

from __future__ import annotations

import pytest

from pipeline.maintain.warehouse import Session

TEMPLATE = "delete from {} where {} = %s"
NAMES = [("atomic", 'we"ird%table'), ("user_id",)]


def test_duckdb_quotes_names_and_uses_question_marks() -> None:
    assert Session("duckdb", None, "").statement(TEMPLATE, NAMES) == \
        'delete from "atomic"."we""ird%table" where "user_id" = ?'


def test_redshift_quotes_names_and_escapes_percent_for_the_format_paramstyle() -> None:
    assert Session("redshift", None, "").statement(TEMPLATE, NAMES) == \
        'delete from "atomic"."we""ird%%table" where "user_id" = %s'


def test_postgresql_quotes_names_with_psycopg_and_escapes_percent() -> None:
    psycopg = pytest.importorskip("psycopg")
    statement = Session("postgresql", None, "").statement(TEMPLATE, NAMES)
    assert isinstance(statement, psycopg.sql.Composed)
    assert statement.as_string(None) == 'delete from "atomic"."we""ird%%table" where "user_id" = %s'
