"""Vectorised builders for the Arrow columns the demo writes: ids, hashes, text and timestamps."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

MISSING = -1  # unix-second arrays use -1 for "did not happen (yet)"


def hex_ids(rng: np.random.Generator, n: int, nbytes: int = 20) -> pa.Array:
    """n random lower-case hex strings of 2*nbytes characters (commit shas, tokens)."""
    raw = np.frombuffer(rng.bytes(n * nbytes).hex().encode(), dtype=f"S{2 * nbytes}")
    return pa.array(raw).cast(pa.string())


def join(*parts: pa.Array | str, sep: str = "") -> pa.Array:
    """Element-wise concatenation of string arrays and constants."""
    return pc.binary_join_element_wise(*parts, sep)


def text(values: np.ndarray) -> pa.Array:
    """Integers as decimal strings."""
    return pa.array(np.asarray(values, dtype=np.int64)).cast(pa.string())


def pick(options: Sequence[str | None] | pa.Array, index: np.ndarray) -> pa.Array:
    """options[index] for every index, as an Arrow array (-1 gives NULL)."""
    source = options if isinstance(options, pa.Array) else pa.array(list(options), type=pa.string())
    index = np.asarray(index, dtype=np.int64)
    return source.take(pa.array(index, mask=index < 0))


def timestamps(seconds: np.ndarray) -> pa.Array:
    """Unix seconds as naive-UTC timestamps; MISSING (negative) becomes NULL."""
    seconds = np.asarray(seconds, dtype=np.int64)
    return pa.array(seconds.astype("datetime64[s]"), mask=seconds < 0)


def string_lists(labels: Sequence[Sequence[str]], index: np.ndarray) -> pa.Array:
    """A VARCHAR[] column whose rows are label sets chosen by index."""
    return pa.array([list(x) for x in labels], type=pa.list_(pa.string())).take(pa.array(index))


def single_item_lists(values: pa.Array, present: np.ndarray) -> pa.Array:
    """A VARCHAR[] column holding [value] where present, else an empty list."""
    offsets = np.concatenate([[0], np.cumsum(present)]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), values.filter(pa.array(present)))


def expand_ranges(starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flatten ranges [start, start+length): returns (owner index per element, element index)."""
    lengths = np.asarray(lengths, dtype=np.int64)
    owner = np.repeat(np.arange(len(lengths)), lengths)
    first = np.cumsum(lengths) - lengths
    element = np.asarray(starts, dtype=np.int64)[owner] + (np.arange(int(lengths.sum())) - first[owner])
    return owner, element


def rank_within(groups: np.ndarray, order_key: np.ndarray) -> np.ndarray:
    """1-based position of each row within its group when the group is sorted by order_key."""
    order = np.lexsort((order_key, groups))
    sorted_groups = groups[order]
    starts = np.r_[True, sorted_groups[1:] != sorted_groups[:-1]]
    first_pos = np.maximum.accumulate(np.where(starts, np.arange(len(order)), 0))
    ranks = np.empty(len(order), dtype=np.int64)
    ranks[order] = np.arange(len(order)) - first_pos + 1
    return ranks
