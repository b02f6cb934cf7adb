{#-
  One row per page_view_id (the web_page context's id): the first page_view event (by derived_tstamp, then
  dvce_created_tstamp) of a non-bot user agent, with the engagement of its session's pings. Incremental by
  session: every session this run rebuilds is deleted first (pre-hook), then its page views are inserted again.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_sessions_this_run() }}",
) }}

-- depends_on: {{ ref('int_snowplow__sessions_this_run') }}

with events as (

    select * from {{ ref('int_snowplow__events_this_run') }}

),

engagement as (

    select * from {{ ref('int_snowplow__page_view_engagement_this_run') }}

),

page_view_events as (

    select
        events.*,
        row_number() over (
            partition by page_view_id
            order by derived_tstamp, dvce_created_tstamp, {{ binary_order('event_id') }}
        ) as page_view_copy
    from events
    where event_name = 'page_view'
        and page_view_id is not null
        and not is_bot

),

page_views as (

    select
        page_view_events.page_view_id,
        page_view_events.event_id,
        page_view_events.app_id,
        page_view_events.platform,
        page_view_events.user_id,
        page_view_events.domain_userid,
        page_view_events.network_userid,
        page_view_events.domain_sessionid,
        page_view_events.domain_sessionidx,
        page_view_events.dvce_created_tstamp,
        page_view_events.collector_tstamp,
        page_view_events.derived_tstamp,
        page_view_events.derived_tstamp as start_tstamp,
        coalesce(engagement.last_ping_tstamp, page_view_events.derived_tstamp) as end_tstamp,
        coalesce(engagement.engaged_time_in_s, 0) as engaged_time_in_s,
        engagement.horizontal_pixels_scrolled,
        engagement.vertical_pixels_scrolled,
        engagement.horizontal_percentage_scrolled,
        engagement.vertical_percentage_scrolled,
        engagement.doc_width,
        engagement.doc_height,
        page_view_events.page_title,
        page_view_events.page_url,
        page_view_events.page_urlscheme,
        page_view_events.page_urlhost,
        page_view_events.page_urlport,
        page_view_events.page_urlpath,
        page_view_events.page_urlquery,
        page_view_events.page_urlfragment,
        page_view_events.page_referrer,
        page_view_events.refr_urlscheme,
        page_view_events.refr_urlhost,
        page_view_events.refr_urlport,
        page_view_events.refr_urlpath,
        page_view_events.refr_urlquery,
        page_view_events.refr_urlfragment,
        page_view_events.refr_medium,
        page_view_events.refr_source,
        page_view_events.refr_term,
        page_view_events.mkt_medium,
        page_view_events.mkt_source,
        page_view_events.mkt_term,
        page_view_events.mkt_content,
        page_view_events.mkt_campaign,
        page_view_events.mkt_clickid,
        page_view_events.mkt_network,
        page_view_events.geo_country,
        page_view_events.geo_region,
        page_view_events.geo_region_name,
        page_view_events.geo_city,
        page_view_events.geo_zipcode,
        page_view_events.geo_latitude,
        page_view_events.geo_longitude,
        page_view_events.geo_timezone,
        page_view_events.user_ipaddress,
        page_view_events.useragent,
        page_view_events.br_name,
        page_view_events.br_family,
        page_view_events.br_version,
        page_view_events.br_type,
        page_view_events.br_renderengine,
        page_view_events.br_lang,
        page_view_events.br_viewwidth,
        page_view_events.br_viewheight,
        page_view_events.os_name,
        page_view_events.os_family,
        page_view_events.os_manufacturer,
        page_view_events.os_timezone,
        page_view_events.dvce_type,
        page_view_events.dvce_ismobile,
        page_view_events.dvce_screenwidth,
        page_view_events.dvce_screenheight
    from page_view_events
    left join engagement
        on page_view_events.page_view_id = engagement.page_view_id
        and page_view_events.domain_sessionid = engagement.domain_sessionid
    where page_view_events.page_view_copy = 1

)

select
    page_views.*,
    {{ seconds_between('start_tstamp', 'end_tstamp') }} as absolute_time_in_s,
    row_number() over (
        partition by domain_sessionid
        order by derived_tstamp, dvce_created_tstamp, {{ binary_order('event_id') }}
    ) as page_view_in_session_index,
    count(*) over (partition by domain_sessionid) as page_views_in_session
from page_views
