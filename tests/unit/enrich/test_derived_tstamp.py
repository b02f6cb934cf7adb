"""derived_tstamp = collector − joda Period(created, sent): calendar arithmetic for gaps of 28 days or more.

Expected values are derived by hand from joda's field-by-field algorithm (see pipeline/enrich/periods.py);
they were also checked against joda-time 2.1's `DateTime.minus(new Period(start, end))`.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipeline.collectors.records import raw_batch
from pipeline.enrich.fields import build_working_table
from pipeline.enrich.periods import DAY_MS, minus_period, period_between
from pipeline.iglu import Resolver
from pipeline.protocol import to_events


def ms(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=UTC).timestamp() * 1000)


@pytest.mark.parametrize(("created", "sent", "period"), [
    # 31 Jan + 1 month = 28 Feb (clamped), then 1 day to 1 Mar
    (ms(2013, 1, 31), ms(2013, 3, 1), (0, 1, DAY_MS)),
    # end on the last day of February: start's day 31 is lowered to 28, so exactly one month
    (ms(2013, 1, 31, 10), ms(2013, 2, 28, 10), (0, 1, 0)),
    # one millisecond less is not a month: 27 days 23:59:59.999
    (ms(2013, 1, 31, 10), ms(2013, 2, 28, 9, 59, 59) + 999, (0, 0, 28 * DAY_MS - 1)),
    # 15 Mar 18:00 + 1 month = 15 Apr 18:00, then 24 days 12 hours to 10 May 06:00
    (ms(2013, 3, 15, 18), ms(2013, 5, 10, 6), (0, 1, 24 * DAY_MS + 12 * 3_600_000)),
    # from 29 Feb of a leap year: the year offset is balanced, 1 year (to 28 Feb 2013), then 1 day
    (ms(2012, 2, 29), ms(2013, 3, 1), (1, 0, DAY_MS)),
    # 1 Mar 2011 → 1 Mar 2012 (leap): a whole year although it is 366 days
    (ms(2011, 3, 1), ms(2012, 3, 1), (1, 0, 0)),
])
def test_period_fields(created: int, sent: int, period: tuple[int, int, int]) -> None:
    assert period_between(created, sent) == period


@pytest.mark.parametrize(("collector", "created", "sent", "derived"), [
    # the month-end case: 31 Mar − 1 month = 28 Feb, − 1 day = 27 Feb (plain subtraction: 2 Mar)
    (ms(2013, 3, 31), ms(2013, 1, 31), ms(2013, 3, 1), ms(2013, 2, 27)),
    (ms(2013, 3, 31), ms(2013, 1, 31, 10), ms(2013, 2, 28, 10), ms(2013, 2, 28)),
    # 20 Mar 12:00 − 1 month = 20 Feb 12:00, − 24 d 12 h = 27 Jan 00:00 (plain subtraction: 24 Jan)
    (ms(2013, 3, 20, 12), ms(2013, 3, 15, 18), ms(2013, 5, 10, 6), ms(2013, 1, 27)),
    # 1 Mar 2016 − 1 year = 1 Mar 2015, − 1 day = 28 Feb 2015 (plain subtraction of 366 days: 1 Mar 2015)
    (ms(2016, 3, 1), ms(2012, 2, 29), ms(2013, 3, 1), ms(2015, 2, 28)),
    # a collector on 29 Feb minus one year lands on 28 Feb
    (ms(2016, 2, 29, 8), ms(2015, 1, 10, 12), ms(2016, 1, 10, 12), ms(2015, 2, 28, 8)),
])
def test_minus_period(collector: int, created: int, sent: int, derived: int) -> None:
    assert minus_period(collector, created, sent) == derived


def test_under_28_days_is_plain_subtraction() -> None:
    collector, created = ms(2013, 3, 31), ms(2013, 1, 31, 10)
    for gap in (1, DAY_MS, 27 * DAY_MS + 23 * 3_600_000, 28 * DAY_MS - 1):
        assert minus_period(collector, created, created + gap) == collector - gap


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return Resolver([r for r in Resolver.default().repositories if r.path is not None])


def derived_tstamps(collector: datetime | None, device_clocks: list[str], resolver: Resolver) -> list[datetime | None]:
    """derived_tstamp of GET /i requests received at `collector`, one per `dtm=…&stm=…[&ttm=…]` string."""
    n = len(device_clocks)
    batch = raw_batch(n, {
        "path": ["/i"] * n, "querystring": [f"e=pv&p=web&{clocks}" for clocks in device_clocks],
        "collector_tstamp": [collector] * n, "useragent": [None] * n, "referer": [None] * n,
        "ip_address": ["10.0.0.1"] * n, "headers": [[]] * n, "loader": ["cloudfront"] * n,
        "collector": ["cloudfront"] * n, "payload": ["line"] * n})
    table = build_working_table(batch, to_events(batch, resolver), etl_tstamp=datetime(2013, 4, 1), v_etl="test",
                                resolver=resolver)
    return table.column("derived_tstamp").to_pylist()


def test_enrichment_mixes_calendar_and_plain_rows(resolver: Resolver) -> None:
    rows = [
        f"dtm={ms(2013, 1, 31)}&stm={ms(2013, 3, 1)}",                        # ≥ 28 days: calendar
        f"dtm={ms(2013, 3, 1)}&stm={ms(2013, 3, 1) + 1500}",                  # plain subtraction
        f"dtm={ms(2013, 1, 31)}&stm={ms(2013, 3, 1)}&ttm={ms(2013, 3, 30)}",  # true_tstamp wins
        f"dtm={ms(2013, 3, 1)}&stm={ms(2013, 1, 31)}",                        # created after sent: collector
        f"stm={ms(2013, 3, 1)}",                                              # created missing: collector
    ]
    assert derived_tstamps(datetime(2013, 3, 31), rows, resolver) == [
        datetime(2013, 2, 27), datetime(2013, 3, 30, 23, 59, 58, 500000), datetime(2013, 3, 30),
        datetime(2013, 3, 31), datetime(2013, 3, 31)]


def test_a_null_collector_tstamp_stays_null(resolver: Resolver) -> None:
    assert derived_tstamps(None, [f"dtm={ms(2013, 1, 31)}&stm={ms(2013, 3, 1)}"], resolver) == [None]
