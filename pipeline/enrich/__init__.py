"""Enrichment stage: tracker events → Snowplow enriched events.

`run.enrich_objects` is the entry point (raw collector objects in the bucket → good Parquet/TSV and bad rows);
`fields` maps tracker parameters to the enriched columns, `registry` lists the configurable enrichment steps in
Snowplow's order (one module each), `dedupe` removes duplicates within a run.
"""
