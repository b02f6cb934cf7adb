{#-
  One row per event_date, app_id, se_category, se_action, se_label and se_property of structured
  events. Incremental by day: every day that received events from new loads is recomputed whole.
-#}
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='event_date') }}

with events as (

    select
        cast(coalesce(derived_tstamp, collector_tstamp) as date) as event_date,
        app_id,
        se_category,
        se_action,
        se_label,
        se_property,
        se_value,
        domain_userid,
        load_tstamp
    from {{ ref('stg_snowplow__events') }}
    where event = 'struct'

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
    se_category,
    se_action,
    se_label,
    se_property,
    count(*) as events,
    count(distinct domain_userid) as users,
    sum(se_value) as total_value,
    avg(se_value) as avg_value,
    max(load_tstamp) as max_load_tstamp
from events
{%- if is_incremental() %}
where event_date in (select event_date from touched_days)
{%- endif %}
group by event_date, app_id, se_category, se_action, se_label, se_property
