#!/usr/bin/env bash
# End-to-end demo on embedded defaults: a local folder as the bucket, DuckDB as the warehouse,
# Airflow on SQLite. Generates one day of CloudFront collector logs and runs the snowplow_batch DAG
# for that day with `airflow dags test`, then prints the run report and where every output is.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
DEMO="$ROOT/demo"
DAY="${PLOUGH_DEMO_DAY:-2026-01-01}"
EVENTS="${PLOUGH_DEMO_EVENTS:-100000}"
RUN_ID="${DAY}-00-00-00"
NEXT_DAY="$(date -u -d "$DAY + 1 day" +%Y-%m-%d)"

rm -rf "$DEMO"
mkdir -p "$DEMO"
export AIRFLOW_HOME="$DEMO/airflow"
export AIRFLOW__CORE__DAGS_FOLDER="$ROOT/dags"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export PLOUGH_STORAGE__ROOT="$DEMO/bucket"
export PLOUGH_LOAD__WAREHOUSE="duckdb:///$DEMO/bucket/warehouse.duckdb"
export PLOUGH_MODEL__PROJECT_DIR="$ROOT"
export PLOUGH_SCHEDULE=@daily
export PATH="$ROOT/.venv/bin:$PATH"

echo "==> generating $EVENTS events for $DAY into $PLOUGH_STORAGE__ROOT/raw"
plough generate --start "$DAY" --days 1 --events-per-day "$EVENTS" --seed 42

echo "==> preparing Airflow (SQLite metadata in $AIRFLOW_HOME)"
airflow db migrate > "$DEMO/airflow-db-migrate.log" 2>&1

echo "==> airflow dags test snowplow_batch $NEXT_DAY   (data interval $DAY → $NEXT_DAY)"
if ! airflow dags test snowplow_batch "$NEXT_DAY" > "$DEMO/airflow-dags-test.log" 2>&1; then
    tail -n 60 "$DEMO/airflow-dags-test.log"
    echo "the DAG run failed; full log: $DEMO/airflow-dags-test.log" >&2
    exit 1
fi
if ! grep -q "DagRun Finished:.*state=success" "$DEMO/airflow-dags-test.log"; then
    tail -n 60 "$DEMO/airflow-dags-test.log"
    echo "the DAG run did not succeed; full log: $DEMO/airflow-dags-test.log" >&2
    exit 1
fi

echo "==> airflow dags test snowplow_models   (what the atomic.events asset update triggers: dbt build)"
if ! airflow dags test snowplow_models "$NEXT_DAY" --conf "{\"run_ids\": [\"$RUN_ID\"]}" \
        > "$DEMO/airflow-dags-test-models.log" 2>&1 \
        || ! grep -q "DagRun Finished:.*state=success" "$DEMO/airflow-dags-test-models.log"; then
    tail -n 60 "$DEMO/airflow-dags-test-models.log"
    echo "the models DAG run failed; full log: $DEMO/airflow-dags-test-models.log" >&2
    exit 1
fi

plough report --run-id "$RUN_ID"
cat <<EOT
Airflow logs:           $DEMO/airflow-dags-test.log, $DEMO/airflow-dags-test-models.log
Run report (HTML):      $DEMO/bucket/reports/run=$RUN_ID/report.html
Query the warehouse:    .venv/bin/python -c "import duckdb; print(duckdb.connect('$DEMO/bucket/warehouse.duckdb').sql('select count(*) from atomic.events'))"
EOT
