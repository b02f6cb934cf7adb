{#- Every usable event of the sessions this run rebuilds, quarantined sessions left out. One row per event_id. -#}

with base_events as (

    select * from {{ ref('int_snowplow__base_events') }}

),

sessions as (

    select * from {{ ref('int_snowplow__sessions_this_run') }}
    where not is_quarantined

)

select base_events.*
from base_events
where base_events.domain_sessionid in (select domain_sessionid from sessions)
