{#-
  Incremental helpers. Every incremental model keeps `max_load_tstamp` (the newest atomic load that fed
  a row); a run reads the loads newer than that minus snowplow__lookback_window_hours, so a load that
  landed while the previous run was reading is picked up again rather than lost.
-#}
{% macro load_lower_bound(relation=this) -%}
  (select {{ dbt.dateadd('hour', -1 * var('snowplow__lookback_window_hours'), 'max(max_load_tstamp)') }}
   from {{ relation }})
{%- endmacro %}

{#- The timestamp dbt started this invocation: marks the rows a run (re)computed. -#}
{% macro run_tstamp() -%}
  cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#-
  Pre-hook of the session-scoped marts: remove the rows of every session this run rebuilds, including
  sessions that have since been quarantined and therefore produce no new row.
-#}
{% macro delete_sessions_this_run(key='domain_sessionid') -%}
  {%- if is_incremental() -%}
    delete from {{ this }}
    where {{ key }} in (select {{ key }} from {{ ref('int_snowplow__sessions_this_run') }})
  {%- else -%}
    select 1
  {%- endif -%}
{%- endmacro %}
