{#-
  The text at `path` inside a JSON text column, or null when any step is missing.
  `path` is a list of object keys (strings) and array indexes (integers), for example
  ['data', 'failure', 'messages', 0, 'error']. An object or array at the end comes back as JSON text.
  Bad rows keep their whole JSON in one text column, and each warehouse spells JSON access differently.
-#}
{% macro json_extract_text(column, path) -%}
  {{ return(adapter.dispatch('json_extract_text', 'plough')(column, path)) }}
{%- endmacro %}

{% macro default__json_extract_text(column, path) -%}
  (cast({{ column }} as json) #>> '{ {{- path | join(',') -}} }')
{%- endmacro %}

{% macro duckdb__json_extract_text(column, path) -%}
  {%- set steps = [] -%}
  {%- for step in path -%}
    {%- if step is number -%}
      {%- do steps.append('[' ~ step ~ ']') -%}
    {%- else -%}
      {%- do steps.append('."' ~ step ~ '"') -%}
    {%- endif -%}
  {%- endfor -%}
  json_extract_string({{ column }}, '${{ steps | join('') }}')
{%- endmacro %}

{% macro redshift__json_extract_text(column, path) -%}
  {#- Redshift walks keys with json_extract_path_text and array items with json_extract_array_element_text. -#}
  {%- set ns = namespace(expr=column, keys=[]) -%}
  {%- for step in path -%}
    {%- if step is number -%}
      {%- if ns.keys -%}
        {%- set ns.expr = "json_extract_path_text(" ~ ns.expr ~ ", '" ~ ns.keys | join("', '") ~ "', true)" -%}
        {%- set ns.keys = [] -%}
      {%- endif -%}
      {%- set ns.expr = "json_extract_array_element_text(" ~ ns.expr ~ ", " ~ step ~ ", true)" -%}
    {%- else -%}
      {%- do ns.keys.append(step) -%}
    {%- endif -%}
  {%- endfor -%}
  {%- if ns.keys -%}
    {%- set ns.expr = "json_extract_path_text(" ~ ns.expr ~ ", '" ~ ns.keys | join("', '") ~ "', true)" -%}
  {%- endif -%}
  nullif({{ ns.expr }}, '')
{%- endmacro %}
