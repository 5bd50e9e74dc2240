"""Python tools: specs, approval policies and handler binding (python-api §9)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ConfigDict, Field, field_validator, model_validator

from ._config import SpecModel
from .schema import normalize_schema

__all__ = ["ToolSpec", "define_tool"]

_APPROVAL_SHAPE = "approval must be 'never', 'always', or a callable dynamic policy"


def _normalize_tool_approval(approval: Any) -> dict[str, Any]:
    if isinstance(approval, str):
        if approval in ("never", "always"):
            return {"kind": approval}
        raise ValueError(_APPROVAL_SHAPE)
    if isinstance(approval, Mapping):
        kind = approval.get("kind")
        if isinstance(kind, str) and kind in ("never", "always"):
            return {"kind": kind}
        if kind == "dynamic":
            value = approval.get("value")
            if not isinstance(value, str) or not value:
                raise ValueError("approval dynamic value must be a non-empty binding id")
            return {"kind": "dynamic", "value": value}
    raise ValueError(_APPROVAL_SHAPE)


def _pop_either(data: dict[str, Any], name: str, alias: str) -> Any:
    snake, camel = data.pop(name, None), data.pop(alias, None)
    return snake if snake is not None else camel


class ToolSpec(SpecModel):
    """A Python tool; calling it (or `bind`) with a function attaches the handler."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    name: str
    description: str = ""
    input_schema: dict[str, Any]
    approval: dict[str, Any] = Field(default_factory=lambda: {"kind": "never"})
    output_schema: dict[str, Any] | None = None
    binding_id: str | None = None
    handler: Callable[..., Any] | None = Field(default=None, exclude=True)
    approval_handler: Callable[..., bool] | None = Field(default=None, exclude=True)
    # Host-side only (not part of the wire spec): see `define_tool(idempotent=...)`.
    idempotent: bool = Field(default=False, exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _normalize_approval(cls, data: Any) -> Any:
        if not isinstance(data, Mapping) or "approval" not in data:
            return data
        data = dict(data)
        approval = data["approval"]
        if isinstance(approval, (str, Mapping)) or not callable(approval):
            data["approval"] = _normalize_tool_approval(approval)
            return data
        name = data.get("name")
        if not isinstance(name, str) or not name:
            raise ValueError("approval callable requires a non-empty tool name")
        binding_id = data.get("binding_id", data.get("bindingId"))
        value = binding_id if binding_id is not None else f"{name}_approval"
        data["approval"] = {"kind": "dynamic", "value": value}
        explicit = _pop_either(data, "approval_handler", "approvalHandler")
        data["approval_handler"] = explicit if explicit is not None else approval
        return data

    @field_validator("input_schema", mode="before")
    @classmethod
    def _normalize_input_schema(cls, schema: Any) -> dict[str, Any]:
        return normalize_schema(schema)

    @field_validator("output_schema", mode="before")
    @classmethod
    def _normalize_output_schema(cls, schema: Any) -> dict[str, Any] | None:
        return None if schema is None else normalize_schema(schema)

    def bind(self, handler: Callable[..., Any]) -> ToolSpec:
        """Return a copy of this spec whose `handler` is `handler`."""
        return self.model_copy(update={"handler": handler})

    def __call__(self, handler: Callable[..., Any]) -> ToolSpec:
        """Decorator form of `bind`: `@define_tool(...)` turns a function into a `ToolSpec`."""
        return self.bind(handler)


def define_tool(
    name: str,
    input_schema: Any,
    description: str = "",
    approval: str | Mapping[str, Any] | Callable[..., bool] = "never",
    output_schema: Any | None = None,
    binding_id: str | None = None,
    idempotent: bool = False,
) -> ToolSpec:
    """Define a Python tool; use the result directly or as a decorator.

    Example:
        >>> @define_tool("echo", {"value": str}, description="Echo the value.")
        ... def echo(args, ctx):
        ...     return {"value": args["value"]}
        >>> echo.name, echo.approval, echo.handler is not None
        ('echo', {'kind': 'never'}, True)

    Args:
        name: the tool name the model calls.
        input_schema: a type map, JSON Schema, Pydantic model or type (see
            `normalize_schema`).
        description: the description shown to the model and in prompts.
        approval: `"never"`, `"always"`, a `{"kind": ...}` rule, or a predicate
            `fn(args, ctx) -> bool` registered under `binding_id` or
            `"<name>_approval"`.
        output_schema: optional schema of the result, normalised like `input_schema`.
        binding_id: the key the handler is registered under (defaults to `name`).
        idempotent: running the tool twice with the same arguments has the effect of
            running it once. On durable storage, a call interrupted by a dying process
            then simply runs again when the run resumes; any other tool's interrupted
            call surfaces as in doubt (`data-tool-in-doubt` and a tool approval).

    Raises:
        pydantic.ValidationError: an invalid approval or schema shape.
        TypeError: a schema Pydantic cannot describe.
    """
    return ToolSpec.model_validate(
        {
            "name": name,
            "description": description,
            "input_schema": input_schema,
            "approval": approval,
            "output_schema": output_schema,
            "binding_id": binding_id,
            "idempotent": idempotent,
        }
    )


def binding_key(tool: ToolSpec) -> str:
    """The key a tool's handler is registered under: its `binding_id`, else its name."""
    return tool.binding_id or tool.name
