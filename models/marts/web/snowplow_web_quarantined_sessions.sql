{#-
  One row per domain_sessionid spanning more than snowplow__max_session_days: kept out of page views,
  sessions and users (mostly bots or tabs left open), listed here for inspection.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_sessions_this_run() }}",
) }}

select
    domain_sessionid,
    domain_userid,
    start_tstamp,
    end_tstamp,
    {{ seconds_between('start_tstamp', 'end_tstamp') }} as session_length_in_s,
    events,
    max_load_tstamp
from {{ ref('int_snowplow__sessions_this_run') }}
where is_quarantined
