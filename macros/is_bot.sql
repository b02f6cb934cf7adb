{#-
  True when a user agent looks like a bot, crawler or monitoring probe (case-insensitive), after the
  pattern list of Snowplow's web model (filter_bots) plus var snowplow__bot_user_agents.
  A missing user agent is not a bot.
-#}
{% macro bot_pattern() -%}
  {%- set alternatives = [
    'bot', 'crawl', 'slurp', 'spider', 'archiv', 'spinn', 'sniff', 'seo', 'audit', 'survey', 'pingdom',
    'worm', 'capture', '(browser|screen)shots', 'analyz', 'index', 'thumb', 'check', 'facebook',
    'phantomjs', 'a_archiver', 'facebookexternalhit', 'bingpreview', '360(spider|user-agent)', 'semalt',
    'headlesschrome', 'python-requests', 'curl/', 'wget/'
  ] + var('snowplow__bot_user_agents') -%}
  {{- return('(' ~ alternatives | join('|') ~ ')') -}}
{%- endmacro %}

{% macro is_bot(useragent) -%}
  {{ return(adapter.dispatch('is_bot', 'plough')(useragent)) }}
{%- endmacro %}

{% macro default__is_bot(useragent) -%}
  coalesce({{ useragent }}, '') ~* '{{ plough.bot_pattern() }}'
{%- endmacro %}

{% macro duckdb__is_bot(useragent) -%}
  regexp_matches(coalesce({{ useragent }}, ''), '{{ plough.bot_pattern() }}', 'i')
{%- endmacro %}
