"""Pack token sequences into decode batches: few batches, each within a token and sequence cap."""

from __future__ import annotations

from collections.abc import Sequence


def pack_batches(lengths: Sequence[int], max_tokens: int, max_seqs: int) -> list[list[int]]:
    """Group sequence indices so that each group holds ≤ max_tokens tokens and ≤ max_seqs items.

    Longest first, then the gap is topped up with the shortest ones: every decode call then
    runs near its token cap (the matrix products like full batches), and all indices appear
    exactly once. A sequence longer than max_tokens gets a batch of its own.
    """
    if max_tokens < 1 or max_seqs < 1:
        raise ValueError("max_tokens and max_seqs must be positive")
    order = sorted(range(len(lengths)), key=lambda index: -lengths[index])
    batches: list[list[int]] = []
    front, back = 0, len(order) - 1
    while front <= back:
        batch, used = [order[front]], lengths[order[front]]
        front += 1
        # Take the next-longest while it fits, then top the gap up from the short end.
        for step in (1, -1):
            while front <= back and len(batch) < max_seqs:
                index = order[front] if step == 1 else order[back]
                if used + lengths[index] > max_tokens:
                    break
                batch.append(index)
                used += lengths[index]
                if step == 1:
                    front += 1
                else:
                    back -= 1
        batches.append(batch)
    return batches
