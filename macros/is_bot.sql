{#-
  True when an event must be kept out of page views and sessions because of its user agent.
  The pattern is the list of Snowplow's web model (filter_bots), matched case-sensitively as its
  `similar to` filter does, plus var snowplow__bot_user_agents. An event without a user agent is
  treated the same way (Snowplow's `useragent not similar to …` is null, so such an event never passes).
-#}
{% macro bot_pattern() -%}
  {%- set alternatives = [
    'bot', 'crawl', 'slurp', 'spider', 'archiv', 'spinn', 'sniff', 'seo', 'audit', 'survey', 'pingdom',
    'worm', 'capture', '(browser|screen)shots', 'analyz', 'index', 'thumb', 'check', 'facebook',
    'PingdomBot', 'PhantomJS', 'YandexBot', 'Twitterbot', 'a_archiver', 'facebookexternalhit', 'Bingbot',
    'BingPreview', 'Googlebot', 'Baiduspider', '360(Spider|User-agent)', 'semalt'
  ] + var('snowplow__bot_user_agents') -%}
  {{- return('(' ~ alternatives | join('|') ~ ')') -}}
{%- endmacro %}

{% macro is_bot(useragent) -%}
  {{ return(adapter.dispatch('is_bot', 'plough')(useragent)) }}
{%- endmacro %}

{% macro default__is_bot(useragent) -%}
  coalesce({{ useragent }} ~ '{{ plough.bot_pattern() }}', true)
{%- endmacro %}

{% macro duckdb__is_bot(useragent) -%}
  coalesce(regexp_matches({{ useragent }}, '{{ plough.bot_pattern() }}'), true)
{%- endmacro %}
