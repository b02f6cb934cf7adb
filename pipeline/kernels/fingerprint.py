"""Event fingerprints (event_fingerprint_config) in compiled passes over the parameter maps' buffers.

The text hashed per event: its parameters minus the excluded names, sorted by name (UTF-8 byte order, which is
code point order; stable for equal names), each written `name \\x1f value \\x1f` with `null` for a value-less name.

`_arrange` puts every event's kept pairs in name order. Names compare as their first eight bytes packed big-endian
into one word (the rest byte by byte when those tie), so no dictionary of names is built. Trackers send their
parameters in a few fixed orders, so a sequence of names met before takes its order (and its exclusions) from a
small cache instead of being filtered and sorted again.

`fingerprint_md5` then writes the texts of `LANES` events at a time into a small buffer, padded as MD5 wants, and
hashes them side by side: OpenSSL through hashlib hashes one message at a time, while here the lanes go through
the rounds together, which the compiler turns into vector instructions. The texts of a batch (some 80 MB per
100k events) are never written out whole. `fingerprint_texts` does write them, for the SHA algorithms, which
hashlib computes.
"""

from __future__ import annotations

import math

import numba
import numpy as np
import pyarrow as pa
from llvmlite import ir
from numba import types
from numba.core.extending import intrinsic

from pipeline.collectors.arrowtext import from_buffers
from pipeline.kernels import copy_bytes, readonly

_NULL = int.from_bytes(b"null", "little")
"""A value-less name's `null`, as one little-endian word (written with four spare bytes after it)."""
_NULL_SIZE = 4
_SPARE = 32
"""Bytes past a text's end that writing it may scribble on (whole-word copies)."""

LANES = 64
"""Messages hashed side by side; fewer than 32 leaves most of the vector width unused."""
_CACHE_SLOTS = 256
"""Name sequences whose order is remembered (direct-mapped by hash); tracker traffic shows a few dozen."""
_CACHED_PAIRS = 64
_CACHED_BYTES = 512
"""Events with more pairs than this, or longer names in all, are sorted every time."""
_SHIFTS = np.array([7, 12, 17, 22] * 4 + [5, 9, 14, 20] * 4 + [4, 11, 16, 23] * 4 + [6, 10, 15, 21] * 4, np.uint32)
_SINES = np.array([int(abs(math.sin(i + 1)) * 2**32) & 0xFFFFFFFF for i in range(64)], np.uint32)
_WORD = np.array([i if i < 16 else (5 * i + 1) % 16 if i < 32 else (3 * i + 5) % 16 if i < 48 else 7 * i % 16
                  for i in range(64)], np.int64)
"""RFC 1321: the left-rotation, the additive constant and the message word of each of the 64 steps."""
_START = np.array([0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476], np.uint32)
_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def fingerprint_md5(parameters: pa.MapArray, exclude: list[str]) -> pa.Array:
    """The lower-case hex MD5 of each event's fingerprint text, as a string array (what hashlib's
    `md5(text).hexdigest()` gives)."""
    buffers = _buffers(parameters)
    pairs, starts, sizes = _arrange(*buffers, *_excluded(exclude), _NULL_SIZE)
    digits = _md5_rows(pairs, starts, *buffers[2:], sizes)
    return from_buffers(np.arange(0, 32 * (len(sizes) + 1), 32, dtype=np.int64), digits)


def fingerprint_texts(parameters: pa.MapArray, exclude: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(offsets, bytes) of each event's fingerprint text: event i's text is bytes[offsets[i]:offsets[i+1]]."""
    buffers = _buffers(parameters)
    pairs, starts, sizes = _arrange(*buffers, *_excluded(exclude), _NULL_SIZE)
    offsets = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    text = np.empty(int(offsets[-1]) + _SPARE, dtype=np.uint8)
    _write_rows(pairs, starts, *buffers[2:], text)
    return offsets, text[:int(offsets[-1])]


def _buffers(parameters: pa.MapArray) -> tuple[np.ndarray, ...]:
    """(first pair, end pair) per event (a null map has none), then the keys' and values' offsets and bytes as
    stored (no rebasing copy: the kernels index the data buffers with the offsets as they are), and whether each
    value is present."""
    map_offsets = np.asarray(parameters.offsets)
    begin, end = map_offsets[:-1], map_offsets[1:]
    if parameters.null_count:
        end = np.where(parameters.is_valid().to_numpy(zero_copy_only=False), end, begin)
    keys, values = parameters.keys, parameters.items
    return (begin, end, *_string_buffers(keys), *_string_buffers(values),
            values.is_valid().to_numpy(zero_copy_only=False))


def _string_buffers(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The offsets (int32 or int64, as stored) and the whole data buffer of a string array, both read-only."""
    if values.type not in (pa.string(), pa.large_string()):
        values = values.cast(pa.string())
    width = np.int64 if values.type == pa.large_string() else np.int32
    offsets = np.frombuffer(values.buffers()[1], dtype=width)[values.offset:values.offset + len(values) + 1]
    data = values.buffers()[2]
    return readonly(offsets), readonly(np.frombuffer(data, dtype=np.uint8) if data is not None
                                       else np.zeros(0, np.uint8))


def _excluded(exclude: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The excluded names as (packed first eight bytes, offsets, bytes), compared as the kernels compare names."""
    encoded = [name.encode("utf-8") for name in dict.fromkeys(exclude)]
    packed = np.array([int.from_bytes(raw[:8].ljust(8, b"\0"), "big") for raw in encoded], dtype=np.uint64)
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(raw) for raw in encoded], out=offsets[1:])
    return packed, offsets, np.frombuffer(b"".join(encoded) or b"\0", dtype=np.uint8)


@numba.njit(cache=True, nogil=True, inline="always")
def _packed(data, start, end):  # noqa: ANN001, ANN202
    """The first eight bytes of data[start:end] as a big-endian word, zero-padded: words order as the bytes do.
    One load and a byte swap where the data has eight bytes from `start` (a byte loop's unpredictable end costs
    more than the rest of a name's handling)."""
    length = end - start
    if length <= 0:
        return np.uint64(0)
    if start + 8 <= len(data):
        word = _swapped(_load_word(data, np.uintp(start)))
        if length < 8:
            word &= np.uint64(0xFFFFFFFFFFFFFFFF) << (np.uint64(64) - np.uint64(8) * np.uint64(length))
        return word
    value = np.uint64(0)
    first = np.uintp(start)
    for k in range(np.uintp(min(length, 8))):
        value |= np.uint64(data[first + k]) << (np.uint64(56) - np.uint64(8) * k)
    return value


@numba.njit(cache=True, nogil=True, inline="always")
def _swapped(word):  # noqa: ANN001, ANN202
    """The word with its bytes in reverse order (LLVM makes this one bswap)."""
    word = ((word & np.uint64(0x00FF00FF00FF00FF)) << np.uint64(8)) | ((word >> np.uint64(8))
                                                                       & np.uint64(0x00FF00FF00FF00FF))
    word = ((word & np.uint64(0x0000FFFF0000FFFF)) << np.uint64(16)) | ((word >> np.uint64(16))
                                                                        & np.uint64(0x0000FFFF0000FFFF))
    return (word << np.uint64(32)) | (word >> np.uint64(32))


@numba.njit(cache=True, nogil=True, inline="always")
def _same_tail(data, start, other_data, other_start, length):  # noqa: ANN001, ANN202
    """Bytes 8.. of two names of the same `length` are equal."""
    for k in range(8, length):
        if data[start + k] != other_data[other_start + k]:
            return False
    return True


@numba.njit(cache=True, nogil=True, inline="always")
def _before(a, b, packed, lengths, first, key_offsets, key_data):  # noqa: ANN001, ANN202
    """The name of the row's pair a sorts strictly before that of pair b (byte order, a prefix first)."""
    if packed[a] != packed[b]:
        return packed[a] < packed[b]
    if lengths[a] > 8 and lengths[b] > 8:
        start_a, start_b = key_offsets[first + a], key_offsets[first + b]
        for k in range(8, min(lengths[a], lengths[b])):
            if key_data[start_a + k] != key_data[start_b + k]:
                return key_data[start_a + k] < key_data[start_b + k]
    return lengths[a] < lengths[b]


@numba.njit(cache=True, nogil=True)
def _arrange(begin, end, key_offsets, key_data, value_offsets, value_data, has_value,  # noqa: ANN001, ANN202
             excluded_packed, excluded_offsets, excluded_data, null_size):
    """Per event, its kept pairs in name order (`pairs[starts[i]:starts[i+1]]`, indices into the keys) and the
    size of its text. An event whose names (their lengths, then their bytes, which lie side by side in the keys'
    data) equal those of a cached event takes that event's order, compared word by word."""
    rows = len(begin)
    width = 1
    total = 0
    for row in range(rows):
        width = max(width, end[row] - begin[row])
        total += end[row] - begin[row]
    pairs = np.empty(total, dtype=np.int64)
    starts = np.zeros(rows + 1, dtype=np.int64)
    sizes = np.empty(rows, dtype=np.int64)
    packed = np.empty(width, dtype=np.uint64)
    lengths = np.empty(width, dtype=np.int64)
    order = np.empty(width, dtype=np.int64)
    cache_count = np.full(_CACHE_SLOTS, -1, dtype=np.int64)
    cache_span = np.zeros(_CACHE_SLOTS, dtype=np.int64)
    cache_kept = np.zeros(_CACHE_SLOTS, dtype=np.int64)
    cache_lengths = np.zeros((_CACHE_SLOTS, _CACHED_PAIRS), dtype=np.int64)
    cache_words = np.zeros((_CACHE_SLOTS, _CACHED_BYTES // 8), dtype=np.uint64)
    cache_order = np.zeros((_CACHE_SLOTS, _CACHED_PAIRS), dtype=np.int64)
    at = 0
    for row in range(rows):
        first, count = begin[row], end[row] - begin[row]
        span_start, span_end = np.uintp(key_offsets[first]), np.uintp(key_offsets[first + count])
        span = np.intp(span_end - span_start)
        cacheable = count <= _CACHED_PAIRS and span <= _CACHED_BYTES and span_end + np.uintp(8) <= len(key_data)
        hit = False
        slot = 0
        if cacheable:
            digest = np.uint64(count) * np.uint64(0x9E3779B97F4A7C15) ^ np.uint64(span) * np.uint64(0x100000001B3)
            if span >= 8:
                digest ^= _load_word(key_data, span_start) ^ (_load_word(key_data, span_end - np.uintp(8))
                                                                * np.uint64(0xC2B2AE3D27D4EB4F))
            digest *= np.uint64(0x165667B19E3779F9)
            slot = np.intp(digest >> np.uint64(56))
            hit = cache_count[slot] == count and cache_span[slot] == span
            if hit:
                for i in range(count):
                    if key_offsets[first + i + 1] - key_offsets[first + i] != cache_lengths[slot, i]:
                        hit = False
                        break
            if hit:
                for w in range((span + 7) // 8):
                    if _span_word(key_data, span_start, span, w) != cache_words[slot, w]:
                        hit = False
                        break
        if hit:
            kept = cache_kept[slot]
            for k in range(kept):
                order[k] = cache_order[slot, k]
        else:
            for i in range(count):
                start, stop = key_offsets[first + i], key_offsets[first + i + 1]
                packed[i] = _packed(key_data, start, stop)
                lengths[i] = stop - start
            kept = 0
            for i in range(count):
                if _is_excluded(packed[i], lengths[i], key_data, key_offsets[first + i],
                                excluded_packed, excluded_offsets, excluded_data):
                    continue
                place = kept
                while place > 0 and _before(i, order[place - 1], packed, lengths, first, key_offsets, key_data):
                    order[place] = order[place - 1]
                    place -= 1
                order[place] = i
                kept += 1
            if cacheable:
                cache_count[slot], cache_span[slot], cache_kept[slot] = count, span, kept
                for i in range(count):
                    cache_lengths[slot, i] = lengths[i]
                for w in range((span + 7) // 8):
                    cache_words[slot, w] = _span_word(key_data, span_start, span, w)
                for k in range(kept):
                    cache_order[slot, k] = order[k]
        size = 0
        for k in range(kept):
            pair = first + order[k]
            pairs[at + k] = pair
            size += key_offsets[pair + 1] - key_offsets[pair] + 2 + (
                value_offsets[pair + 1] - value_offsets[pair] if has_value[pair] else null_size)
        at += kept
        starts[row + 1] = at
        sizes[row] = size
    return pairs, starts, sizes


@numba.njit(cache=True, nogil=True, inline="always")
def _span_word(data, start, span, w):  # noqa: ANN001, ANN202
    """Word w of data[start:start + span], the bytes past the span zeroed (the data has eight bytes from every
    word's start)."""
    word = _load_word(data, start + np.uintp(8 * w))
    rest = span - 8 * w
    if rest < 8:
        word &= (np.uint64(1) << np.uint64(8 * rest)) - np.uint64(1)
    return word


@numba.njit(cache=True, nogil=True, inline="always")
def _is_excluded(packed, length, key_data, start, excluded_packed, excluded_offsets, excluded_data):  # noqa: ANN001, ANN202
    """The name is one of the excluded names."""
    for e in range(len(excluded_packed)):
        if (excluded_packed[e] == packed and excluded_offsets[e + 1] - excluded_offsets[e] == length
                and _same_tail(key_data, start, excluded_data, excluded_offsets[e], length)):
            return True
    return False


@intrinsic
def _load_word(typingctx, data, index):  # noqa: ANN001, ANN202, ARG001
    """The eight bytes data[index:index + 8] as one little-endian word, in one unaligned load (LLVM keeps eight
    byte loads as they are)."""
    def codegen(context, builder, signature, args):  # noqa: ANN001, ANN202, ARG001
        address = builder.gep(context.make_array(signature.args[0])(context, builder, args[0]).data, [args[1]])
        return builder.load(builder.bitcast(address, ir.IntType(64).as_pointer()), align=1)
    return types.uint64(data, index), codegen


@intrinsic
def _store_word(typingctx, data, index, word):  # noqa: ANN001, ANN202, ARG001
    """Write `word` little-endian to data[index:index + 8] in one unaligned store."""
    def codegen(context, builder, signature, args):  # noqa: ANN001, ANN202, ARG001
        address = builder.gep(context.make_array(signature.args[0])(context, builder, args[0]).data, [args[1]])
        builder.store(args[2], builder.bitcast(address, ir.IntType(64).as_pointer()), align=1)
        return context.get_dummy_value()
    return types.none(data, index, word), codegen


@numba.njit(cache=True, nogil=True, inline="always")
def _copy(source, start, end, target, at):  # noqa: ANN001, ANN202
    """copy_bytes by eight-byte words where the source has room for whole words: most names and values are a
    few bytes, which a byte loop (vectorised for long copies) pays dearly for. Writes up to seven bytes past
    the copy's end, which the caller overwrites or leaves in spare room."""
    length = end - start
    if start + length + 8 > len(source):
        return copy_bytes(source, start, end, target, at)
    source_start, target_start = np.uintp(start), np.uintp(at)
    for k in range(np.uintp(0), np.uintp(length), np.uintp(8)):
        _store_word(target, target_start + k, _load_word(source, source_start + k))
    return at + length


@numba.njit(cache=True, nogil=True, inline="always")
def _write_row(pairs, first, last, key_offsets, key_data, value_offsets, value_data, has_value,  # noqa: ANN001, ANN202
               out, at):
    """Write `name \\x1f value \\x1f` for pairs[first:last] to out[at:], returning where the text ends (up to
    `_SPARE` bytes after it are overwritten too)."""
    for k in range(first, last):
        pair = pairs[k]
        at = _copy(key_data, key_offsets[pair], key_offsets[pair + 1], out, at)
        out[at] = 0x1F
        at += 1
        if has_value[pair]:
            at = _copy(value_data, value_offsets[pair], value_offsets[pair + 1], out, at)
        else:
            _store_word(out, np.uintp(at), np.uint64(_NULL))
            at += _NULL_SIZE
        out[at] = 0x1F
        at += 1
    return at


@numba.njit(cache=True, nogil=True)
def _write_rows(pairs, starts, key_offsets, key_data, value_offsets, value_data, has_value, text):  # noqa: ANN001, ANN202
    """Every event's text, one after the other (`text` has `_SPARE` bytes more than they need)."""
    at = 0
    for row in range(len(starts) - 1):
        at = _write_row(pairs, starts[row], starts[row + 1], key_offsets, key_data, value_offsets, value_data,
                        has_value, text, at)


@numba.njit(cache=True, nogil=True)
def _md5_rows(pairs, starts, key_offsets, key_data, value_offsets, value_data, has_value, sizes):  # noqa: ANN001, ANN202
    """RFC 1321 over every event's text, LANES at a time. Events are taken by block count (sorted), so that the
    lanes of a group run nearly the same number of blocks; a lane past its last block is not added to. Each
    lane's text is written, padded, into its own stretch of a buffer that the rounds read as words: a stretch
    holds the lane's blocks and one spare block (room for whole-word writes past the end), so the buffer is the
    size of the largest group's texts, never LANES times the longest text."""
    count = len(sizes)
    blocks = (sizes + 8) // 64 + 1
    order = np.argsort(blocks, kind="mergesort")
    first_word = np.zeros(LANES + 1, dtype=np.int64)   # where each lane's stretch starts in the buffer (words)
    largest = 0
    for group in range(0, count, LANES):
        words_needed = 0
        for lane in range(min(LANES, count - group)):
            words_needed += (blocks[order[group + lane]] + 1) * 16
        largest = max(largest, words_needed)
    buffer = np.zeros(largest, dtype=np.uint32)
    text = buffer.view(np.uint8)
    digits = np.empty(count * 32, dtype=np.uint8)
    words = np.zeros((16, LANES), dtype=np.uint32)
    state = np.zeros((4, LANES), dtype=np.uint32)
    a, b = np.zeros(LANES, dtype=np.uint32), np.zeros(LANES, dtype=np.uint32)
    c, d = np.zeros(LANES, dtype=np.uint32), np.zeros(LANES, dtype=np.uint32)
    for group in range(0, count, LANES):
        lanes = min(LANES, count - group)
        for lane in range(lanes):
            row = order[group + lane]
            first_word[lane + 1] = first_word[lane] + (blocks[row] + 1) * 16
            _pad(text, first_word[lane] * 4, _write_row(pairs, starts[row], starts[row + 1], key_offsets, key_data,
                                                        value_offsets, value_data, has_value, text,
                                                        first_word[lane] * 4), sizes[row], blocks[row])
        for lane in range(LANES):
            for r in range(4):
                state[r, lane] = _START[r]
        for block in range(blocks[order[group + lanes - 1]]):
            for lane in range(lanes):
                if block < blocks[order[group + lane]]:
                    base = np.uintp(first_word[lane] + block * 16)
                    for w in range(np.uintp(16)):
                        words[w, lane] = buffer[base + w]
            for lane in range(LANES):
                a[lane], b[lane], c[lane], d[lane] = state[0, lane], state[1, lane], state[2, lane], state[3, lane]
            for step in range(0, 64, 4):
                _step(step, a, b, c, d, words)
                _step(step + 1, d, a, b, c, words)
                _step(step + 2, c, d, a, b, words)
                _step(step + 3, b, c, d, a, words)
            for lane in range(lanes):
                if block < blocks[order[group + lane]]:
                    state[0, lane] = np.uint32(state[0, lane] + a[lane])
                    state[1, lane] = np.uint32(state[1, lane] + b[lane])
                    state[2, lane] = np.uint32(state[2, lane] + c[lane])
                    state[3, lane] = np.uint32(state[3, lane] + d[lane])
        for lane in range(lanes):
            at = order[group + lane] * 32
            for r in range(4):
                for k in range(4):
                    byte = (state[r, lane] >> np.uint32(8 * k)) & np.uint32(0xFF)
                    digits[at] = _HEX_DIGITS[byte >> np.uint32(4)]
                    digits[at + 1] = _HEX_DIGITS[byte & np.uint32(15)]
                    at += 2
    return digits


@numba.njit(cache=True, nogil=True, inline="always")
def _pad(text, start, at, length, blocks):  # noqa: ANN001, ANN202
    """MD5's padding after a message written at text[start:at]: a 0x80 byte, zeros, then the length in bits as
    a little-endian 64-bit number ending the last of its `blocks` blocks (whole words, some overlapping)."""
    end = np.uintp(start + blocks * 64 - 8)
    _store_word(text, np.uintp(at), np.uint64(0x80))
    for k in range(np.uintp(at + 8), end, np.uintp(8)):
        _store_word(text, k, np.uint64(0))
    _store_word(text, end, np.uint64(length) * np.uint64(8))


@numba.njit(cache=True, nogil=True, inline="always")
def _step(i, a, b, c, d, words):  # noqa: ANN001, ANN202
    """MD5 step i for every lane: a = b + ((a + F(b, c, d) + sine[i] + word) <<< shift), F by round."""
    sine, shift, word = _SINES[i], _SHIFTS[i], np.uintp(_WORD[i])
    back = np.uint32(32) - shift
    if i < 16:
        for lane in range(np.uintp(LANES)):
            x = np.uint32(((b[lane] & c[lane]) | (~b[lane] & d[lane])) + a[lane] + sine + words[word, lane])
            a[lane] = np.uint32(b[lane] + np.uint32((x << shift) | (x >> back)))
    elif i < 32:
        for lane in range(np.uintp(LANES)):
            x = np.uint32(((d[lane] & b[lane]) | (~d[lane] & c[lane])) + a[lane] + sine + words[word, lane])
            a[lane] = np.uint32(b[lane] + np.uint32((x << shift) | (x >> back)))
    elif i < 48:
        for lane in range(np.uintp(LANES)):
            x = np.uint32((b[lane] ^ c[lane] ^ d[lane]) + a[lane] + sine + words[word, lane])
            a[lane] = np.uint32(b[lane] + np.uint32((x << shift) | (x >> back)))
    else:
        for lane in range(np.uintp(LANES)):
            x = np.uint32((c[lane] ^ (b[lane] | ~d[lane])) + a[lane] + sine + words[word, lane])
            a[lane] = np.uint32(b[lane] + np.uint32((x << shift) | (x >> back)))


_WARM = pa.array([[("b", "1"), ("a", None), ("eid", "x")], None], pa.map_(pa.string(), pa.string()))
fingerprint_md5(_WARM, ["eid"])
fingerprint_texts(_WARM, ["eid"])
