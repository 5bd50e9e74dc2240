"""Reference specs: named, schema-checked values agents pass by id (python-api §8)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ConfigDict, Field, field_validator

from ._config import SpecModel
from .schema import normalize_schema

__all__ = ["ReferenceSpec", "define_reference"]


class ReferenceSpec(SpecModel):
    """A reference kind; wire `{"name", "schema", "ttlMs"}`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    name: str
    schema_: dict[str, Any] = Field(alias="schema")
    ttl_ms: int | None = None
    glimpse: Callable[[Any], Any] | None = Field(default=None, exclude=True)

    @field_validator("schema_", mode="before")
    @classmethod
    def _normalize_schema(cls, schema: Any) -> dict[str, Any]:
        return normalize_schema(schema)

    @field_validator("ttl_ms")
    @classmethod
    def _non_negative_ttl(cls, ttl_ms: int | None) -> int | None:
        if ttl_ms is not None and ttl_ms < 0:
            raise ValueError("ttl_ms must be non-negative")
        return ttl_ms


def define_reference(
    name: str,
    schema: Any,
    ttl_ms: int | None = None,
    glimpse: Callable[[Any], Any] | None = None,
) -> ReferenceSpec:
    """Define a reference kind.

    Example:
        >>> spec = define_reference("ProductSet", {"ids": list[str]}, ttl_ms=3_600_000)
        >>> spec.model_dump(by_alias=True)["ttlMs"]
        3600000

    Args:
        name: the reference kind.
        schema: the schema stored values must satisfy (see `normalize_schema`).
        ttl_ms: lifetime of stored values in milliseconds; `None` keeps them
            for the runtime's lifetime.
        glimpse: `fn(value) -> summary` called once per create with the original
            Python value; its result (converted to JSON) is the glimpse.

    Raises:
        pydantic.ValidationError: a negative `ttl_ms`.
        TypeError: a schema Pydantic cannot describe.
    """
    return ReferenceSpec(name=name, schema=schema, ttl_ms=ttl_ms, glimpse=glimpse)
