"""`generate`: write days of realistic CloudFront collector logs for a demo shop, deterministically, in bounded memory.

Time runs forward through the requested range. Each hour gets its share of the day's events (a daily
traffic curve); sessions start as a Poisson process whose rate keeps the hour on budget, each session is
planned when it starts, and a heap of open sessions releases their events in time order into the current
log file. Memory depends on how many sessions are open at once (a few thousand even at tens of millions of
events a day) and on the population counters (12 bytes per visitor), never on the number of events.
"""

from __future__ import annotations

import binascii
import heapq
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from pipeline.generate.cloudfront import LogWriter, distribution_domain, malformed_line, response_tails
from pipeline.generate.ids import UUID4_CLEAR, UUID4_SET, uuid4_text
from pipeline.generate.population import Population, visitor
from pipeline.generate.sessions import EVENT_NAMES, plan_session, session_context
from pipeline.storage import Storage

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
HOURLY_TRAFFIC = (2.2, 1.6, 1.2, 1.0, 1.0, 1.3, 2.0, 3.0, 4.0, 4.6, 4.9, 5.1,
                  5.3, 5.6, 5.9, 6.1, 6.0, 5.8, 5.7, 5.9, 6.0, 5.4, 4.2, 3.0)
"""Relative traffic per UTC hour (European daytime, then the Americas)."""
MAX_LINES_PER_FILE = 50_000
FLUSH_LINES = 4096
MAX_POPULATION = 2_000_000
_CLOCK = [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]
_URLSAFE = bytes.maketrans(b"+/", b"-_")


class GenerateError(ValueError):
    """The generator was asked for something it cannot produce."""


@dataclass
class GenerateSummary:
    """What was written: files, events (by enriched event name), malformed lines, bytes, visitors, sessions.

    `users` counts population members with at least one visit; a crawler is one member although it sends a
    fresh domain_userid on every visit, as crawlers that run JavaScript do.
    """

    files: int
    events: int
    malformed_lines: int
    bytes_written: int
    events_by_type: dict[str, int] = field(default_factory=dict)
    users: int = 0
    sessions: int = 0

    def to_dict(self) -> dict:
        """JSON-serialisable form."""
        return asdict(self)


def hourly_budgets(events_per_day: int) -> list[int]:
    """The day's events split over the 24 UTC hours by the traffic curve, summing exactly to events_per_day."""
    total = sum(HOURLY_TRAFFIC)
    exact = [events_per_day * weight / total for weight in HOURLY_TRAFFIC]
    budgets = [int(x) for x in exact]
    by_remainder = sorted(range(24), key=lambda h: exact[h] - budgets[h], reverse=True)
    for hour in by_remainder[: events_per_day - sum(budgets)]:
        budgets[hour] += 1
    return budgets


def population_size(events_per_day: int) -> int:
    """Visitors in the population: about one per 12 daily events, so most come back over a week."""
    return max(50, min(MAX_POPULATION, events_per_day // 12))


class _Generator:
    """The state of one generate() call; `emit_until` is the hot loop."""

    def __init__(self, storage: Storage, start: date, days: int, seed: int, malformed_share: float,
                 distribution_id: str, raw_prefix: str, max_lines_per_file: int,
                 progress: Callable[[int], None] | None, events_per_day: int) -> None:
        self.rng = random.Random(f"plough-generate:{seed}")
        self.seed = seed
        self.start = start
        self.end_ms = days * DAY_MS
        self.malformed_share = malformed_share / (1 - malformed_share)  # per event, so that share = bad / all lines
        self.population = Population(seed, population_size(events_per_day))
        self.writer = LogWriter(storage, raw_prefix, distribution_id, seed, start, max_lines_per_file)
        self.host = distribution_domain(distribution_id, seed)
        self.tails = response_tails(random.Random(f"plough-tails:{seed}"))
        self.progress = progress
        self.heap: list[tuple] = []
        self.sequence = 0
        self.sessions = 0
        self.events = 0
        self.malformed = 0
        self.by_kind = [0] * len(EVENT_NAMES)
        self.lines: list[str] = []
        self.unreported = 0
        self.last_second = -1
        self.stamp = ""
        self.epoch_ms = int(datetime.combine(start, time(), tzinfo=UTC).timestamp()) * 1000

    def start_session(self, t_ms: int) -> int:
        """Start a visit at `t_ms`: pick a free visitor, plan the visit, queue its first event; returns its size."""
        rng = self.rng
        index = self.population.pick(rng, t_ms)
        person = visitor(self.seed, index)
        vid = self.population.begin_session(index, person.first_vid)
        sid = uuid4_text(rng.getrandbits(128))
        duid = person.duid
        if person.bot is not None:
            duid, vid = uuid4_text(rng.getrandbits(128)), 1
        uid = person.uid if person.uid and rng.random() < person.login_share else None
        plan = plan_session(rng, session_context(person, vid, sid, duid, uid), t_ms, self.end_ms)
        self.population.end_session(index, plan[-1][0])
        prefix = f"{person.edge}\t{440 + int(rng.random() * 80)}\t{person.ip}\tGET\t{self.host}\t/i\t200\t"
        self.sequence += 1
        self.sessions += 1
        heapq.heappush(self.heap, (plan[0][0], self.sequence, plan, 0, prefix, person.skew_ms))
        return len(plan)

    def timestamp(self, second: int) -> str:
        """`date<TAB>time` of a second since the start."""
        day, second_of_day = divmod(second, 86_400)
        return f"{(self.start + timedelta(days=day)).isoformat()}\t{_CLOCK[second_of_day]}"

    def emit_until(self, limit_ms: int) -> None:
        """Write every queued event before `limit_ms`, in time order, rotating files as time moves on."""
        heap, rng, writer, lines, tails = self.heap, self.rng, self.writer, self.lines, self.tails
        by_kind, epoch_ms = self.by_kind, self.epoch_ms
        getrandbits, random_share, share = rng.getrandbits, rng.random, self.malformed_share
        heapreplace, heappop, b64, host = heapq.heapreplace, heapq.heappop, binascii.b2a_base64, self.host
        append = lines.append
        last_second, stamp = self.last_second, self.stamp
        window_end, in_file, max_lines = writer.window_end, writer.lines_in_file, writer.max_lines
        events = malformed = 0
        while heap and heap[0][0] < limit_ms:
            t, sequence, plan, i, prefix, skew = heap[0]
            page, params, kind = plan[i][1:]
            i += 1
            if i < len(plan):
                heapreplace(heap, (plan[i][0], sequence, plan, i, prefix, skew))
            else:
                heappop(heap)
            if t >= window_end or in_file >= max_lines:
                if lines:
                    writer.write(lines)
                    lines.clear()
                writer.rotate(t)
                window_end, in_file = writer.window_end, 0
            second = t // 1000
            if second != last_second:
                last_second, stamp = second, self.timestamp(second)
            h = "%032x" % ((getrandbits(128) & UUID4_CLEAR) | UUID4_SET)
            delay = 40 + getrandbits(10)
            dtm = epoch_ms + second * 1000 - delay + skew
            qs = (f"e={params}&{page[1]}&eid={h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}&dtm={dtm}"
                  f"&{page[2]}&stm={dtm + (delay >> 1)}")
            request_id = b64(getrandbits(320).to_bytes(40, "big"), newline=False).translate(_URLSAFE).decode()
            line = (f"{stamp}\t{prefix}{page[0]}{qs}\t-\tHit\t{request_id}\t{host}\thttps"
                    f"\t{len(qs) + len(page[0]) + 160}{tails[getrandbits(10)]}")
            if share and random_share() < share:
                broken = malformed_line(rng, line)
                if broken.isascii():
                    append(broken)
                else:  # written alone: one non-ASCII line would make the whole joined chunk 4 bytes a char
                    writer.write(lines)
                    lines.clear()
                    writer.write([broken])
                malformed += 1
                in_file += 1
            append(line)
            by_kind[kind] += 1
            events += 1
            in_file += 1
            if len(lines) >= FLUSH_LINES:
                writer.write(lines)
                lines.clear()
                self.report(events)
                self.events += events
                events = 0
        writer.lines_in_file = in_file
        self.events += events
        self.malformed += malformed
        self.last_second, self.stamp = last_second, stamp
        self.report(events)

    def report(self, events: int) -> None:
        """Tell the progress callback about events written, in chunks (not per event)."""
        self.unreported += events
        if self.progress is not None and self.unreported >= FLUSH_LINES:
            self.progress(self.unreported)
            self.unreported = 0

    def finish(self) -> None:
        """Flush and store the last file, and settle the progress count."""
        self.emit_until(self.end_ms)
        if self.lines:
            self.writer.write(self.lines)
            self.lines.clear()
        self.writer.close()
        if self.progress is not None and self.unreported:
            self.progress(self.unreported)
            self.unreported = 0


def generate(storage: Storage, start: date, days: int, events_per_day: int, seed: int, *,
             malformed_share: float = 0.002, distribution_id: str = "E2PLOUGHDEMO", raw_prefix: str = "raw/",
             progress: Callable[[int], None] | None = None,
             max_lines_per_file: int = MAX_LINES_PER_FILE) -> GenerateSummary:
    """Write `days` days of CloudFront collector logs from `start` (UTC) under `raw_prefix` in `storage`.

    About `events_per_day` tracker events a day (page views, page pings, structured, self-describing and
    ecommerce events from a population of returning visitors), plus a `malformed_share` of broken lines that
    the enrichment must turn into bad rows. The same arguments always produce byte-identical files, so a
    demo or a benchmark is reproducible; memory stays bounded however many events are asked for.

    Args:
        storage: the bucket to write to.
        start: first day generated (collector timestamps are UTC, from this day's midnight).
        days: number of days.
        events_per_day: target events per day; met within about 1% (visits still open at the end of the range
            are cut, and each hour's last visit may overshoot its share).
        seed: the random seed; same seed, same bytes.
        malformed_share: share of malformed lines among all data lines (0 for none).
        distribution_id: CloudFront distribution id used in the file names.
        raw_prefix: key prefix of the files.
        progress: called with the number of events written since its last call.
        max_lines_per_file: a file is rotated after this many lines (and at least every 15 minutes of traffic).
    """
    if days < 1 or events_per_day < 1:
        raise GenerateError(f"days ({days}) and events_per_day ({events_per_day}) must both be at least 1")
    if not 0 <= malformed_share < 1:
        raise GenerateError(f"malformed_share must be in [0, 1), got {malformed_share}")
    if max_lines_per_file < 1:
        raise GenerateError(f"max_lines_per_file must be at least 1, got {max_lines_per_file}")
    if raw_prefix and not raw_prefix.endswith("/"):
        raw_prefix += "/"
    gen = _Generator(storage, start, days, seed, malformed_share, distribution_id, raw_prefix, max_lines_per_file,
                     progress, events_per_day)
    budgets = hourly_budgets(events_per_day)
    rng = gen.rng
    mean_session = 12.0
    carry = 0
    for hour in range(days * 24):
        budget = budgets[hour % 24] + carry
        t, hour_end = hour * HOUR_MS, (hour + 1) * HOUR_MS
        while budget > 0:
            expected_sessions = max(1.0, budget / mean_session)
            t += int(rng.expovariate(expected_sessions / (hour_end - t))) + 1
            if t >= hour_end:
                break
            gen.emit_until(t)
            size = gen.start_session(t)
            budget -= size
            mean_session += (size - mean_session) * 0.02
        carry = budget
    gen.finish()
    writer = gen.writer
    return GenerateSummary(
        files=writer.files,
        events=gen.events,
        malformed_lines=gen.malformed,
        bytes_written=writer.bytes_written,
        events_by_type={name: count for name, count in zip(EVENT_NAMES, gen.by_kind, strict=True) if count},
        users=gen.population.visitors_seen(),
        sessions=gen.sessions,
    )
