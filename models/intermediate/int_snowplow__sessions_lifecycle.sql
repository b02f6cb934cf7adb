{#-
  One row per domain_sessionid ever modelled: its span, newest load and quarantine flag. Each run
  recomputes the sessions that received events from loads newer than the lookback bound, over all of
  their events, and stamps them with the run's model_tstamp; the _this_run models read those rows.
-#}
{{ config(materialized='incremental', unique_key='domain_sessionid', incremental_strategy='delete+insert') }}

with base_events as (

    select * from {{ ref('int_snowplow__base_events') }}

),

touched_sessions as (

    select distinct domain_sessionid
    from base_events
    {%- if is_incremental() %}
    where load_tstamp > {{ load_lower_bound() }}
    {%- endif %}

),

session_events as (

    select base_events.*
    from base_events
    where domain_sessionid in (select domain_sessionid from touched_sessions)

)

select
    domain_sessionid,
    max({{ binary_order('domain_userid') }}) as domain_userid,
    min(collector_tstamp) as start_tstamp,
    max(collector_tstamp) as end_tstamp,
    count(*) as events,
    max(load_tstamp) as max_load_tstamp,
    max(collector_tstamp)
        > {{ dbt.dateadd('day', var('snowplow__max_session_days'), 'min(collector_tstamp)') }} as is_quarantined,
    {{ run_tstamp() }} as model_tstamp
from session_events
group by domain_sessionid
