{#- Seconds since 1970-01-01 of a timestamp (fractional where the warehouse keeps them): page pings are bucketed by it for engaged time. -#}
{% macro epoch_seconds(tstamp) -%}
  {{ return(adapter.dispatch('epoch_seconds', 'plough')(tstamp)) }}
{%- endmacro %}

{% macro default__epoch_seconds(tstamp) -%}
  extract(epoch from {{ tstamp }})
{%- endmacro %}

{% macro duckdb__epoch_seconds(tstamp) -%}
  epoch({{ tstamp }})
{%- endmacro %}

