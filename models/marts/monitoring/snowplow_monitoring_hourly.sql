{#- One row per hour with good events (by collector_tstamp) or bad rows (by failure_tstamp). -#}

with good as (

    select
        {{ dbt.date_trunc('hour', 'collector_tstamp') }} as hour_tstamp,
        count(*) as good_events
    from {{ source('atomic', 'events') }}
    group by 1

),

bad as (

    select
        {{ dbt.date_trunc('hour', 'failure_tstamp') }} as hour_tstamp,
        count(*) as bad_rows
    from {{ source('atomic', 'bad_rows') }}
    group by 1

),

hours as (

    select hour_tstamp from good
    union
    select hour_tstamp from bad

)

select
    hours.hour_tstamp,
    coalesce(good.good_events, 0) as good_events,
    coalesce(bad.bad_rows, 0) as bad_rows,
    cast(coalesce(bad.bad_rows, 0) as {{ dbt.type_float() }})
        / (coalesce(good.good_events, 0) + coalesce(bad.bad_rows, 0)) as bad_share
from hours
left join good
    on hours.hour_tstamp = good.hour_tstamp
left join bad
    on hours.hour_tstamp = bad.hour_tstamp
