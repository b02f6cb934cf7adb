{#- One row per session this run rebuilds (quarantined ones included, flagged). -#}

with lifecycle as (

    select * from {{ ref('int_snowplow__sessions_lifecycle') }}

)

select
    domain_sessionid,
    domain_userid,
    start_tstamp,
    end_tstamp,
    events,
    max_load_tstamp,
    is_quarantined
from lifecycle
where model_tstamp = (select max(model_tstamp) from lifecycle)
