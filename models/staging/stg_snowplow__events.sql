{#- One row per event_id: atomic.events with duplicates collapsed to one copy (the first collected).
    char(n) columns become text, as blank padding differs between warehouses. -#}
{%- set columns = atomic_event_columns() %}

with events as (

    select
        {%- for column in columns %}
        {%- if column in atomic_char_columns() %}
        cast({{ column }} as {{ dbt.type_string() }}) as {{ column }}{{ "," if not loop.last }}
        {%- else %}
        {{ column }}{{ "," if not loop.last }}
        {%- endif %}
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
