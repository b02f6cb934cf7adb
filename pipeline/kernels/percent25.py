"""CloudFront's log fields copied out of a block of lines in one compiled pass, with the double-encoded `%` undone.

CloudFront writes each `%` of a logged URL, referer or user agent as `%25`, so `%20` arrives as `%2520`; Snowplow
turns every `%25XX` (XX hex) back into `%XX` with one left-to-right regex pass. Nearly every querystring and user
agent holds such escapes, so the kernel copies each field from the block of log lines once, dropping the `25` of
each escape. Only ASCII bytes are removed, so the result stays valid UTF-8.

`cloudfront_rows` does all the per-line work of the CloudFront collector's common case in that same pass (which
lines are headers, the layout, the verb, the W3C timestamp, the client IP, "-" as null) so that a block costs a
few calls whatever its size; lines it does not accept are left to the collector's per-line parser.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import pyarrow as pa
from numba.cpython.unsafe.numbers import trailing_zeros

from pipeline.collectors.arrowtext import block_array, from_buffers
from pipeline.kernels import copy_bytes, readonly
from pipeline.kernels.tabs import scan_lines

_PERCENT, _TWO, _FIVE, _DASH, _DOT, _COLON, _QUOTE, _BRACKET = 37, 50, 53, 45, 46, 58, 34, 91
_PERCENTS = np.uint64(0x2525252525252525)
_LOW_SEVEN = np.uint64(0x7F7F7F7F7F7F7F7F)
_NO_WORDS = np.zeros(0, dtype=np.uint64)
_VERSION_HEADER = np.frombuffer(b"#Version:", dtype=np.uint8)
_FIELDS_HEADER = np.frombuffer(b"#Fields:", dtype=np.uint8)
_GET = np.frombuffer(b"GET", dtype=np.uint8)
COLUMNS = ("ip_address", "path", "useragent", "referer", "querystring")
"""The string columns of `CloudfrontRows.columns`, in order."""


@numba.njit(cache=True, nogil=True, inline="always")
def _is_hex(byte: int) -> bool:
    return 48 <= byte <= 57 or 65 <= byte <= 70 or 97 <= byte <= 102


@numba.njit(cache=True, nogil=True, inline="always")
def _percent_bytes(word: np.uint64) -> np.uint64:
    """The high bit of each byte of `word` that is "%" (exact, unlike the cheaper zero-byte test with carries)."""
    x = word ^ _PERCENTS
    return ~(((x & _LOW_SEVEN) + _LOW_SEVEN) | x | _LOW_SEVEN)


@numba.njit(cache=True, nogil=True, inline="always")
def _is_escape(data: np.ndarray, i: np.uintp, stop: np.uintp) -> bool:
    """Whether `data[i:]` starts with `%25XX` (XX hex) lying before `stop`."""
    return (data[i] == _PERCENT and i + np.uintp(4) < stop and data[i + np.uintp(1)] == _TWO
            and data[i + np.uintp(2)] == _FIVE and _is_hex(data[i + np.uintp(3)]) and _is_hex(data[i + np.uintp(4)]))


@numba.njit(cache=True, nogil=True, inline="always")
def _single_encode(data: np.ndarray, words: np.ndarray, head: int, start: int, end: int, out: np.ndarray,
                   at: int) -> int:
    """Copy `data[start:end]` to `out[at:]` with every `%25XX` lying inside it written as `%XX`; returns the end.

    Escapes never overlap (the two bytes after `%25` are hex digits, never `%`), so skipping the `25` of each one
    as it is found is the regex's left-to-right pass. The field is copied 8 bytes at a time up to the next "%"
    (any 8 bytes are two shifted aligned `words` of `data`, which start at offset `head`); a whole 8 bytes are
    stored even when only those before a "%" count, as the output is never longer than what is left of the
    field. Positions are unsigned: numba then skips its negative-index check on every byte.
    """
    position = np.uintp(at)
    i = np.uintp(start)
    stop = np.uintp(end)
    first_word = np.uintp(head)
    word_stop = first_word + np.uintp(8) * np.uintp(len(words))
    while first_word <= i and i + np.uintp(8) <= stop and i + np.uintp(8) <= word_stop:
        index = (i - first_word) // np.uintp(8)
        shift = np.uint64(8) * np.uint64((i - first_word) % np.uintp(8))
        word = words[index]
        if shift != np.uint64(0):
            word = (word >> shift) | (words[index + np.uintp(1)] << (np.uint64(64) - shift))
        for k in range(8):
            out[position + np.uintp(k)] = np.uint8((word >> np.uint64(8 * k)) & np.uint64(0xFF))
        percents = _percent_bytes(word)
        if percents == np.uint64(0):
            position += np.uintp(8)
            i += np.uintp(8)
            continue
        before = np.uintp(trailing_zeros(percents)) // np.uintp(8)
        position += before + np.uintp(1)   # up to and with the "%"
        i += before
        i += np.uintp(3) if _is_escape(data, i, stop) else np.uintp(1)
    while i < stop:
        out[position] = data[i]
        position += np.uintp(1)
        i += np.uintp(3) if _is_escape(data, i, stop) else np.uintp(1)
    return np.int64(position)


@numba.njit(cache=True, nogil=True, inline="always")
def _starts_with(data: np.ndarray, start: int, end: int, prefix: np.ndarray) -> bool:
    if end - start < len(prefix):
        return False
    for k in range(len(prefix)):
        if data[start + k] != prefix[k]:
            return False
    return True


@numba.njit(cache=True, nogil=True, inline="always")
def _is_digit(byte: int) -> bool:
    return 48 <= byte <= 57


@numba.njit(cache=True, nogil=True, inline="always")
def _forwarded_ip(data: np.ndarray, start: int, end: int) -> tuple[int, int]:
    """Where Snowplow's IpAddressExtractor prefix matches in x-forwarded-for (`codecs.IP_PATTERN`), else (-1, -1).

    The pattern needs no backtracking: an optional quote and bracket, then an IPv4 quad (each part the longest
    run of at most 3 digits, which must be followed by "." for the first three), else the longest run of
    lower-case hex digits, "." and ":".
    """
    i = start
    if i < end and data[i] == _QUOTE:
        i += 1
    if i < end and data[i] == _BRACKET:
        i += 1
    j = i
    for part in range(4):
        k = j
        while k < end and k - j < 3 and _is_digit(data[k]):
            k += 1
        if k == j:
            break
        if part == 3:
            return i, k
        if k == end or data[k] != _DOT:
            break
        j = k + 1
    k = i
    while k < end and (_is_digit(data[k]) or 97 <= data[k] <= 102 or data[k] == _DOT or data[k] == _COLON):
        k += 1
    if k > i:
        return i, k
    return -1, -1


@numba.njit(cache=True, nogil=True, inline="always")
def _is_dash(out: np.ndarray, start: int, end: int) -> bool:
    """CloudFront writes "-" for an absent value; Snowplow also treats "" as absent."""
    return end == start or (end == start + 1 and out[start] == _DASH)


@numba.njit(cache=True, nogil=True, inline="always")
def _field(starts: np.ndarray, ends: np.ndarray, tabs: np.ndarray, first_tab: int, count: int, line: int,
           column: int) -> tuple[int, int]:
    start = starts[line] if column == 0 else tabs[first_tab + column - 1] + 1
    end = ends[line] if column == count - 1 else tabs[first_tab + column]
    return start, end


@numba.njit(cache=True, nogil=True, inline="always")
def _encoded_field(data: np.ndarray, words: np.ndarray, head: int, field: tuple[int, int], out: np.ndarray,
                   offsets: np.ndarray, valid: np.ndarray, column: int, row: int) -> None:
    """The field single-encoded as value `row` of string column `column`, null when it is "-"."""
    written = _single_encode(data, words, head, field[0], field[1], out, offsets[column, row])
    if not _is_dash(out, offsets[column, row], written):
        offsets[column, row + 1], valid[column, row] = written, True


@numba.njit(cache=True, nogil=True, inline="always")
def _digits(data: np.ndarray, start: int, count: int) -> int:
    """The decimal number of `count` bytes from `start`, or -1 when one is not a digit."""
    value = 0
    for i in range(start, start + count):
        digit = np.int64(data[i]) - 48
        if not 0 <= digit <= 9:
            return -1
        value = value * 10 + digit
    return value


@numba.njit(cache=True, nogil=True, inline="always")
def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`), for years >= 1."""
    if month <= 2:
        year -= 1
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    return era * 146097 + year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year - 719468


_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


NO_DAY = -(1 << 62)
"""`w3c_days` of a field that is not a plain date."""


@numba.njit(cache=True, nogil=True, inline="always")
def w3c_days(data: np.ndarray, date: int, date_end: int) -> int:
    """Days since 1970-01-01 of a W3C log `date` field (`YYYY-MM-DD`, a real date from year 1 on), else `NO_DAY`."""
    if date_end - date != 10 or data[date + 4] != 45 or data[date + 7] != 45:
        return NO_DAY
    year, month, day = _digits(data, date, 4), _digits(data, date + 5, 2), _digits(data, date + 8, 2)
    if year < 1 or not 1 <= month <= 12:
        return NO_DAY
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if not 1 <= day <= _MONTH_DAYS[month - 1] + (1 if month == 2 and leap else 0):
        return NO_DAY
    return _days_from_civil(year, month, day)


@numba.njit(cache=True, nogil=True, inline="always")
def w3c_time_millis(data: np.ndarray, time: int, time_end: int) -> int:
    """Milliseconds since midnight of a W3C log `time` field (`HH:MM:SS[.f…]`, 1 to 9 fraction digits of which
    the first 3 count), else -1."""
    time_length = time_end - time
    if not (time_length == 8 or 10 <= time_length <= 18) or data[time + 2] != 58 or data[time + 5] != 58:
        return -1
    hour, minute, second = _digits(data, time, 2), _digits(data, time + 3, 2), _digits(data, time + 6, 2)
    if not 0 <= hour <= 23 or not 0 <= minute <= 59 or not 0 <= second <= 59:
        return -1
    fraction = 0
    if time_length > 8:
        fraction = _digits(data, time + 9, min(time_length - 9, 3))
        if data[time + 8] != 46 or fraction < 0 or _digits(data, time + 12, max(time_length - 12, 0)) < 0:
            return -1
        for _ in range(3 - min(time_length - 9, 3)):
            fraction *= 10
    return ((hour * 60 + minute) * 60 + second) * 1000 + fraction


@numba.njit(cache=True, nogil=True, inline="always")
def w3c_millis(data: np.ndarray, date: int, date_end: int, time: int, time_end: int) -> tuple[bool, int]:
    """(valid, milliseconds since the epoch) of a W3C log `date` and `time` field (`w3c_days`, `w3c_time_millis`).

    Invalid timestamps are left to the per-line parsers, which word the failure.
    """
    days = w3c_days(data, date, date_end)
    millis = w3c_time_millis(data, time, time_end)
    if days == NO_DAY or millis < 0:
        return False, 0
    return True, days * 86_400_000 + millis


@numba.njit(cache=True, nogil=True, inline="always")
def _usable(plain: np.ndarray, line: int, count: int) -> bool:
    """A plain line with the field count of one of the TAB-separated layouts Snowplow accepts."""
    return plain[line] and (count == 12 or count == 15 or count == 18 or count == 19 or count >= 23)


@numba.njit(cache=True, nogil=True, _nrt=False)
def _column_sizes(starts: np.ndarray, ends: np.ndarray, tabs: np.ndarray, tab_offsets: np.ndarray, plain: np.ndarray,
                  sizes: np.ndarray) -> None:
    """Upper bounds of the bytes of each column of `COLUMNS`: the lengths of the fields they are read from."""
    for line in range(len(starts)):
        first_tab = tab_offsets[line]
        count = tab_offsets[line + 1] - first_tab + 1
        if not _usable(plain, line, count):
            continue
        ip_start, ip_end = _field(starts, ends, tabs, first_tab, count, line, 4)
        ip_size = ip_end - ip_start
        if count >= 23:
            forwarded_start, forwarded_end = _field(starts, ends, tabs, first_tab, count, line, 19)
            ip_size = max(ip_size, forwarded_end - forwarded_start)
        sizes[0] += ip_size
        for column, field in ((1, 7), (2, 10), (3, 9), (4, 11)):
            field_start, field_end = _field(starts, ends, tabs, first_tab, count, line, field)
            sizes[column] += field_end - field_start


@numba.njit(cache=True, nogil=True, _nrt=False)
def _cloudfront_rows(data: np.ndarray, words: np.ndarray, head: int, starts: np.ndarray, ends: np.ndarray,
                     tabs: np.ndarray, tab_offsets: np.ndarray, plain: np.ndarray, row_lines: np.ndarray,
                     accepted: np.ndarray, millis: np.ndarray, offsets: np.ndarray, valid: np.ndarray, ip: np.ndarray,
                     path: np.ndarray, useragent: np.ndarray, referer: np.ndarray, querystring: np.ndarray) -> int:
    """`cloudfront_rows` into the given outputs; returns the number of rows.

    Compiled without reference counting (`_nrt=False`: it allocates nothing): numba otherwise counts a reference
    to every array passed to each inlined helper, with atomic operations that took a quarter of the time.
    """
    rows = 0
    for line in range(len(starts)):
        start, end = starts[line], ends[line]
        if _starts_with(data, start, end, _VERSION_HEADER) or _starts_with(data, start, end, _FIELDS_HEADER):
            continue
        row_lines[rows] = line
        first_tab = tab_offsets[line]
        count = tab_offsets[line + 1] - first_tab + 1
        ok = _usable(plain, line, count)
        if ok:
            method_start, method_end = _field(starts, ends, tabs, first_tab, count, line, 5)
            ok = _starts_with(data, method_start, method_end, _GET) and method_end - method_start == 3
        stamp = 0
        if ok:
            date_start, date_end = _field(starts, ends, tabs, first_tab, count, line, 0)
            time_start, time_end = _field(starts, ends, tabs, first_tab, count, line, 1)
            ok, stamp = w3c_millis(data, date_start, date_end, time_start, time_end)
        accepted[rows] = ok
        millis[rows] = stamp
        for column in range(5):
            offsets[column, rows + 1] = offsets[column, rows]
            valid[column, rows] = False
        if ok:   # fields in the order they lie in the line, which the processor's prefetching follows
            at = offsets[1, rows]
            path_start, path_end = _field(starts, ends, tabs, first_tab, count, line, 7)
            offsets[1, rows + 1], valid[1, rows] = copy_bytes(data, path_start, path_end, path, at), True
            _encoded_field(data, words, head, _field(starts, ends, tabs, first_tab, count, line, 9), referer,
                           offsets, valid, 3, rows)
            if valid[3, rows] and referer[offsets[3, rows + 1] - 1] == _PERCENT:
                offsets[3, rows + 1] -= 1
            _encoded_field(data, words, head, _field(starts, ends, tabs, first_tab, count, line, 10), useragent,
                           offsets, valid, 2, rows)
            _encoded_field(data, words, head, _field(starts, ends, tabs, first_tab, count, line, 11), querystring,
                           offsets, valid, 4, rows)
            at = offsets[0, rows]
            ip_start, ip_end = _field(starts, ends, tabs, first_tab, count, line, 4)
            if count >= 23:
                forwarded_start, forwarded_end = _field(starts, ends, tabs, first_tab, count, line, 19)
                found_start, found_end = _forwarded_ip(data, forwarded_start, forwarded_end)
                if found_start >= 0:
                    ip_start, ip_end = found_start, found_end
            written = copy_bytes(data, ip_start, ip_end, ip, at)
            if not _is_dash(ip, at, written):
                offsets[0, rows + 1], valid[0, rows] = written, True
        rows += 1
    return rows


@dataclass
class CloudfrontRows:
    """The rows of a block of CloudFront log lines: one per line that is not a W3C header line.

    `lines` are the rows' line numbers in the block (0-based); `accepted` marks the rows read here, whose
    `millis` (collector timestamp) and `columns` (`COLUMNS`, nulls for "-") are final; the other rows are null
    and left to the per-line parser.
    """

    lines: np.ndarray
    accepted: np.ndarray
    millis: np.ndarray
    columns: list[pa.Array]


def cloudfront_rows(data: np.ndarray, starts: np.ndarray, ends: np.ndarray, tabs: np.ndarray,
                    tab_offsets: np.ndarray, plain: np.ndarray) -> CloudfrontRows:
    """The CloudFront rows of a scanned block (`pipeline.kernels.tabs.scan_lines` of valid UTF-8 `data`).

    A row is accepted when its line is plain with 12, 15, 18, 19 or at least 23 fields, its verb is "GET" and
    its date and time are plain (`w3c_millis`). Its client IP is the IpAddressExtractor prefix of
    x-forwarded-for (from 23 fields on), else c-ip; user agent, referer and querystring are single-encoded, and
    the referer loses one trailing "%".
    """
    lines = len(starts)
    row_lines = np.empty(lines, dtype=np.int64)
    accepted = np.empty(lines, dtype=np.bool_)
    millis = np.empty(lines, dtype=np.int64)
    offsets = np.zeros((len(COLUMNS), lines + 1), dtype=np.int64)
    valid = np.empty((len(COLUMNS), lines), dtype=np.bool_)
    data = readonly(data)
    sizes = np.zeros(len(COLUMNS), dtype=np.int64)
    _column_sizes(starts, ends, tabs, tab_offsets, plain, sizes)
    bounds = np.zeros(len(COLUMNS) + 1, dtype=np.int64)
    np.cumsum(sizes, out=bounds[1:])
    buffer = block_array(int(bounds[-1]), np.uint8)
    outputs = [buffer[bounds[k]:bounds[k + 1]] for k in range(len(COLUMNS))]
    head = -data.ctypes.data % 8
    words = data[head:head + (len(data) - head) // 8 * 8].view(np.uint64) if len(data) > head else _NO_WORDS
    rows = _cloudfront_rows(data, words, head, starts, ends, tabs, tab_offsets, plain, row_lines, accepted, millis,
                            offsets, valid, *outputs)
    columns = [from_buffers(offsets[k, :rows + 1], outputs[k][:offsets[k, rows]], valid=valid[k, :rows])
               for k in range(len(COLUMNS))]
    return CloudfrontRows(row_lines[:rows], accepted[:rows], millis[:rows], columns)


_SAMPLE = np.frombuffer(b"#Version: 1.0\n" + b"\t".join([b"2024-01-01", b"00:00:05"] + [b"GET"] * 10), dtype=np.uint8)
cloudfront_rows(_SAMPLE, *scan_lines(_SAMPLE)[:5])   # load the compiled kernel now
