"""The default glimpse: a small JSON summary of a reference value (python-api §8)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

__all__ = ["glimpse"]


def glimpse(value: Any, *, max_items: int = 3) -> dict[str, Any]:
    """Summarise `value`: a mapping as itself, a sequence as a count and sample.

    Example:
        >>> glimpse([1, 2, 3, 4], max_items=2)
        {'count': 4, 'sample': [1, 2]}
        >>> glimpse(5)
        {'value': 5}

    Args:
        value: a mapping, iterable, Pydantic model, dataclass or scalar.
        max_items: how many leading items of a sequence to keep.

    Raises:
        ValueError: a negative `max_items`.
    """
    if max_items < 0:
        raise ValueError("max_items must be non-negative")
    normalized = _to_json(value)
    if isinstance(normalized, dict):
        return normalized
    if isinstance(normalized, list):
        return {"count": len(normalized), "sample": normalized[:max_items]}
    return {"value": normalized}


def _to_json(value: Any) -> Any:
    if not isinstance(value, type) and callable(getattr(value, "model_dump", None)):
        return _to_json(value.model_dump(mode="json"))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _to_json(dataclasses.asdict(value))
    if isinstance(value, Mapping):
        return {str(key): _to_json(item) for key, item in value.items()}
    if isinstance(value, (str, bytes, bytearray)):
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Iterable):
        return [_to_json(item) for item in value]
    return value
