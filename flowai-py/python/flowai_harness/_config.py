"""Shared Pydantic configuration of every public spec model (python-api §1.1)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

SPEC_CONFIG = ConfigDict(
    alias_generator=to_camel,
    populate_by_name=True,
    frozen=True,
    extra="forbid",
    # Core schemas are built on first use: importing the package stays cheap, and models a
    # program never touches (data-environment descriptors, ...) cost nothing.
    defer_build=True,
)


class SpecModel(BaseModel):
    """Base of the spec models: camelCase wire aliases, frozen, unknown keys rejected."""

    model_config = SPEC_CONFIG


class SensitiveSpecModel(SpecModel):
    """A spec model whose validation errors never echo the input (it may hold secrets)."""

    model_config = ConfigDict(hide_input_in_errors=True)


# Default factories are plain Python functions, never the builtins `list`/`dict` or a model
# class: Pydantic takes the signature of every default factory when it builds a schema, and
# `inspect.signature` of a builtin parses its text signature with `tokenize`, whose large
# regex is compiled on first use. That alone was ~5 ms of every cold start.


def empty_list() -> list[Any]:
    """A new empty list (a `default_factory`)."""
    return []


def empty_dict() -> dict[str, Any]:
    """A new empty dict (a `default_factory`)."""
    return {}
