"""Compiled scans over Arrow byte buffers, for the per-byte work Arrow compute cannot do in one pass.

Each kernel is a numba function over the `uint8` data and integer offsets of a string column (see
`pipeline.collectors.arrowtext.string_buffers`), wrapped by a plain function on Arrow arrays with the same
results as the reference implementation it replaces. Kernels are compiled on first use and cached on disk
(numba's `cache=True`), so only the first process on a machine pays the compilation.
"""
