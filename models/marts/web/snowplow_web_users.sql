{#-
  One row per domain_userid. Incremental by user: every user with a session this run rebuilds is deleted
  first (pre-hook) and recomputed from all of their modelled sessions.
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

ordered_sessions as (

    select
        sessions.*,
        row_number() over (
            partition by domain_userid order by start_tstamp, domain_sessionid
        ) as session_index,
        row_number() over (
            partition by domain_userid order by start_tstamp desc, domain_sessionid desc
        ) as session_index_desc
    from sessions

),

user_stats as (

    select
        domain_userid,
        min(start_tstamp) as start_tstamp,
        max(end_tstamp) as end_tstamp,
        count(*) as sessions,
        cast(sum(page_views) as {{ dbt.type_bigint() }}) as page_views,
        cast(sum(engaged_time_in_s) as {{ dbt.type_bigint() }}) as engaged_time_in_s,
        cast(sum(total_events) as {{ dbt.type_bigint() }}) as total_events
    from sessions
    group by domain_userid

),

stitched_user_ids as (

    select domain_userid, user_id
    from (
        select
            domain_userid,
            user_id,
            row_number() over (
                partition by domain_userid order by end_tstamp desc, domain_sessionid desc
            ) as user_id_index
        from sessions
        where user_id is not null
    ) ordered
    where user_id_index = 1

),

first_sessions as (

    select * from ordered_sessions where session_index = 1

),

last_sessions as (

    select * from ordered_sessions where session_index_desc = 1

)

select
    user_stats.domain_userid,
    stitched_user_ids.user_id,
    last_sessions.network_userid,
    user_stats.start_tstamp,
    user_stats.end_tstamp,
    first_sessions.domain_sessionid as first_domain_sessionid,
    last_sessions.domain_sessionid as last_domain_sessionid,
    user_stats.sessions,
    user_stats.page_views,
    user_stats.engaged_time_in_s,
    user_stats.total_events,
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
from user_stats
inner join first_sessions
    on user_stats.domain_userid = first_sessions.domain_userid
inner join last_sessions
    on user_stats.domain_userid = last_sessions.domain_userid
left join stitched_user_ids
    on user_stats.domain_userid = stitched_user_ids.domain_userid
