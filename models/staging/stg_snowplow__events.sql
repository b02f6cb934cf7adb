{#- One row per event_id: atomic.events with duplicates collapsed to one copy (the first collected). -#}
{%- set columns = atomic_event_columns() %}

with events as (

    select
        {%- for column in columns %}
        {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
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
    {%- for column in columns %}
    {{ column }}{{ "," if not loop.last }}
    {%- endfor %}
from ranked
where event_id_copy = 1
