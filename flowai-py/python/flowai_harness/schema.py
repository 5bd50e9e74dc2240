"""Turn type maps, Pydantic models and type hints into JSON Schema (python-api §12)."""

from __future__ import annotations

import copy
import types
from collections.abc import Mapping
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

__all__ = ["normalize_schema"]

_JSON_SCHEMA_KEYS = ("$schema", "properties", "$ref", "type")
_SCALARS: dict[Any, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}
_DEFS_PREFIX = "#/$defs/"


def normalize_schema(schema: Any) -> dict[str, Any]:
    """Return a JSON Schema for `schema`.

    Accepts a JSON Schema dict, a type map such as `{"query": str, "limit": int}`
    (every key required), a Pydantic model class, or any type Pydantic can
    describe. `$defs` references are inlined unless they are recursive.

    Example:
        >>> normalize_schema({"query": str, "limit": int | None})["properties"]["limit"]
        {'anyOf': [{'type': 'integer'}, {'type': 'null'}]}

    Args:
        schema: the schema source.

    Raises:
        ValueError: a JSON Schema with a malformed `type` or `properties`.
        TypeError: a type-map key that is not a string, or an input Pydantic
            cannot describe.
    """
    if isinstance(schema, Mapping):
        if any(key in schema for key in _JSON_SCHEMA_KEYS):
            return _json_schema(schema)
        return _type_map(schema)
    if isinstance(schema, type) and issubclass(schema, BaseModel):
        return _inline_refs(schema.model_json_schema())
    from pydantic.type_adapter import TypeAdapter  # only here: the import costs cold start

    try:
        generated = TypeAdapter(schema).json_schema()
    except Exception as exc:
        raise TypeError(f"unsupported schema input: {schema!r}") from exc
    return _inline_refs(generated)


def _json_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    result = copy.deepcopy(dict(schema))
    if "type" in result:
        kind = result["type"]
        if not isinstance(kind, str) and not (
            isinstance(kind, list) and all(isinstance(item, str) for item in kind)
        ):
            raise ValueError("schema.type must be a string or list of strings")
    if "properties" in result and not isinstance(result["properties"], dict):
        raise ValueError("schema.properties must be an object")
    return _inline_refs(result)


def _type_map(fields: Mapping[Any, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for key, hint in fields.items():
        if not isinstance(key, str):
            raise TypeError("schema type-map keys must be strings")
        properties[key] = _hint_schema(hint)
    result: dict[str, Any] = {"type": "object", "properties": properties}
    if properties:
        result["required"] = list(properties)
    return result


def _hint_schema(hint: Any) -> dict[str, Any]:
    if isinstance(hint, Mapping):
        return normalize_schema(hint)
    if isinstance(hint, type) and hint in _SCALARS:
        return {"type": _SCALARS[hint]}
    origin = get_origin(hint)
    if hint is dict or origin is dict:
        return {"type": "object"}
    if hint is list:
        return {"type": "array", "items": {}}
    if origin is list:
        args = get_args(hint)
        return {"type": "array", "items": _hint_schema(args[0]) if args else {}}
    if origin is Union or origin is types.UnionType:
        args = get_args(hint)
        if type(None) in args:
            variants = [_hint_schema(arg) for arg in args if arg is not type(None)]
            return {"anyOf": [*variants, {"type": "null"}]}
    from pydantic.type_adapter import TypeAdapter

    try:
        return _inline_refs(TypeAdapter(hint).json_schema())
    except Exception:
        return {"type": "object"}


def _inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """Replace `#/$defs/...` references by their definitions, keeping recursive ones."""
    defs = schema.get("$defs")
    if not isinstance(defs, dict):
        return schema
    body = {key: value for key, value in schema.items() if key != "$defs"}
    recursive = False

    def expand(node: Any, stack: tuple[str, ...]) -> Any:
        nonlocal recursive
        if isinstance(node, list):
            return [expand(item, stack) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_DEFS_PREFIX):
            name = ref[len(_DEFS_PREFIX) :]
            if name in defs:
                if name in stack:
                    recursive = True
                    return dict(node)
                siblings = {k: expand(v, stack) for k, v in node.items() if k != "$ref"}
                return {**expand(defs[name], (*stack, name)), **siblings}
        return {key: expand(value, stack) for key, value in node.items()}

    result: dict[str, Any] = expand(body, ())
    if recursive:
        result["$defs"] = copy.deepcopy(defs)
    return result
