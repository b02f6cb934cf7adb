{#-
  One row per loaded run (atomic.manifest): what the run reported against what the warehouse holds.
  Incremental by run: runs ingested after the lookback bound are recomputed.
-#}
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='run_id') }}

with manifest as (

    select * from {{ source('atomic', 'manifest') }}
    {%- if is_incremental() %}
    where ingestion_tstamp > {{ load_lower_bound() }}
    {%- endif %}

),

loaded_events as (

    select
        load_tstamp,
        count(*) as events_loaded,
        count(distinct event_id) as distinct_event_ids
    from {{ source('atomic', 'events') }}
    where load_tstamp in (select ingestion_tstamp from manifest)
    group by load_tstamp

),

loaded_bad_rows as (

    select
        run_id,
        count(*) as bad_rows_loaded
    from {{ source('atomic', 'bad_rows') }}
    where run_id in (select run_id from manifest)
    group by run_id

)

select
    manifest.run_id,
    manifest.base,
    manifest.ingestion_tstamp,
    manifest.shredding_started,
    manifest.shredding_completed,
    manifest.min_collector_tstamp,
    manifest.max_collector_tstamp,
    manifest.count_good,
    manifest.count_bad,
    coalesce(loaded_events.events_loaded, 0) as events_loaded,
    coalesce(loaded_events.distinct_event_ids, 0) as distinct_event_ids,
    coalesce(loaded_bad_rows.bad_rows_loaded, 0) as bad_rows_loaded,
    case
        when coalesce(manifest.count_good, 0) + coalesce(manifest.count_bad, 0) = 0 then null
        else cast(manifest.count_bad as {{ dbt.type_float() }})
            / (coalesce(manifest.count_good, 0) + coalesce(manifest.count_bad, 0))
    end as bad_share,
    manifest.ingestion_tstamp as max_load_tstamp
from manifest
left join loaded_events
    on manifest.ingestion_tstamp = loaded_events.load_tstamp
left join loaded_bad_rows
    on manifest.run_id = loaded_bad_rows.run_id
