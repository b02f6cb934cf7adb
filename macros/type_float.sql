{#- DuckDB's FLOAT is 4 bytes; PostgreSQL's and Redshift's are 8. Shares and percentages use 8 everywhere
    so the same model gives the same numbers on every warehouse (found first through the dispatch search order
    set in dbt_project.yml). -#}
{% macro duckdb__type_float() -%}
  double
{%- endmacro %}
