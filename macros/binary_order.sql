{#-
  A text expression compared byte by byte, whatever the database's collation: ties between timestamps are
  broken by ids (event_id, domain_sessionid), and a PostgreSQL database created with a language collation
  (en_US.UTF-8 ignores hyphens at first) would order them differently from DuckDB and Redshift.
-#}
{% macro binary_order(expression) -%}
  {{ return(adapter.dispatch('binary_order', 'plough')(expression)) }}
{%- endmacro %}

{% macro default__binary_order(expression) -%}
  {{ expression }}
{%- endmacro %}

{% macro postgres__binary_order(expression) -%}
  ({{ expression }} collate "C")
{%- endmacro %}

{#- dbt-redshift falls back to the postgres__ macros, but Redshift has no `collate "C"` and compares bytes already. -#}
{% macro redshift__binary_order(expression) -%}
  {{ expression }}
{%- endmacro %}
