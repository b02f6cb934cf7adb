{#-
  One row per domain_userid, as in Snowplow's web model: totals over the user's modelled sessions, the
  first session (earliest start) giving user_id, network_userid, landing page and acquisition, the last
  session (latest end) giving the exit page; stitched_user_id is the latest user_id the user's events
  carried. Incremental by user: every user with a session this run rebuilds is deleted first (pre-hook)
  and recomputed from all of their modelled sessions.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_sessions_this_run(key='domain_userid') }}",
) }}

with users_this_run as (

    select distinct domain_userid
    from {{ ref('int_snowplow__sessions_this_run') }}
    where domain_userid is not null

),

sessions as (

    select *
    from {{ ref('snowplow_web_sessions') }}
    where domain_userid in (select domain_userid from users_this_run)

),

user_stats as (

    select
        domain_userid,
        min(start_tstamp) as start_tstamp,
        max(end_tstamp) as end_tstamp,
        count(distinct domain_sessionid) as sessions,
        cast(sum(page_views) as {{ dbt.type_bigint() }}) as page_views,
        cast(sum(engaged_time_in_s) as {{ dbt.type_bigint() }}) as engaged_time_in_s,
        cast(sum(total_events) as {{ dbt.type_bigint() }}) as total_events
    from sessions
    group by domain_userid

),

first_and_last as (

    {#- the greatest domain_sessionid breaks ties between sessions starting (or ending) at the same time -#}
    select
        user_stats.*,
        (
            select max({{ binary_order('sessions.domain_sessionid') }}) from sessions
            where sessions.domain_userid = user_stats.domain_userid
                and sessions.start_tstamp = user_stats.start_tstamp
        ) as first_domain_sessionid,
        (
            select max({{ binary_order('sessions.domain_sessionid') }}) from sessions
            where sessions.domain_userid = user_stats.domain_userid
                and sessions.end_tstamp = user_stats.end_tstamp
        ) as last_domain_sessionid
    from user_stats

),

user_id_events as (

    {#- every user_id the user's modelled events carried, with their session's domain_userid -#}
    select
        lifecycle.domain_userid,
        events.user_id,
        events.collector_tstamp,
        events.event_id
    from {{ ref('int_snowplow__base_events') }} as events
    inner join {{ ref('int_snowplow__sessions_lifecycle') }} as lifecycle
        on events.domain_sessionid = lifecycle.domain_sessionid
    where events.user_id is not null
        and lifecycle.domain_userid in (select domain_userid from users_this_run)
        and events.collector_tstamp
            <= {{ dbt.dateadd('day', var('snowplow__max_session_days'), 'lifecycle.start_tstamp') }}

),

stitched_user_ids as (

    select domain_userid, user_id
    from (
        select
            domain_userid,
            user_id,
            row_number() over (
                partition by domain_userid order by collector_tstamp desc, {{ binary_order('event_id') }} desc
            ) as user_id_index
        from user_id_events
    ) ordered
    where user_id_index = 1

)

select
    first_and_last.domain_userid,
    first_sessions.user_id,
    stitched_user_ids.user_id as stitched_user_id,
    first_sessions.network_userid,
    first_and_last.start_tstamp,
    first_and_last.end_tstamp,
    first_and_last.first_domain_sessionid,
    first_and_last.last_domain_sessionid,
    first_and_last.sessions,
    first_and_last.page_views,
    first_and_last.engaged_time_in_s,
    first_and_last.total_events,
    first_sessions.first_page_url,
    first_sessions.first_page_title,
    last_sessions.last_page_url,
    last_sessions.last_page_title,
    first_sessions.referrer,
    first_sessions.refr_medium,
    first_sessions.refr_source,
    first_sessions.mkt_medium,
    first_sessions.mkt_source,
    first_sessions.mkt_campaign,
    first_sessions.geo_country,
    first_sessions.dvce_type
from first_and_last
inner join sessions as first_sessions
    on first_and_last.first_domain_sessionid = first_sessions.domain_sessionid
inner join sessions as last_sessions
    on first_and_last.last_domain_sessionid = last_sessions.domain_sessionid
left join stitched_user_ids
    on first_and_last.domain_userid = stitched_user_ids.domain_userid
