{#- One row per event (root_id, root_tstamp): the page view id of the web_page context. -#}

with contexts as (

    select
        cast(root_id as {{ dbt.type_string() }}) as root_id,
        root_tstamp,
        cast(id as {{ dbt.type_string() }}) as page_view_id
    from {{ source('atomic', 'com_snowplowanalytics_snowplow_web_page_1') }}

),

ranked as (

    select
        contexts.*,
        row_number() over (partition by root_id, root_tstamp order by {{ binary_order('page_view_id') }}) as context_copy
    from contexts

)

select
    root_id,
    root_tstamp,
    page_view_id
from ranked
where context_copy = 1
