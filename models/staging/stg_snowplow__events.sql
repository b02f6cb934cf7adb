{#- One row per event_id: atomic.events with duplicates collapsed to one copy (the first collected).
    char(n) columns become text, as blank padding differs between warehouses. -#}

with events as (

    select {{ atomic_event_select() }}
    from {{ source('atomic', 'events') }}

),

ranked as (

    select
        events.*,
        row_number() over (
            partition by event_id
            order by collector_tstamp, load_tstamp, dvce_created_tstamp, etl_tstamp, event_fingerprint
        ) as event_id_copy
    from events

)

select
    {%- for column in atomic_event_columns() %}
    {{ column }}{{ "," if not loop.last }}
    {%- endfor %}
from ranked
where event_id_copy = 1
