"""The runtime spec model and its parts (python-api §6.1-§6.3)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer, model_validator

from ._config import SpecModel, empty_dict, empty_list
from .agents import AgentSpec
from .approvals import ApprovalOverrides, ApprovalPolicies
from .plans import PlanSpec
from .references import ReferenceSpec
from .tenant import TenantIdentity
from .tools import ToolSpec

__all__ = ["RuntimeSpec", "StorageFactories", "StorageFactorySpec", "ToolkitSpec"]


class ToolkitSpec(SpecModel):
    """A built-in toolkit declared once per runtime; `config` may narrow its tools."""

    id: str = Field(min_length=1)
    config: Any | None = None


class StorageFactorySpec(SpecModel):
    """Metadata naming a storage backend (carried in the spec, not used to build stores)."""

    kind: str
    config: Any | None = None


class StorageFactories(SpecModel):
    """Storage metadata per store; `None` keeps the in-memory default."""

    kv: StorageFactorySpec | None = None
    plans: StorageFactorySpec | None = None
    memory: StorageFactorySpec | None = None


def unknown_override_agents(overrides: ApprovalOverrides, agent_names: set[str]) -> list[str]:
    """The agent names `overrides` mentions that are not registered, sorted."""
    return sorted((set(overrides.agents) | set(overrides.tools)) - agent_names)


class RuntimeSpec(SpecModel):
    """Everything the native runtime is built from; `tool_bindings` is Python-only."""

    tenant: TenantIdentity
    agents: list[AgentSpec] = Field(default_factory=empty_list)
    references: list[ReferenceSpec] = Field(default_factory=empty_list)
    plans: list[PlanSpec] = Field(default_factory=empty_list)
    toolkits: list[ToolkitSpec] = Field(default_factory=empty_list)
    # Function factories, not the classes themselves: see `_config.empty_list`.
    approval_policies: ApprovalPolicies = Field(default_factory=lambda: ApprovalPolicies())
    approval_overrides: ApprovalOverrides = Field(default_factory=lambda: ApprovalOverrides())
    storage_factories: StorageFactories = Field(default_factory=lambda: StorageFactories())
    providers: dict[str, Any] = Field(default_factory=empty_dict)
    tool_bindings: tuple[ToolSpec, ...] = Field(default=(), exclude=True)

    @model_validator(mode="after")
    def _check_agents(self) -> RuntimeSpec:
        names: set[str] = set()
        for agent in self.agents:
            if agent.name in names:
                raise ValueError(f"duplicate agent name '{agent.name}'")
            names.add(agent.name)
        if sum(agent.role == "coordinator" for agent in self.agents) > 1:
            raise ValueError("multiple coordinator agents are not supported")
        for agent in self.agents:
            seen: set[str] = set()
            for route in agent.routes:
                if route == agent.name:
                    raise ValueError(f"agent '{agent.name}' cannot route to itself")
                if route in seen:
                    raise ValueError(f"agent '{agent.name}' declares duplicate route '{route}'")
                if route not in names:
                    raise ValueError(
                        f"agent '{agent.name}' declares unknown route target '{route}'"
                    )
                seen.add(route)
        unknown = unknown_override_agents(self.approval_overrides, names)
        if unknown:
            raise ValueError(f"approval_overrides references unknown agent(s): {unknown!r}")
        return self

    @model_serializer(mode="wrap")
    def _omit_empty_overrides(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if not self.approval_overrides.agents and not self.approval_overrides.tools:
            data.pop("approvalOverrides", None)
            data.pop("approval_overrides", None)
        return data
