{#-
  Every usable event of the sessions this run rebuilds, one row per event_id. As in Snowplow's web model,
  only events collected within snowplow__max_session_days of the session's first event are kept (a longer
  session is cut there, and listed as quarantined), and every event carries its session's domain_userid.
  is_bot flags the events page views and sessions leave out.
-#}

with base_events as (

    select * from {{ ref('int_snowplow__base_events') }}

),

sessions as (

    select * from {{ ref('int_snowplow__sessions_this_run') }}

)

select
    {%- for column in atomic_event_columns() %}
    {%- if column == 'domain_userid' %}
    sessions.domain_userid,
    {%- else %}
    base_events.{{ column }},
    {%- endif %}
    {%- endfor %}
    base_events.page_view_id,
    {%- if var('snowplow__filter_bots') %}
    {{ is_bot('base_events.useragent') }} as is_bot
    {%- else %}
    false as is_bot
    {%- endif %}
from base_events
inner join sessions
    on base_events.domain_sessionid = sessions.domain_sessionid
where base_events.collector_tstamp >= sessions.start_tstamp
    and base_events.collector_tstamp
        <= {{ dbt.dateadd('day', var('snowplow__max_session_days'), 'sessions.start_tstamp') }}
