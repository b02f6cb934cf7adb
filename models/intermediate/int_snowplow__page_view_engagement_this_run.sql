{#-
  One row per (page_view_id, domain_sessionid) of this run: engaged time from page pings and scroll depth
  from page-view and page-ping offsets, as Snowplow's web model computes them (its default
  snowplow__limit_page_views_to_session: a page view id seen in two sessions is measured per session).
-#}
{%- set heartbeat = var('snowplow__heartbeat') %}
{%- set min_visit_length = var('snowplow__min_visit_length') %}

with events as (

    select * from {{ ref('int_snowplow__events_this_run') }}
    where page_view_id is not null
        and event_name in ('page_view', 'page_ping')

),

page_view_ids as (

    select distinct page_view_id, domain_sessionid from events

),

pings as (

    select
        page_view_id,
        domain_sessionid,
        max(derived_tstamp) as last_ping_tstamp,
        {#- one bucket per heartbeat interval of the pings' device clock: pings sent twice count once -#}
        count(distinct {{ heartbeat_bucket('dvce_created_tstamp', heartbeat) }}) as ping_buckets
    from events
    where event_name = 'page_ping'
    group by page_view_id, domain_sessionid

),

scroll_offsets as (

    select
        page_view_id,
        domain_sessionid,
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
    group by page_view_id, domain_sessionid

),

scroll_depth as (

    select
        page_view_id,
        domain_sessionid,
        doc_width,
        doc_height,
        br_viewwidth,
        br_viewheight,
        hmax,
        vmax,
        {#- divide before multiplying: the offsets are integers -#}
        cast({{ round_half_up('100 * (least(hmax + br_viewwidth, doc_width) / cast(doc_width as '
                                ~ dbt.type_float() ~ '))') }} as {{ dbt.type_float() }}) as relative_hmax,
        cast({{ round_half_up('100 * (least(vmax + br_viewheight, doc_height) / cast(doc_height as '
                                ~ dbt.type_float() ~ '))') }} as {{ dbt.type_float() }}) as relative_vmax
    from scroll_offsets

)

select
    page_view_ids.page_view_id,
    page_view_ids.domain_sessionid,
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
    and page_view_ids.domain_sessionid = pings.domain_sessionid
left join scroll_depth
    on page_view_ids.page_view_id = scroll_depth.page_view_id
    and page_view_ids.domain_sessionid = scroll_depth.domain_sessionid
