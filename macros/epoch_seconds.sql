{#-
  Time arithmetic that must give the same integers on every warehouse. Timestamps carry milliseconds;
  DuckDB's epoch() is a double while PostgreSQL's extract(epoch) is an exact numeric, so the DuckDB versions
  work on exact integer microseconds before flooring.
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
  Seconds from `start` to `end` counted as second boundaries crossed: floor(end) − floor(start) in epoch seconds.
  This is what dbt's datediff(…, 'second') gives on PostgreSQL, Redshift and DuckDB, and so what Snowplow's web
  model reports (12:00:00.900 to 12:00:01.100 is 1 second).
-#}
{% macro seconds_between(start, end) -%}
  {{ return(adapter.dispatch('seconds_between', 'plough')(start, end)) }}
{%- endmacro %}

{% macro default__seconds_between(start, end) -%}
  cast(floor(extract(epoch from {{ end }})) - floor(extract(epoch from {{ start }})) as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro duckdb__seconds_between(start, end) -%}
  cast(floor(epoch_us({{ end }}) / 1000000.0) - floor(epoch_us({{ start }}) / 1000000.0) as bigint)
{%- endmacro %}

{#- Round half away from zero for values ≥ 0 (PostgreSQL's round(double) rounds half to even, DuckDB's away from zero). -#}
{% macro round_half_up(value) -%}
  floor({{ value }} + 0.5)
{%- endmacro %}
