"""Approval rules: the runtime floor, agent patches and per-agent overrides (python-api §5)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, SerializerFunctionWrapHandler, field_validator, model_serializer

from ._config import SpecModel, empty_dict

__all__ = [
    "ApprovalOverrides",
    "ApprovalPolicies",
    "ApprovalPolicyPatch",
    "normalize_approval_rule",
]

_STATIC_KINDS = ("never", "always")
_RULE_SHAPE = "approval rule must be 'never', 'always', or {'kind': 'dynamic'}"


def normalize_approval_rule(rule: Any) -> dict[str, Any]:
    """Normalise `"never"`, `"always"` or a `{"kind": ...}` mapping into a rule dict."""
    if rule is None:
        raise ValueError("approval rule must not be null")
    if isinstance(rule, str):
        if rule in _STATIC_KINDS:
            return {"kind": rule}
        raise ValueError(_RULE_SHAPE)
    if isinstance(rule, Mapping):
        kind = rule.get("kind")
        if isinstance(kind, str) and kind in _STATIC_KINDS:
            return {"kind": kind}
        if kind == "dynamic":
            value = rule.get("value")
            if not isinstance(value, str) or not value:
                raise ValueError("dynamic approval rule requires a non-empty value")
            return {"kind": "dynamic", "value": value}
    raise ValueError(_RULE_SHAPE)


class ApprovalPolicies(SpecModel):
    """The runtime-wide approval floor; wire `{"plans": rule, "tools": rule}`."""

    plans: dict[str, Any] = Field(default_factory=lambda: {"kind": "always"})
    tools: dict[str, Any] = Field(default_factory=lambda: {"kind": "never"})

    @field_validator("plans", "tools", mode="before")
    @classmethod
    def _normalize(cls, rule: Any) -> dict[str, Any]:
        return normalize_approval_rule(rule)


class ApprovalPolicyPatch(SpecModel):
    """An agent-level patch of the floor; channels left `None` inherit it."""

    plans: dict[str, Any] | None = None
    tools: dict[str, Any] | None = None

    @field_validator("plans", "tools", mode="before")
    @classmethod
    def _normalize(cls, rule: Any) -> dict[str, Any] | None:
        return None if rule is None else normalize_approval_rule(rule)

    @model_serializer(mode="wrap")
    def _drop_unset_channels(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        return {key: value for key, value in data.items() if value is not None}


def _non_empty_str(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


class ApprovalOverrides(SpecModel):
    """Per-agent channel patches and per-agent, per-tool rules."""

    agents: dict[str, ApprovalPolicyPatch] = Field(default_factory=empty_dict)
    tools: dict[str, dict[str, dict[str, Any]]] = Field(default_factory=empty_dict)

    @field_validator("tools", mode="before")
    @classmethod
    def _normalize_tools(cls, value: Any) -> dict[str, dict[str, dict[str, Any]]]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise TypeError("approval override tools must be a mapping")
        normalized: dict[str, dict[str, dict[str, Any]]] = {}
        for agent, entries in value.items():
            if not _non_empty_str(agent):
                raise ValueError("approval override agent names must be non-empty strings")
            if not isinstance(entries, Mapping):
                raise TypeError("approval override tool entries must be mappings")
            rules: dict[str, dict[str, Any]] = {}
            for tool, rule in entries.items():
                if not _non_empty_str(tool):
                    raise ValueError("approval override tool names must be non-empty strings")
                rules[tool] = normalize_approval_rule(rule)
            normalized[agent] = rules
        return normalized
