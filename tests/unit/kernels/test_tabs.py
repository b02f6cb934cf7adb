"""The compiled line scan finds the lines, TABs and plain lines a per-line reading of the block finds."""

from __future__ import annotations

import random

import numpy as np
import pytest

from pipeline.kernels.tabs import numbered, scan_lines

_PIECES = ["\t", "\t", "\t", "abc", "x", "-", "2024-01-01", "é", "€", "\u0085", "\u2028", "\u2029", "\u2030", " ",
           "\x0b", "\x0c", "\r", "\r\n", "\n", "\n", "\x00", "\x1f", "%2520", "\U0001f600"]


def _random_block(rng: random.Random) -> bytes:
    return "".join(rng.choice(_PIECES) for _ in range(rng.randrange(0, 60))).encode()


def _reference(block: bytes) -> list[tuple[str, list[int], bool]]:
    """Per line: its text (one CR before its end left out), its TAB positions within the line, plainness."""
    result = []
    for line in block.decode().split("\n"):
        line = line[:-1] if line.endswith("\r") else line
        plain = (line != "" and not any(c in line for c in " \x0b\x0c\r\u0085\u2028\u2029")
                 and "" not in line.split("\t"))
        encoded = line.encode()
        result.append((line, [i for i, byte in enumerate(encoded) if byte == 9], plain))
    return result


def _scanned(block: bytes, shift: int = 0) -> list[tuple[str, list[int], bool]]:
    """`scan_lines` of the block, laid `shift` bytes past an 8-byte boundary (words are read from the first)."""
    data = np.frombuffer(b"\0" * shift + block, dtype=np.uint8)[shift:]
    starts, ends, tabs, tab_offsets, plain, line_offsets, line_data = scan_lines(data)
    assert len(starts) == len(ends) == len(plain) == len(tab_offsets) - 1 == len(line_offsets) - 1
    result = []
    for i, (start, end) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        text = line_data[line_offsets[i]:line_offsets[i + 1]].tobytes()
        assert text == block[start:end]
        result.append((text.decode(), (tabs[tab_offsets[i]:tab_offsets[i + 1]] - start).tolist(), bool(plain[i])))
    return result


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_blocks_scan_as_the_lines_read_one_by_one(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(1000):
        block = _random_block(rng) * rng.randrange(1, 4)
        assert _scanned(block, rng.randrange(8)) == _reference(block), block


@pytest.mark.parametrize("block", [b"", b"\n", b"\r", b"\r\n", b"a\tb\r", b"a\tb\r\r", b"a\t\r\n", b"\ta", b"a\t\tb",
                                   b"a\tb\n\tc", b"\xc2\x85", b"a\xe2\x80\xa9", b"a\xe2\x80\xa8\nb\tc"])
def test_edge_blocks(block: bytes) -> None:
    assert _scanned(block) == _reference(block)


def test_blocks_of_many_short_lines_and_tabs() -> None:
    block = b"\n".join([b"a\tb\t\tc", b"\t", b"", b"x\r", b"\t" * 40] * 500)
    assert _scanned(block) == _reference(block)


def _is_utf8(block: bytes) -> bool:
    try:
        block.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@pytest.mark.parametrize("seed", [1, 2])
def test_invalid_utf8_is_reported_as_python_decodes_it(seed: int) -> None:
    rng = random.Random(seed)
    odd = [b"\xff", b"\x80", b"\xc0\xaf", b"\xc3", b"\xe0\x80\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xf0\x9f",
           b"\xe2\x82", b"\xf5\x80\x80\x80", b"\xc2\x85", "\u20ac".encode(), "\U0001f600".encode(), b"a" * 9, b"\t"]
    for _ in range(2000):
        block = b"".join(rng.choice(odd) for _ in range(rng.randrange(1, 12)))
        scanned = scan_lines(np.frombuffer(block, dtype=np.uint8))
        assert (scanned is not None) == _is_utf8(block), block
        if scanned is not None:
            assert _scanned(block) == _reference(block)


def test_numbered_sources_as_python_formats_them() -> None:
    rng = random.Random(5)
    numbers = [0, 1, 9, 10, 99, 100, 10**18 - 1, 10**18, 2**63 - 1] + [rng.randrange(10 ** rng.randrange(1, 19))
                                                                       for _ in range(2000)]
    for prefix in ("raw/cf.gz:", "", "s3://b/\u00e9t\u00e9/x.gz:"):
        assert numbered(prefix, np.array(numbers, dtype=np.int64)).to_pylist() == [f"{prefix}{n}" for n in numbers]
