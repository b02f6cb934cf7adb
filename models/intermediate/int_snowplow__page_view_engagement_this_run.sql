{#-
  One row per page_view_id of this run: engaged time from page pings and scroll depth from the page-ping
  offsets, computed the way Snowplow's web model does.
-#}
{%- set heartbeat = var('snowplow__heartbeat') %}
{%- set min_visit_length = var('snowplow__min_visit_length') %}

with events as (

    select * from {{ ref('int_snowplow__events_this_run') }}
    where page_view_id is not null
        and event_name in ('page_view', 'page_ping')

),

page_view_ids as (

    select distinct page_view_id from events

),

pings as (

    select
        page_view_id,
        max(derived_tstamp) as last_ping_tstamp,
        {#- one heartbeat bucket per ping interval the page was active in, whatever pings a tab sent twice -#}
        count(distinct floor({{ epoch_seconds('dvce_created_tstamp') }} / {{ heartbeat }})) as ping_buckets
    from events
    where event_name = 'page_ping'
    group by page_view_id

),

scroll_offsets as (

    select
        page_view_id,
        max(doc_width) as doc_width,
        max(doc_height) as doc_height,
        max(br_viewwidth) as br_viewwidth,
        max(br_viewheight) as br_viewheight,
        {#- a page view sends no offsets (0); negative offsets and offsets beyond the document are clamped -#}
        least(greatest(max(coalesce(pp_xoffset_max, 0)), 0), max(doc_width)) as hmax,
        least(greatest(max(coalesce(pp_yoffset_max, 0)), 0), max(doc_height)) as vmax
    from events
    where doc_width > 0
        and doc_height > 0
    group by page_view_id

),

scroll_depth as (

    select
        page_view_id,
        doc_width,
        doc_height,
        br_viewwidth,
        br_viewheight,
        hmax,
        vmax,
        {#- divide before multiplying: the offsets are integers -#}
        cast(round(100 * (least(hmax + br_viewwidth, doc_width) / cast(doc_width as {{ dbt.type_float() }})))
            as {{ dbt.type_float() }}) as relative_hmax,
        cast(round(100 * (least(vmax + br_viewheight, doc_height) / cast(doc_height as {{ dbt.type_float() }})))
            as {{ dbt.type_float() }}) as relative_vmax
    from scroll_offsets

)

select
    page_view_ids.page_view_id,
    pings.last_ping_tstamp,
    case
        when pings.ping_buckets > 0
            then {{ heartbeat }} * (pings.ping_buckets - 1) + {{ min_visit_length }}
        else 0
    end as engaged_time_in_s,
    scroll_depth.doc_width,
    scroll_depth.doc_height,
    scroll_depth.br_viewwidth,
    scroll_depth.br_viewheight,
    scroll_depth.hmax as horizontal_pixels_scrolled,
    scroll_depth.vmax as vertical_pixels_scrolled,
    scroll_depth.relative_hmax as horizontal_percentage_scrolled,
    scroll_depth.relative_vmax as vertical_percentage_scrolled
from page_view_ids
left join pings
    on page_view_ids.page_view_id = pings.page_view_id
left join scroll_depth
    on page_view_ids.page_view_id = scroll_depth.page_view_id
