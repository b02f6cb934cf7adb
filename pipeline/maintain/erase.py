"""Erase one user from the warehouse: events, their context rows, bad rows, model rows, in one transaction.

The user's events are found in `<schema>.events` by any identifier given (user_id, domain_userid,
network_userid). Their (event_id, collector_tstamp) pairs are kept in a temporary table, so each context
table (every table of the schema with root_id and root_tstamp) is cleared with one join, RDB-Loader style,
before the events themselves. Bad rows have no user columns: a bad row goes when its payload holds one of
the identifiers as a value (see `identifiers.TextMatcher`). Model tables are found, not named: every base
table outside the atomic tables that has a user column (`identifiers.MODEL_COLUMNS`) loses the matching rows.
The erasure is recorded in `<schema>.erasure_audit` with a salted hash of each identifier, never its value.
"""

from __future__ import annotations

import json
import os
import secrets
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from pipeline.maintain.errors import MaintainError
from pipeline.maintain.identifiers import MODEL_COLUMNS, Identifiers, TextMatcher, identifier_hash
from pipeline.maintain.warehouse import Name, Session, transaction

AUDIT_TABLE = "erasure_audit"
SALT_ENV = "PLOUGH_ERASURE_SALT"
"""Environment variable holding the secret key of the audit hashes (kept out of the warehouse)."""

_ERASED = ("plough_erased_events",)
_ATOMIC_TABLES = {"events", "bad_rows", "manifest", AUDIT_TABLE}
_AUDIT_COLUMNS = (
    "erasure_id varchar(36) not null, requested_at timestamp not null, requested_by varchar(256), "
    "identifier_kind varchar(32) not null, identifier_hash varchar(64) not null, hash_salt varchar(64), "
    "rows_deleted varchar(65535) not null"
)


@dataclass
class ErasureResult:
    """What an erasure deleted (or, in a dry run, would delete), table by table."""

    erasure_id: str
    dry_run: bool
    requested_at: datetime
    identifier_kinds: list[str]
    events: int = 0
    rows_deleted: dict[str, int] = field(default_factory=dict)
    """"schema.table" → rows, for every table examined (events, context, bad-row and model tables)."""
    other_atomic_schemas: list[str] = field(default_factory=list)
    """Other schemas with plough's atomic layout, left alone: erase from each with its own `schema`."""
    warehouse: str = ""

    @property
    def total(self) -> int:
        return sum(self.rows_deleted.values())

    def to_dict(self) -> dict:
        """JSON-serialisable (for XCom, logs and the CLI)."""
        return {**asdict(self), "requested_at": self.requested_at.isoformat(), "total": self.total}


def _is_text(data_type: str) -> bool:
    return any(word in data_type.lower() for word in ("char", "text", "string"))


def _delete_or_count(session: Session, table: Name, where: str, names: list[Name], params: list,
                     dry_run: bool) -> int:
    """DELETE FROM table WHERE …, or in a dry run the number of rows it would delete."""
    if dry_run:
        return int(session.rows(f"select count(*) from {{}} where {where}", [table, *names], params)[0][0])
    return session.change(f"delete from {{}} where {where}", [table, *names], params)


def _events_match(identifiers: Identifiers) -> tuple[str, list[Name], list[str]]:
    """`user_id = %s or …` over atomic.events for the identifiers given."""
    kinds = identifiers.items()
    return " or ".join("{} = %s" for _ in kinds), [(kind,) for kind, _ in kinds], [value for _, value in kinds]


def _context_tables(catalog: dict[Name, dict[str, str]], schema: str) -> list[Name]:
    return sorted(name for name, columns in catalog.items()
                  if name[0] == schema and name[1] not in _ATOMIC_TABLES and {"root_id", "root_tstamp"} <= set(columns))


def _erase_contexts(session: Session, tables: list[Name], dry_run: bool) -> dict[Name, int]:
    """Context rows of the erased events, table by table (joined on root_id and root_tstamp)."""
    counts = {}
    for table in tables:
        if dry_run:
            template = ("select count(*) from {} c join {} x on c.root_id = x.event_id "
                        "and c.root_tstamp = x.collector_tstamp")
            counts[table] = int(session.rows(template, [table, _ERASED])[0][0])
        else:
            template = ("delete from {} using {} x where {}.root_id = x.event_id "
                        "and {}.root_tstamp = x.collector_tstamp")
            counts[table] = session.change(template, [table, _ERASED, table, table])
    return counts


def _erase_bad_rows(session: Session, table: Name, matcher: TextMatcher, dry_run: bool) -> int:
    """Bad rows whose payload holds an identifier: found by substring in SQL, confirmed here, deleted by payload."""
    where = " or ".join("strpos(payload, %s) > 0" for _ in matcher.forms)
    candidates = session.rows(f"select distinct payload from {{}} where {where}", [table], list(matcher.forms))
    return sum(_delete_or_count(session, table, "payload = %s", [], [payload], dry_run)
               for (payload,) in candidates if payload is not None and matcher.search(payload))


def _model_match(columns: dict[str, str], identifiers: Identifiers) -> tuple[str, list[Name], list[str]]:
    """`domain_userid = %s or cast(user_id as varchar) = %s …` over the user columns a model table has."""
    clauses, names, params = [], [], []
    for kind, value in identifiers.items():
        for column in MODEL_COLUMNS[kind]:
            if column in columns:
                clauses.append("{} = %s" if _is_text(columns[column]) else "cast({} as varchar) = %s")
                names.append((column,))
                params.append(value)
    return " or ".join(clauses), names, params


def _model_tables(catalog: dict[Name, dict[str, str]], schema: str,
                  model_schemas: list[str] | None) -> tuple[list[tuple[Name, dict[str, str]]], list[str]]:
    """Tables to scrub by user columns, and the other atomic schemas left out of a default discovery.

    Without `model_schemas` every schema is searched except other schemas with plough's atomic layout (events
    and manifest): deleting their events without their context rows would half-erase them.
    """
    context = set(_context_tables(catalog, schema))
    others = [] if model_schemas is not None else sorted(
        {name[0] for name in catalog if name[0] != schema and name[1] == "manifest" and (name[0], "events") in catalog})
    tables = []
    for table, columns in sorted(catalog.items()):
        if (table[0] == schema and table[1] in _ATOMIC_TABLES) or table in context:
            continue
        if table[0] in others or (model_schemas is not None and table[0] not in model_schemas):
            continue
        tables.append((table, columns))
    return tables, others


def _audit(session: Session, schema: str, result: ErasureResult, identifiers: Identifiers, requested_by: str,
           salt: str | None) -> None:
    """One audit row per identifier: kind and salted hash, who asked, when, and rows deleted per table."""
    table = (schema, AUDIT_TABLE)
    session.run(f"create table if not exists {{}} ({_AUDIT_COLUMNS})", [table])
    if salt:
        key, stored = salt.encode(), None
    else:
        key = secrets.token_bytes(16)
        stored = key.hex()
    rows = json.dumps(result.rows_deleted, sort_keys=True)
    for kind, value in identifiers.items():
        session.change("insert into {} (erasure_id, requested_at, requested_by, identifier_kind, identifier_hash, "
                       "hash_salt, rows_deleted) values (%s, %s, %s, %s, %s, %s, %s)", [table],
                       [result.erasure_id, result.requested_at, requested_by[:256], kind,
                        identifier_hash(kind, value, key), stored, rows])


def erase_user(warehouse: str, *, user_id: str | None = None, domain_userid: str | None = None,
               network_userid: str | None = None, schema: str = "atomic", model_schemas: list[str] | None = None,
               requested_by: str = "", dry_run: bool = False, salt: str | None = None) -> ErasureResult:
    """Delete every warehouse row of one user, in one transaction, and record the erasure in the audit table.

    Loads into the same schema wait until the erasure commits (PostgreSQL advisory lock, DuckDB's single
    writer, Redshift's manifest lock). A dry run counts what would go, deletes nothing and writes no audit row.

    Args:
        warehouse: duckdb:///…, postgresql://…, redshift://… or airflow://<conn_id>.
        user_id: the user's user_id (set by the tracker, typically the login).
        domain_userid: the first-party cookie id.
        network_userid: the collector's third-party cookie id.
        schema: the atomic schema (events, context tables, bad_rows, erasure_audit).
        model_schemas: schemas whose tables are scrubbed by user columns; None = every schema of the database.
        requested_by: who asked (a ticket or a person), kept in the audit.
        dry_run: count only.
        salt: secret key of the audit hashes; default the environment variable PLOUGH_ERASURE_SALT, and when
            that is unset a random salt per erasure, stored beside the hash.

    Raises:
        MaintainError: no identifier given, or the schema holds no events table.
    """
    identifiers = Identifiers(user_id, domain_userid, network_userid)
    result = ErasureResult(str(uuid.uuid4()), dry_run, datetime.now(UTC).replace(tzinfo=None),
                           [kind for kind, _ in identifiers.items()])
    salt = salt or os.environ.get(SALT_ENV) or None
    with transaction(warehouse, schema, commit=not dry_run) as session:
        result.warehouse = session.url
        session.lock_against_loads(schema)
        catalog = session.catalog()
        if (schema, "events") not in catalog:
            raise MaintainError(f"{session.url} has no table {schema}.events: nothing was erased; check the schema "
                                "(--schema / PLOUGH_LOAD__SCHEMA)")
        where, names, params = _events_match(identifiers)
        session.run(f"create temp table {{}} as select distinct event_id, collector_tstamp from {{}} where {where}",
                    [_ERASED, (schema, "events"), *names], params)
        counts = _erase_contexts(session, _context_tables(catalog, schema), dry_run)
        result.events = _delete_or_count(session, (schema, "events"), where, names, params, dry_run)
        counts[(schema, "events")] = result.events
        if (schema, "bad_rows") in catalog:
            counts[(schema, "bad_rows")] = _erase_bad_rows(session, (schema, "bad_rows"), TextMatcher.of(identifiers),
                                                           dry_run)
        tables, result.other_atomic_schemas = _model_tables(catalog, schema, model_schemas)
        for table, columns in tables:
            match, columns_named, values = _model_match(columns, identifiers)
            if match:
                counts[table] = _delete_or_count(session, table, match, columns_named, values, dry_run)
        result.rows_deleted = {".".join(name): count for name, count in counts.items()}
        if not dry_run:
            _audit(session, schema, result, identifiers, requested_by, salt)
    return result
