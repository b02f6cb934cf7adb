"""CloudFront access-log files: the 33-field layout, file naming and rotation, gzip, and malformed lines.

The files look like what a CloudFront distribution delivers to its log bucket:
`<distribution-id>.YYYY-MM-DD-HH.<unique-id>.gz`, several per hour, each starting with the `#Version:` and
`#Fields:` header lines, one TAB-separated request per line. Output is byte-for-byte reproducible: the
unique id is derived from the seed and the gzip header has mtime 0 and the file's own name.
"""

from __future__ import annotations

import hashlib
import io
import random
from datetime import date, datetime, time, timedelta

from pipeline.storage import Storage

try:  # NOTE: isal 1.9 (igzip) compresses ~5x faster than zlib at a better ratio; the output is plain gzip
    from isal.igzip import IGzipFile as GzipFile
except ImportError:
    from gzip import GzipFile

COMPRESS_LEVEL = 1
"""Fast compression: generating tens of millions of events is bound by compression otherwise."""

FIELDS = (
    "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) "
    "cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken "
    "x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status "
    "fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len "
    "sc-range-start sc-range-end"
).split()
"""The fields of a current CloudFront standard log line, in order."""
HEADER = "#Version: 1.0\n#Fields: " + " ".join(FIELDS) + "\n"
QUERY_FIELD = FIELDS.index("cs-uri-query")

WINDOW_MS = 15 * 60 * 1000
"""CloudFront delivers each edge's logs every few minutes: a new file at least every quarter hour."""
MALFORMED_KINDS = ("field_count", "method", "timestamp", "garbage", "empty", "querystring")


def distribution_domain(distribution_id: str, seed: int) -> str:
    """A `dxxxxxxxxxxxxx.cloudfront.net` domain for the distribution (stable per id and seed)."""
    digest = hashlib.blake2b(f"{distribution_id}:{seed}".encode(), digest_size=16).hexdigest()
    return f"d{digest[:13]}.cloudfront.net"


def response_tails(rng: random.Random, count: int = 1024) -> list[str]:
    """Precomputed line endings after cs-bytes (timings, TLS, protocol, client port …), picked per request."""
    tails = []
    for _ in range(count):
        protocol = rng.choices(["HTTP/2.0", "HTTP/1.1", "HTTP/3.0"], [70, 18, 12])[0]
        tls, cipher = rng.choice([("TLSv1.3", "TLS_AES_128_GCM_SHA256"), ("TLSv1.3", "TLS_AES_256_GCM_SHA384"),
                                  ("TLSv1.3", "TLS_CHACHA20_POLY1305_SHA256"),
                                  ("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256")])
        taken = rng.choice(["0.000", "0.001", "0.001", "0.002", "0.003", "0.005", "0.011"])
        tails.append(f"\t{taken}\t-\t{tls}\t{cipher}\tHit\t{protocol}\t-\t-\t{rng.randint(1024, 65535)}"
                     f"\t{taken}\tHit\timage/gif\t43\t-\t-\n")
    return tails


def malformed_line(rng: random.Random, line: str) -> str:
    """A broken variant of `line` that Snowplow's CloudFront loader or tp1 adapter rejects.

    Garbage bytes come back as surrogate escapes (the only non-ASCII text the generator makes), so the
    writer can emit bytes that are not UTF-8.
    """
    kind = rng.choice(MALFORMED_KINDS)
    fields = line.rstrip("\n").split("\t")
    if kind == "field_count":
        text = "\t".join(fields[:rng.choice([9, 14, 17, 21, 22])])
    elif kind == "method":
        fields[5] = rng.choice(["POST", "PUT", "OPTIONS"])
        text = "\t".join(fields)
    elif kind == "timestamp":
        if rng.random() < 0.5:
            fields[0] = "20yy" + fields[0][4:]
        else:
            fields[1] = f"{rng.randint(24, 29)}{fields[1][2:]}"
        text = "\t".join(fields)
    elif kind == "garbage":
        raw = bytes(rng.choice(b"!\"$&'()*+,-./0123456789:;<=>?@ABCDEFXYZ[]^_`abcxyz{|}~\x80\x81\x9f\xc3\xe2\xff")
                    for _ in range(rng.randint(8, 160)))
        text = raw.decode("utf-8", "surrogateescape")
    elif kind == "empty":
        text = ""
    else:
        query = fields[QUERY_FIELD]
        cut = query.find("%25", rng.randrange(len(query)))
        cut = query.find("%25") if cut < 0 else cut
        fields[QUERY_FIELD] = query[:cut + 2]
        text = "\t".join(fields)
    return text + "\n"


class LogWriter:
    """Writes gzip log files under `prefix`, one per (hour, quarter-hour window) or per `max_lines` lines."""

    def __init__(self, storage: Storage, prefix: str, distribution_id: str, seed: int, start: date,
                 max_lines: int) -> None:
        self.storage, self.prefix, self.distribution_id, self.seed = storage, prefix, distribution_id, seed
        self.start, self.max_lines = datetime.combine(start, time()), max_lines
        self.files = 0
        self.bytes_written = 0
        self.window_end = -1
        self.lines_in_file = 0
        self._files_in_hour: dict[int, int] = {}
        self._key: str | None = None
        self._buffer: io.BytesIO | None = None
        self._gzip: GzipFile | None = None

    def key_for(self, hour: int, number: int) -> str:
        """Object key of the `number`-th file of `hour` (hours counted from the start date, UTC)."""
        stamp = (self.start + timedelta(hours=hour)).strftime("%Y-%m-%d-%H")
        unique = hashlib.blake2b(f"{self.distribution_id}:{self.seed}:{stamp}:{number}".encode(),
                                 digest_size=4).hexdigest()
        return f"{self.prefix}{self.distribution_id}.{stamp}.{unique}.gz"

    def rotate(self, t_ms: int) -> None:
        """Close the current file and open the next one for a line at `t_ms` (ms since the start)."""
        self.close()
        hour = t_ms // 3_600_000
        number = self._files_in_hour.get(hour, 0)
        self._files_in_hour = {hour: number + 1}
        self._key = self.key_for(hour, number)
        self._buffer = io.BytesIO()
        self._gzip = GzipFile(filename=self._key.rsplit("/", 1)[-1], mode="wb", fileobj=self._buffer,
                                   compresslevel=COMPRESS_LEVEL, mtime=0)
        self._gzip.write(HEADER.encode("ascii"))
        self.window_end = (t_ms // WINDOW_MS + 1) * WINDOW_MS
        self.lines_in_file = 0

    def write(self, lines: list[str]) -> None:
        """Append lines (each ending in a newline) to the current file."""
        self._gzip.write("".join(lines).encode("utf-8", "surrogateescape"))

    def close(self) -> None:
        """Finish the current file and store it."""
        if self._gzip is None:
            return
        self._gzip.close()
        data = self._buffer.getvalue()
        self.storage.write_bytes(self._key, data)
        self.files += 1
        self.bytes_written += len(data)
        self._gzip = self._buffer = self._key = None
