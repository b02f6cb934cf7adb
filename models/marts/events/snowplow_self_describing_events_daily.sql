{#-
  One row per event_date, app_id, event_vendor, event_name and event_version of self-describing
  (unstruct) events. Incremental by day: every day that received events from new loads is recomputed whole.
-#}
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='event_date') }}

with events as (

    select
        cast(coalesce(derived_tstamp, collector_tstamp) as date) as event_date,
        app_id,
        event_vendor,
        event_name,
        event_version,
        domain_userid,
        load_tstamp
    from {{ ref('stg_snowplow__events') }}
    where event = 'unstruct'

)
{%- if is_incremental() %},

touched_days as (

    select distinct event_date
    from events
    where load_tstamp > {{ load_lower_bound() }}

)
{%- endif %}

select
    event_date,
    app_id,
    event_vendor,
    event_name,
    event_version,
    count(*) as events,
    count(distinct domain_userid) as users,
    max(load_tstamp) as max_load_tstamp
from events
{%- if is_incremental() %}
where event_date in (select event_date from touched_days)
{%- endif %}
group by event_date, app_id, event_vendor, event_name, event_version
