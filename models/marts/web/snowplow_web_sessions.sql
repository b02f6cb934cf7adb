{#-
  One row per domain_sessionid. Incremental by session: the sessions this run rebuilds are deleted
  first (pre-hook) and inserted again from all of their events; quarantined sessions are left out.
-#}
{%- set heartbeat = var('snowplow__heartbeat') %}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_sessions_this_run() }}",
) }}

with sessions as (

    select * from {{ ref('int_snowplow__sessions_this_run') }}
    where not is_quarantined

),

events as (

    select * from {{ ref('int_snowplow__events_this_run') }}

),

page_views as (

    select * from {{ ref('snowplow_web_page_views') }}
    where domain_sessionid in (select domain_sessionid from sessions)

),

event_stats as (

    select
        domain_sessionid,
        min(derived_tstamp) as start_tstamp,
        max(derived_tstamp) as end_tstamp,
        max(domain_sessionidx) as domain_sessionidx,
        count(*) as total_events
    from events
    group by domain_sessionid

),

first_events as (

    select *
    from (
        select
            events.*,
            row_number() over (
                partition by domain_sessionid
                order by derived_tstamp, dvce_created_tstamp, event_id
            ) as event_index
        from events
    ) ordered
    where event_index = 1

),

user_ids as (

    select domain_sessionid, user_id
    from (
        select
            domain_sessionid,
            user_id,
            row_number() over (
                partition by domain_sessionid
                order by derived_tstamp desc, event_id desc
            ) as user_id_index
        from events
        where user_id is not null
    ) ordered
    where user_id_index = 1

),

page_view_stats as (

    select
        domain_sessionid,
        count(*) as page_views,
        cast(sum(engaged_time_in_s) as {{ dbt.type_bigint() }}) as engaged_time_in_s
    from page_views
    group by domain_sessionid

),

first_page_views as (

    select * from page_views where page_view_in_session_index = 1

),

last_page_views as (

    select * from page_views where page_view_in_session_index = page_views_in_session

)

select
    first_events.app_id,
    first_events.platform,
    sessions.domain_sessionid,
    event_stats.domain_sessionidx,
    event_stats.start_tstamp,
    event_stats.end_tstamp,
    user_ids.user_id,
    sessions.domain_userid,
    first_events.network_userid,
    coalesce(page_view_stats.page_views, 0) as page_views,
    coalesce(page_view_stats.engaged_time_in_s, 0) as engaged_time_in_s,
    event_stats.total_events,
    (
        coalesce(page_view_stats.page_views, 0) >= 2
        or coalesce(page_view_stats.engaged_time_in_s, 0) / {{ heartbeat }} >= 2
    ) as is_engaged,
    {{ dbt.datediff('event_stats.start_tstamp', 'event_stats.end_tstamp', 'second') }} as absolute_time_in_s,
    first_page_views.page_title as first_page_title,
    first_page_views.page_url as first_page_url,
    first_page_views.page_urlscheme as first_page_urlscheme,
    first_page_views.page_urlhost as first_page_urlhost,
    first_page_views.page_urlpath as first_page_urlpath,
    first_page_views.page_urlquery as first_page_urlquery,
    first_page_views.page_urlfragment as first_page_urlfragment,
    last_page_views.page_title as last_page_title,
    last_page_views.page_url as last_page_url,
    last_page_views.page_urlscheme as last_page_urlscheme,
    last_page_views.page_urlhost as last_page_urlhost,
    last_page_views.page_urlpath as last_page_urlpath,
    last_page_views.page_urlquery as last_page_urlquery,
    last_page_views.page_urlfragment as last_page_urlfragment,
    first_page_views.page_referrer as referrer,
    first_page_views.refr_urlscheme,
    first_page_views.refr_urlhost,
    first_page_views.refr_urlpath,
    first_page_views.refr_urlquery,
    first_page_views.refr_urlfragment,
    first_page_views.refr_medium,
    first_page_views.refr_source,
    first_page_views.refr_term,
    first_page_views.mkt_medium,
    first_page_views.mkt_source,
    first_page_views.mkt_term,
    first_page_views.mkt_content,
    first_page_views.mkt_campaign,
    first_page_views.mkt_clickid,
    first_page_views.mkt_network,
    first_events.geo_country,
    first_events.geo_region,
    first_events.geo_region_name,
    first_events.geo_city,
    first_events.geo_zipcode,
    first_events.geo_latitude,
    first_events.geo_longitude,
    first_events.geo_timezone,
    first_events.user_ipaddress,
    first_events.useragent,
    first_events.br_name,
    first_events.br_family,
    first_events.br_version,
    first_events.br_type,
    first_events.br_renderengine,
    first_events.br_lang,
    first_events.os_name,
    first_events.os_family,
    first_events.os_manufacturer,
    first_events.os_timezone,
    first_events.dvce_type,
    first_events.dvce_ismobile,
    first_events.dvce_screenwidth,
    first_events.dvce_screenheight
from sessions
inner join event_stats
    on sessions.domain_sessionid = event_stats.domain_sessionid
inner join first_events
    on sessions.domain_sessionid = first_events.domain_sessionid
left join user_ids
    on sessions.domain_sessionid = user_ids.domain_sessionid
left join page_view_stats
    on sessions.domain_sessionid = page_view_stats.domain_sessionid
left join first_page_views
    on sessions.domain_sessionid = first_page_views.domain_sessionid
left join last_page_views
    on sessions.domain_sessionid = last_page_views.domain_sessionid
