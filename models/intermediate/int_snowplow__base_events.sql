{#-
  The events the web model may use, filtered first and deduplicated second, as Snowplow's web model does:
  with a domain_sessionid, sent from the device no more than snowplow__days_late_allowed days after they
  were created (an event without dvce_sent_tstamp or dvce_created_tstamp does not pass), of the app_ids in
  snowplow__app_id (all when empty), collected on or after snowplow__start_date (when set); then one copy per event_id (the first collected), with the page view
  id of its web_page context. Bots are not removed here: page views and sessions leave them out.
-#}
{{ config(materialized='view') }}
{%- set app_ids = var('snowplow__app_id') %}

with events as (

    select {{ atomic_event_select() }}
    from {{ source('atomic', 'events') }}
    where domain_sessionid is not null
        and dvce_sent_tstamp
            <= {{ dbt.dateadd('day', var('snowplow__days_late_allowed'), 'dvce_created_tstamp') }}
        {%- if app_ids %}
        and app_id in ('{{ app_ids | join("', '") }}')
        {%- endif %}
        {%- if var('snowplow__start_date') %}
        and collector_tstamp >= cast('{{ var('snowplow__start_date') }}' as {{ dbt.type_timestamp() }})
        {%- endif %}

),

ranked as (

    select
        events.*,
        row_number() over (
            partition by event_id
            order by collector_tstamp, dvce_created_tstamp, load_tstamp, etl_tstamp, {{ binary_order('event_fingerprint') }}
        ) as event_id_copy
    from events

),

web_page as (

    select * from {{ ref('stg_snowplow__web_page_context') }}

)

select
    {%- for column in atomic_event_columns() %}
    ranked.{{ column }},
    {%- endfor %}
    web_page.page_view_id
from ranked
left join web_page
    on ranked.event_id = web_page.root_id
    and ranked.collector_tstamp = web_page.root_tstamp
where ranked.event_id_copy = 1
