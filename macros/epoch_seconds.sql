{#-
  Time arithmetic that must give the same integers on every warehouse. Timestamps carry milliseconds;
  DuckDB's epoch() is a double while PostgreSQL's extract(epoch) is an exact numeric, so both macros work
  on exact integer microseconds or numerics before flooring.
-#}

{#- The heartbeat bucket of a timestamp: floor(seconds since 1970 / heartbeat). Page pings are counted per bucket. -#}
{% macro heartbeat_bucket(tstamp, heartbeat) -%}
  {{ return(adapter.dispatch('heartbeat_bucket', 'plough')(tstamp, heartbeat)) }}
{%- endmacro %}

{% macro default__heartbeat_bucket(tstamp, heartbeat) -%}
  cast(floor(extract(epoch from {{ tstamp }}) / {{ heartbeat }}) as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro duckdb__heartbeat_bucket(tstamp, heartbeat) -%}
  cast(floor(epoch_us({{ tstamp }}) / ({{ heartbeat }} * 1000000.0)) as bigint)
{%- endmacro %}

{#-
  Whole seconds elapsed from `start` to `end`: floor(end − start), the way dbt's PostgreSQL datediff counts
  seconds (DuckDB's date_diff counts second boundaries crossed instead, which differs by one for sub-second
  timestamps).
-#}
{% macro seconds_between(start, end) -%}
  {{ return(adapter.dispatch('seconds_between', 'plough')(start, end)) }}
{%- endmacro %}

{% macro default__seconds_between(start, end) -%}
  cast(floor(extract(epoch from {{ end }}) - extract(epoch from {{ start }})) as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro duckdb__seconds_between(start, end) -%}
  cast(floor((epoch_us({{ end }}) - epoch_us({{ start }})) / 1000000.0) as bigint)
{%- endmacro %}

{#- Round half away from zero for values ≥ 0 (PostgreSQL's round(double) rounds half to even, DuckDB's away from zero). -#}
{% macro round_half_up(value) -%}
  floor({{ value }} + 0.5)
{%- endmacro %}
