"""Event fingerprints (event_fingerprint_config) in compiled passes over the parameter maps' buffers.

The text hashed per event: its parameters minus the excluded names, sorted by name (UTF-8 byte order, which is
code point order; stable for equal names), each written `name \\x1f value \\x1f` with `null` for a value-less name.

`_arrange` puts every event's kept pairs in name order. Names compare as their first eight bytes packed big-endian
into one word (the rest byte by byte when those tie), so no dictionary of names is built. Trackers send their
parameters in a few fixed orders, so a sequence of names met before takes its order (and its exclusions) from a
small cache instead of being filtered and sorted again.

`fingerprint_md5` then writes the texts of `LANES` events at a time into a small buffer, padded as MD5 wants, and
hashes them side by side: OpenSSL through hashlib hashes one message at a time, while here the lanes go through
the rounds together, one lane of an LLVM vector each. The texts of a batch (some 80 MB per 100k events) are never
written out whole. `fingerprint_texts` does write them, for the SHA algorithms, which
hashlib computes.
"""

from __future__ import annotations

import math

import numba
import numpy as np
import pyarrow as pa
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.core.extending import intrinsic

from pipeline.collectors.arrowtext import from_buffers, validity
from pipeline.kernels import copy_bytes, readonly

_NULL = int.from_bytes(b"null", "little")
"""A value-less name's `null`, as one little-endian word (written with four spare bytes after it)."""
_NULL_SIZE = 4
_SPARE = 32
"""Bytes past a text's end that writing it may scribble on (whole-word copies)."""

LANES = 16
"""Messages hashed side by side: one 512-bit vector of 32-bit words (two 256-bit ones without AVX-512)."""
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
        end = np.where(validity(parameters), end, begin)
    keys, values = parameters.keys, parameters.items
    return (begin, end, *_string_buffers(keys), *_string_buffers(values),
            validity(values))


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
    few bytes, which a byte loop (vectorised for long copies) pays dearly for. The first two words are copied
    whatever the length (four in five values fit), sparing most copies a loop whose varying length costs a
    mispredicted branch. Writes up to 15 bytes past the copy's end, which the caller overwrites or leaves in
    spare room."""
    length = end - start
    if start + length + 16 > len(source):
        return copy_bytes(source, start, end, target, at)
    source_start, target_start = np.uintp(start), np.uintp(at)
    _store_word(target, target_start, _load_word(source, source_start))
    _store_word(target, target_start + np.uintp(8), _load_word(source, source_start + np.uintp(8)))
    if length > 16:
        for k in range(np.uintp(16), np.uintp(length), np.uintp(8)):
            _store_word(target, target_start + k, _load_word(source, source_start + k))
    return at + length


@numba.njit(cache=True, nogil=True, inline="always")
def _write_row(pairs, first, last, key_offsets, key_data, value_offsets, value_data, has_value,  # noqa: ANN001, ANN202
               out, at):
    """Write `name \\x1f value \\x1f` for pairs[first:last] to out[at:], returning where the text ends (up to
    `_SPARE` bytes after it are overwritten too). Indices unsigned: numba's wrap-around of negative indices
    cost an eighth of the time."""
    for k in range(np.uintp(first), np.uintp(last)):
        pair = np.uintp(pairs[k])
        at = _copy(key_data, key_offsets[pair], key_offsets[pair + np.uintp(1)], out, at)
        out[np.uintp(at)] = 0x1F
        at += 1
        if has_value[pair]:
            at = _copy(value_data, value_offsets[pair], value_offsets[pair + np.uintp(1)], out, at)
        else:
            _store_word(out, np.uintp(at), np.uint64(_NULL))
            at += _NULL_SIZE
        out[np.uintp(at)] = 0x1F
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
    """RFC 1321 over every event's text, LANES consecutive events at a time. Each lane's text is written, padded,
    into its own stretch of a buffer: a stretch holds the lane's blocks and one spare block (room for whole-word
    writes past the end), so the buffer is the size of the largest group's texts, never LANES times the longest
    text. A lane's digest is written out after its last block; while the group's longer texts go on, its state
    goes on being updated (from its last block again), unread.

    Events are taken in their order rather than grouped by length: reading the pairs, offsets and bytes of
    scattered events cost more in cache misses than the blocks a short text's lane idles through."""
    count = len(sizes)
    blocks = (sizes + 8) // 64 + 1
    largest = 0
    for group in range(0, count, LANES):
        largest = max(largest, (blocks[group:group + LANES].sum() + LANES) * 16)
    buffer = np.zeros(largest, dtype=np.uint32)
    text = buffer.view(np.uint8)
    digits = np.empty(count * 32, dtype=np.uint8)
    state = np.empty(4 * LANES, dtype=np.uint32)
    lane_blocks = np.zeros(LANES, dtype=np.int64)
    block_words = np.zeros(LANES, dtype=np.int64)   # where each lane's current block starts in the buffer (words)
    for group in range(0, count, LANES):
        lanes = min(LANES, count - group)
        at = 0
        for lane in range(lanes):
            row = group + lane
            lane_blocks[lane] = blocks[row]
            block_words[lane] = at
            _pad(text, at * 4, _write_row(pairs, starts[row], starts[row + 1], key_offsets, key_data, value_offsets,
                                          value_data, has_value, text, at * 4), sizes[row], blocks[row])
            at += (blocks[row] + 1) * 16
        lane_blocks[lanes:] = 0
        block_words[lanes:] = 0
        for r in range(4):
            state[r * LANES:(r + 1) * LANES] = _START[r]
        for block in range(lane_blocks.max()):
            _md5_blocks(state, buffer, block_words)
            for lane in range(LANES):
                block_words[lane] += 16 * (block + 1 < lane_blocks[lane])
            for lane in range(lanes):
                if lane_blocks[lane] == block + 1:
                    _hex_digest(state, lane, digits, (group + lane) * 32)
    return digits


@numba.njit(cache=True, nogil=True, inline="always")
def _hex_digest(state, lane, digits, at):  # noqa: ANN001, ANN202
    """Write the lane's MD5 (its four state words, each little-endian) as 32 lower-case hex digits at digits[at:]."""
    for r in range(4):
        word = state[r * LANES + lane]
        for k in range(4):
            byte = (word >> np.uint32(8 * k)) & np.uint32(0xFF)
            digits[at] = _HEX_DIGITS[byte >> np.uint32(4)]
            digits[at + 1] = _HEX_DIGITS[byte & np.uint32(15)]
            at += 2


@numba.njit(cache=True, nogil=True, inline="always")
def _pad(text, start, at, length, blocks):  # noqa: ANN001, ANN202
    """MD5's padding after a message written at text[start:at]: a 0x80 byte, zeros, then the length in bits as
    a little-endian 64-bit number ending the last of its `blocks` blocks (whole words, some overlapping)."""
    end = np.uintp(start + blocks * 64 - 8)
    _store_word(text, np.uintp(at), np.uint64(0x80))
    for k in range(np.uintp(at + 8), end, np.uintp(8)):
        _store_word(text, k, np.uint64(0))
    _store_word(text, end, np.uint64(length) * np.uint64(8))


def _transposed(builder: ir.IRBuilder, rows: list) -> list:  # noqa: ANN401
    """The LANES x LANES matrix of 32-bit words given as row vectors, transposed: halves, then quarters, … of
    row pairs swapped, one shuffle per row and stage (unpack and 128/256-bit lane shuffles on x86)."""
    half = LANES // 2
    while half:
        first = [k for at in range(0, LANES, 2 * half) for k in (*range(at, at + half),
                                                                  *range(LANES + at, LANES + at + half))]
        second = ir.Constant(ir.VectorType(ir.IntType(32), LANES), [k + half for k in first])
        first = ir.Constant(ir.VectorType(ir.IntType(32), LANES), first)
        swapped = list(rows)
        for row in range(LANES):
            if not row & half:
                swapped[row] = builder.shuffle_vector(rows[row], rows[row + half], first)
                swapped[row + half] = builder.shuffle_vector(rows[row], rows[row + half], second)
        rows, half = swapped, half // 2
    return rows


@intrinsic
def _md5_blocks(typingctx, state, buffer, block_words):  # noqa: ANN001, ANN202, ARG001
    """One MD5 block per lane: state (4 x LANES words, a, b, c, d of every lane) += the 64 steps over the 16 words
    at buffer[block_words[lane]:]. Written as LLVM vector code, LANES lanes to a vector, with every step's
    constants in place: numba's loops over lanes, with the step's constants looked up, did not vectorise whole
    (rotations went through 64-bit lanes), and loading a lane's words one by one into a word-major table cost
    as much as the rounds. Here each lane's block is loaded whole and the 16 x LANES matrix transposed in
    registers."""
    def codegen(context, builder, signature, args):  # noqa: ANN001, ANN202, ARG001
        state_data, buffer_data, block_data = (context.make_array(kind)(context, builder, value).data
                                               for kind, value in zip(signature.args, args, strict=True))
        vector = ir.VectorType(ir.IntType(32), LANES)
        rotate = cgutils.get_or_insert_function(builder.module, ir.FunctionType(vector, [vector] * 3),
                                                f"llvm.fshl.v{LANES}i32")
        lanes = [builder.gep(buffer_data, [builder.load(builder.gep(block_data, [ir.Constant(ir.IntType(64), lane)]))])
                 for lane in range(LANES)]
        words = []
        for at in range(0, 16, LANES):
            words += _transposed(builder, [builder.load(builder.bitcast(builder.gep(start, [ir.Constant(
                ir.IntType(64), at)]), vector.as_pointer()), align=4) for start in lanes])
        starts = [builder.bitcast(builder.gep(state_data, [ir.Constant(ir.IntType(64), r * LANES)]),
                  vector.as_pointer()) for r in range(4)]
        initial = [builder.load(start, align=4) for start in starts]
        a, b, c, d = initial
        for i in range(64):
            if i < 16:
                mixed = builder.xor(d, builder.and_(b, builder.xor(c, d)))
            elif i < 32:
                mixed = builder.xor(c, builder.and_(d, builder.xor(b, c)))
            elif i < 48:
                mixed = builder.xor(builder.xor(b, c), d)
            else:
                mixed = builder.xor(c, builder.or_(b, builder.not_(d)))
            x = builder.add(builder.add(builder.add(words[_WORD[i]], _splat(vector, _SINES[i])), a), mixed)
            x = builder.call(rotate, [x, x, _splat(vector, _SHIFTS[i])])
            a, b, c, d = d, builder.add(b, x), b, c
        for start, value, added in zip(starts, initial, (a, b, c, d), strict=True):
            builder.store(builder.add(value, added), start, align=4)
        return context.get_dummy_value()
    return types.none(state, buffer, block_words), codegen


def _splat(vector: ir.VectorType, value: int) -> ir.Constant:
    """`value` in every lane of the vector type."""
    return ir.Constant(vector, [int(value)] * vector.count)


_WARM = pa.array([[("b", "1"), ("a", None), ("eid", "x")], None], pa.map_(pa.string(), pa.string()))
fingerprint_md5(_WARM, ["eid"])
fingerprint_texts(_WARM, ["eid"])
