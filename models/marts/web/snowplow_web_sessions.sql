{#-
  One row per domain_sessionid with at least one page view or page ping, as in Snowplow's web model: bots
  left out, counts and times over all of the session's remaining events, landing-page, acquisition, geo and
  device fields from its first page event (page view or ping), exit page from its last page view.
  Incremental by session: the sessions this run rebuilds are deleted first (pre-hook) and inserted again
  from all of their events.
-#}
{%- set heartbeat = var('snowplow__heartbeat') %}
{%- set min_visit_length = var('snowplow__min_visit_length') %}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_sessions_this_run() }}",
) }}

with sessions as (

    select * from {{ ref('int_snowplow__sessions_this_run') }}

),

events as (

    select * from {{ ref('int_snowplow__events_this_run') }}
    where not is_bot

),

page_events as (

    select
        events.*,
        row_number() over (
            partition by domain_sessionid
            order by derived_tstamp, dvce_created_tstamp, {{ binary_order('event_id') }}
        ) as page_event_index
    from events
    where event_name in ('page_view', 'page_ping')
        and page_view_id is not null

),

first_events as (

    select * from page_events where page_event_index = 1

),

last_page_views as (

    select *
    from (
        select
            events.*,
            row_number() over (
                partition by domain_sessionid
                order by derived_tstamp desc, dvce_created_tstamp desc, {{ binary_order('event_id') }}
            ) as page_view_index_desc
        from events
        where event_name = 'page_view'
            and page_view_id is not null
    ) ordered
    where page_view_index_desc = 1

),

event_stats as (

    select
        domain_sessionid,
        min(derived_tstamp) as first_tstamp,
        max(derived_tstamp) as last_tstamp,
        count(*) as total_events,
        count(distinct case
            when event_name in ('page_view', 'page_ping') and page_view_id is not null then page_view_id
        end) as page_views,
        {#- pinged page views and their distinct (page view, heartbeat bucket) pairs -#}
        count(distinct case
            when event_name = 'page_ping' and page_view_id is not null then page_view_id
        end) as pinged_page_views,
        count(distinct case
            when event_name = 'page_ping' and page_view_id is not null
                then {{ dbt.concat(['page_view_id', "'/'", 'cast(' ~ heartbeat_bucket('dvce_created_tstamp', heartbeat)
                                    ~ ' as ' ~ dbt.type_string() ~ ')']) }}
        end) as ping_buckets
    from events
    group by domain_sessionid

),

session_stats as (

    select
        domain_sessionid,
        first_tstamp,
        last_tstamp,
        total_events,
        page_views,
        cast(
            {{ heartbeat }} * (ping_buckets - pinged_page_views) + {{ min_visit_length }} * pinged_page_views
            as {{ dbt.type_bigint() }}
        ) as engaged_time_in_s
    from event_stats

)

select
    first_events.app_id,
    first_events.platform,
    sessions.domain_sessionid,
    first_events.domain_sessionidx,
    {#- a session that starts with a ping began min_visit_length seconds before it -#}
    case
        when first_events.event_name = 'page_ping'
            then {{ dbt.dateadd('second', -1 * min_visit_length, 'session_stats.first_tstamp') }}
        else session_stats.first_tstamp
    end as start_tstamp,
    session_stats.last_tstamp as end_tstamp,
    first_events.user_id,
    sessions.domain_userid,
    first_events.network_userid,
    session_stats.page_views,
    session_stats.engaged_time_in_s,
    session_stats.total_events,
    (
        session_stats.page_views >= 2
        or session_stats.engaged_time_in_s >= 2 * {{ heartbeat }}
    ) as is_engaged,
    {{ seconds_between('session_stats.first_tstamp', 'session_stats.last_tstamp') }}
        + case when first_events.event_name = 'page_ping' then {{ min_visit_length }} else 0 end
        as absolute_time_in_s,
    first_events.page_title as first_page_title,
    first_events.page_url as first_page_url,
    first_events.page_urlscheme as first_page_urlscheme,
    first_events.page_urlhost as first_page_urlhost,
    first_events.page_urlpath as first_page_urlpath,
    first_events.page_urlquery as first_page_urlquery,
    first_events.page_urlfragment as first_page_urlfragment,
    {#- without a last page view with a URL, the exit page is the landing page -#}
    case when last_page_views.page_url is null then first_events.page_title else last_page_views.page_title end as last_page_title,
    case when last_page_views.page_url is null then first_events.page_url else last_page_views.page_url end as last_page_url,
    case when last_page_views.page_url is null then first_events.page_urlscheme else last_page_views.page_urlscheme end as last_page_urlscheme,
    case when last_page_views.page_url is null then first_events.page_urlhost else last_page_views.page_urlhost end as last_page_urlhost,
    case when last_page_views.page_url is null then first_events.page_urlpath else last_page_views.page_urlpath end as last_page_urlpath,
    case when last_page_views.page_url is null then first_events.page_urlquery else last_page_views.page_urlquery end as last_page_urlquery,
    case when last_page_views.page_url is null then first_events.page_urlfragment else last_page_views.page_urlfragment end as last_page_urlfragment,
    first_events.page_referrer as referrer,
    first_events.refr_urlscheme,
    first_events.refr_urlhost,
    first_events.refr_urlpath,
    first_events.refr_urlquery,
    first_events.refr_urlfragment,
    first_events.refr_medium,
    first_events.refr_source,
    first_events.refr_term,
    first_events.mkt_medium,
    first_events.mkt_source,
    first_events.mkt_term,
    first_events.mkt_content,
    first_events.mkt_campaign,
    first_events.mkt_clickid,
    first_events.mkt_network,
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
inner join first_events
    on sessions.domain_sessionid = first_events.domain_sessionid
inner join session_stats
    on sessions.domain_sessionid = session_stats.domain_sessionid
left join last_page_views
    on sessions.domain_sessionid = last_page_views.domain_sessionid
