{#-
  The events the web model may use: deduplicated, with a session, not sent too late, not from a bot,
  with their page view id. One row per event_id.
-#}
{{ config(materialized='view') }}

with events as (

    select * from {{ ref('stg_snowplow__events') }}

),

web_page as (

    select * from {{ ref('stg_snowplow__web_page_context') }}

)

select
    events.*,
    web_page.page_view_id
from events
left join web_page
    on events.event_id = web_page.root_id
    and events.collector_tstamp = web_page.root_tstamp
where events.domain_sessionid is not null
    and (
        events.dvce_sent_tstamp is null
        or events.dvce_created_tstamp is null
        or events.dvce_sent_tstamp
            <= {{ dbt.dateadd('day', var('snowplow__days_late_allowed'), 'events.dvce_created_tstamp') }}
    )
    {%- if var('snowplow__filter_bots') %}
    and not ({{ is_bot('events.useragent') }})
    {%- endif %}
