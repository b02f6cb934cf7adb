{#-
  One row per failure_type and failure_message: how often each message occurred, ranked within its type.
  The message comes from the bad row's JSON: the first failure message, whichever bad-row schema wrote it
  (an Iglu error gives its first validation message or its error kind).
-#}
{%- set failure = ['data', 'failure'] %}

with bad_rows as (

    select
        failure_type,
        failure_tstamp,
        coalesce(
            {{ json_extract_text('payload', failure + ['messages', 0, 'message', 'error']) }},
            {{ json_extract_text('payload', failure + ['messages', 0, 'message', 'field']) }}
                || ': ' || {{ json_extract_text('payload', failure + ['messages', 0, 'message', 'expectation']) }},
            {{ json_extract_text('payload', failure + ['messages', 0, 'field']) }}
                || ': ' || {{ json_extract_text('payload', failure + ['messages', 0, 'expectation']) }},
            {{ json_extract_text('payload', failure + ['messages', 0, 'error', 'dataReports', 0, 'message']) }},
            {{ json_extract_text('payload', failure + ['messages', 0, 'error', 'error']) }},
            {{ json_extract_text('payload', failure + ['messages', 0, 'error']) }},
            {{ json_extract_text('payload', failure + ['message', 'error']) }},
            {{ json_extract_text('payload', failure + ['message', 'expectation']) }},
            {{ json_extract_text('payload', failure + ['errors', 0]) }},
            {{ json_extract_text('payload', failure + ['expectation']) }},
            'unknown'
        ) as failure_message
    from {{ source('atomic', 'bad_rows') }}

),

messages as (

    select
        failure_type,
        failure_message,
        count(*) as bad_rows,
        min(failure_tstamp) as first_failure_tstamp,
        max(failure_tstamp) as last_failure_tstamp
    from bad_rows
    group by failure_type, failure_message

)

select
    failure_type,
    failure_message,
    bad_rows,
    sum(bad_rows) over (partition by failure_type) as failure_type_bad_rows,
    row_number() over (
        partition by failure_type order by bad_rows desc, failure_message
    ) as message_rank,
    first_failure_tstamp,
    last_failure_tstamp
from messages
