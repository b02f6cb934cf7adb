{#- One row per load (load_tstamp): how long events took from the collector to the warehouse. -#}

with events as (

    select
        load_tstamp,
        {{ dbt.datediff('collector_tstamp', 'load_tstamp', 'second') }} as latency_in_s
    from {{ source('atomic', 'events') }}
    where load_tstamp is not null

),

manifest as (

    select run_id, ingestion_tstamp from {{ source('atomic', 'manifest') }}

),

latency as (

    select
        load_tstamp,
        count(*) as events,
        min(latency_in_s) as min_latency_in_s,
        avg(latency_in_s) as avg_latency_in_s,
        percentile_cont(0.5) within group (order by latency_in_s) as median_latency_in_s,
        max(latency_in_s) as max_latency_in_s
    from events
    group by load_tstamp

)

select
    latency.load_tstamp,
    manifest.run_id,
    latency.events,
    latency.min_latency_in_s,
    latency.avg_latency_in_s,
    latency.median_latency_in_s,
    latency.max_latency_in_s
from latency
left join manifest
    on latency.load_tstamp = manifest.ingestion_tstamp
