"""Agents and the models they run on (python-api §4)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal, TypeAlias

from pydantic import (
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from ._config import SpecModel, empty_dict, empty_list
from .approvals import ApprovalPolicyPatch, normalize_approval_rule
from .plans import PlanSpec
from .prompts import LayeredPrompt
from .tools import ToolSpec

__all__ = [
    "AgentSpec",
    "ModelSpec",
    "define_coordinator",
    "define_executor",
    "define_planner",
    "define_specialist",
]

Role: TypeAlias = Literal["coordinator", "planner", "executor", "specialist"]
ROLE_STATEFUL: dict[str, bool] = {
    "coordinator": True,
    "planner": True,
    "executor": False,
    "specialist": False,
}


class ModelSpec(SpecModel):
    """The model an agent runs on; a bare string is coerced to `ModelSpec(id=...)`."""

    id: str
    provider: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, data: Any) -> Any:
        return {"id": data} if isinstance(data, str) else data


ModelInput: TypeAlias = str | ModelSpec | Mapping[str, Any]


class AgentSpec(SpecModel):
    """One agent of a runtime. `plan`, `tools` and the approval fields are Python-only."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    name: str = Field(min_length=1)
    role: Role
    stateful: bool
    model: ModelSpec
    system_prompt: str
    routes: list[str] = Field(default_factory=empty_list)
    toolkits: list[str] = Field(default_factory=empty_list)
    max_turns: int | None = Field(default=None, ge=1)
    plan: PlanSpec | None = Field(default=None, exclude=True)
    tools: tuple[ToolSpec, ...] = Field(default=(), exclude=True)
    approval_policies: ApprovalPolicyPatch | None = Field(default=None, exclude=True)
    tool_approval_policies: dict[str, dict[str, Any]] = Field(
        default_factory=empty_dict, exclude=True
    )
    prompt_cache_key: str | None = Field(default=None, exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _default_stateful(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and data.get("stateful") is None:
            role = data.get("role")
            if isinstance(role, str) and role in ROLE_STATEFUL:
                return {**data, "stateful": ROLE_STATEFUL[role]}
        return data

    @model_validator(mode="after")
    def _coordinator_routes(self) -> AgentSpec:
        if self.role == "coordinator" and not self.routes:
            raise ValueError("coordinator agents require at least one route")
        return self

    @model_serializer(mode="wrap")
    def _omit_unset_max_turns(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if self.max_turns is None:
            data.pop("maxTurns", None)
            data.pop("max_turns", None)
        return data


def _build_agent(
    role: Role,
    name: str,
    *,
    model: ModelInput,
    prompt: str | LayeredPrompt,
    routes: Iterable[str] | None = None,
    plan: PlanSpec | Mapping[str, Any] | None = None,
    tools: Iterable[ToolSpec],
    stateful: bool | None,
    max_turns: int | None,
    approval: ApprovalPolicyPatch | Mapping[str, Any] | None,
    tool_approvals: Mapping[str, Any] | None,
    toolkits: Iterable[str] | None,
) -> AgentSpec:
    """The processing shared by the role helpers, in the order that decides which error wins."""
    extra: dict[str, Any] = {}
    if role == "coordinator":
        extra["routes"] = list(routes or ())
        if not extra["routes"]:
            raise ValueError("define_coordinator requires at least one route")
    if isinstance(prompt, LayeredPrompt):
        system_prompt, cache_key = prompt.text, prompt.cache_key
    elif isinstance(prompt, str):
        system_prompt, cache_key = prompt, None
    else:
        raise TypeError("prompt must be a string or LayeredPrompt")
    if role in ("planner", "executor"):
        extra["plan"] = plan if isinstance(plan, PlanSpec) else PlanSpec.model_validate(plan)
    if role == "specialist":
        toolkit_ids = list(toolkits or [])
    else:
        toolkit_ids = list(dict.fromkeys(toolkits or ()))
    return AgentSpec.model_validate(
        {
            "name": name,
            "role": role,
            "stateful": ROLE_STATEFUL[role] if stateful is None else stateful,
            "model": model,
            "system_prompt": system_prompt,
            "toolkits": toolkit_ids,
            "max_turns": max_turns,
            "tools": tuple(tools or ()),
            "approval_policies": _approval_patch(approval),
            "tool_approval_policies": _tool_approvals(tool_approvals),
            "prompt_cache_key": cache_key,
            **extra,
        }
    )


def _approval_patch(approval: ApprovalPolicyPatch | Mapping[str, Any] | None) -> Any:
    if approval is None or isinstance(approval, ApprovalPolicyPatch):
        return approval
    if isinstance(approval, Mapping):
        approval = {channel: rule for channel, rule in approval.items() if rule != "default"}
    return ApprovalPolicyPatch.model_validate(approval)


def _tool_approvals(tool_approvals: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    rules: dict[str, dict[str, Any]] = {}
    for tool, rule in (tool_approvals or {}).items():
        if not isinstance(tool, str) or not tool:
            raise ValueError("tool_approvals keys must be non-empty tool names")
        rules[tool] = normalize_approval_rule(rule)
    return rules


def define_coordinator(
    name: str,
    *,
    model: ModelInput,
    prompt: str | LayeredPrompt,
    routes: Iterable[str] = (),
    tools: Iterable[ToolSpec] = (),
    stateful: bool | None = None,
    max_turns: int | None = None,
    approval: ApprovalPolicyPatch | Mapping[str, Any] | None = None,
    tool_approvals: Mapping[str, Any] | None = None,
    toolkits: Iterable[str] | None = None,
) -> AgentSpec:
    """Define the coordinator: the entry agent of `query`, which calls other agents.

    Example:
        >>> coordinator = define_coordinator(
        ...     "coordinator", model="claude-sonnet-4-6",
        ...     prompt="Route requests.", routes=["planner", "executor"])
        >>> coordinator.stateful, coordinator.routes
        (True, ['planner', 'executor'])

    Args:
        name: the agent name.
        model: a model id, `ModelSpec` or `{"id", "provider"}` mapping.
        prompt: the system prompt (text or `layered_prompt(...)`).
        routes: the agents it may call through `call_agent` (at least one).
        tools: Python tools (`define_tool`) the agent may call.
        stateful: keep conversation history per thread; `None` takes the role
            default (True).
        max_turns: upper bound on model turns per invocation (at least 1).
        approval: a patch of the runtime approval floor, e.g.
            `{"plans": "never", "tools": "default"}` (`"default"` inherits).
        tool_approvals: per-tool rules, e.g. `{"execute_query": "always"}`.
        toolkits: built-in toolkit ids to attach (`agents`, `plans`,
            `references`, `catalog`); `define_runtime` declares them.

    Raises:
        TypeError: a missing `model`/`prompt`, or a prompt that is neither
            text nor a `LayeredPrompt`.
        ValueError: a coordinator without routes, an empty `tool_approvals` key,
            or an invalid approval rule.
        pydantic.ValidationError: an invalid field (e.g. `max_turns=0`).
    """
    return _build_agent(
        "coordinator",
        name,
        model=model,
        prompt=prompt,
        routes=routes,
        tools=tools,
        stateful=stateful,
        max_turns=max_turns,
        approval=approval,
        tool_approvals=tool_approvals,
        toolkits=toolkits,
    )


def define_planner(
    name: str,
    *,
    model: ModelInput,
    prompt: str | LayeredPrompt,
    plan: PlanSpec | Mapping[str, Any],
    tools: Iterable[ToolSpec] = (),
    stateful: bool | None = None,
    max_turns: int | None = None,
    approval: ApprovalPolicyPatch | Mapping[str, Any] | None = None,
    tool_approvals: Mapping[str, Any] | None = None,
    toolkits: Iterable[str] | None = None,
) -> AgentSpec:
    """Define a planner: it drafts plans with `storePlan` and reads them with `getPlan`.

    Example:
        >>> planner = define_planner(
        ...     "scenario_planner", model="claude-sonnet-4-6", prompt="Plan.",
        ...     plan=define_plan("scenario", {"steps": list[str]}))
        >>> planner.stateful, planner.plan.name
        (True, 'scenario')

    Args:
        name: the agent name.
        model: a model id, `ModelSpec` or `{"id", "provider"}` mapping.
        prompt: the system prompt (text or `layered_prompt(...)`).
        plan: the plan spec it drafts; `define_runtime` registers it.
        tools: Python tools (`define_tool`) the agent may call.
        stateful: keep conversation history per thread; `None` takes the role
            default (True).
        max_turns: upper bound on model turns per invocation (at least 1).
        approval: a patch of the runtime approval floor, e.g.
            `{"plans": "never", "tools": "default"}` (`"default"` inherits).
        tool_approvals: per-tool rules, e.g. `{"execute_query": "always"}`.
        toolkits: built-in toolkit ids to attach (`agents`, `plans`,
            `references`, `catalog`); `define_runtime` declares them.

    Raises:
        TypeError: a missing `model`/`prompt`/`plan`, or a prompt that is neither
            text nor a `LayeredPrompt`.
        ValueError: an empty `tool_approvals` key or an invalid approval rule.
        pydantic.ValidationError: an invalid field (e.g. `max_turns=0`).
    """
    return _build_agent(
        "planner",
        name,
        model=model,
        prompt=prompt,
        plan=plan,
        tools=tools,
        stateful=stateful,
        max_turns=max_turns,
        approval=approval,
        tool_approvals=tool_approvals,
        toolkits=toolkits,
    )


def define_executor(
    name: str,
    *,
    model: ModelInput,
    prompt: str | LayeredPrompt,
    plan: PlanSpec | Mapping[str, Any],
    tools: Iterable[ToolSpec] = (),
    stateful: bool | None = None,
    max_turns: int | None = None,
    approval: ApprovalPolicyPatch | Mapping[str, Any] | None = None,
    tool_approvals: Mapping[str, Any] | None = None,
    toolkits: Iterable[str] | None = None,
) -> AgentSpec:
    """Define an executor: it runs stored plans with `executePlan` and resolves references.

    Example:
        >>> executor = define_executor(
        ...     "scenario_executor", model="claude-sonnet-4-6", prompt="Execute.",
        ...     plan=define_plan("scenario", {"steps": list[str]}))
        >>> executor.stateful
        False

    Args:
        name: the agent name.
        model: a model id, `ModelSpec` or `{"id", "provider"}` mapping.
        prompt: the system prompt (text or `layered_prompt(...)`).
        plan: the plan spec it executes; `define_runtime` registers it.
        tools: Python tools (`define_tool`) the agent may call.
        stateful: keep conversation history per thread; `None` takes the role
            default (False).
        max_turns: upper bound on model turns per invocation (at least 1).
        approval: a patch of the runtime approval floor, e.g.
            `{"plans": "never", "tools": "default"}` (`"default"` inherits).
        tool_approvals: per-tool rules, e.g. `{"execute_query": "always"}`.
        toolkits: built-in toolkit ids to attach (`agents`, `plans`,
            `references`, `catalog`); `define_runtime` declares them.

    Raises:
        TypeError: a missing `model`/`prompt`/`plan`, or a prompt that is neither
            text nor a `LayeredPrompt`.
        ValueError: an empty `tool_approvals` key or an invalid approval rule.
        pydantic.ValidationError: an invalid field (e.g. `max_turns=0`).
    """
    return _build_agent(
        "executor",
        name,
        model=model,
        prompt=prompt,
        plan=plan,
        tools=tools,
        stateful=stateful,
        max_turns=max_turns,
        approval=approval,
        tool_approvals=tool_approvals,
        toolkits=toolkits,
    )


def define_specialist(
    name: str,
    *,
    model: ModelInput,
    prompt: str | LayeredPrompt,
    tools: Iterable[ToolSpec] = (),
    stateful: bool | None = None,
    max_turns: int | None = None,
    approval: ApprovalPolicyPatch | Mapping[str, Any] | None = None,
    tool_approvals: Mapping[str, Any] | None = None,
    toolkits: Iterable[str] | None = None,
) -> AgentSpec:
    """Define a specialist: a tool-using agent run directly or routed to by the coordinator.

    Example:
        >>> reader = define_specialist(
        ...     "catalog_reader", model="claude-sonnet-4-6", prompt="Answer from the catalog.",
        ...     toolkits=["catalog"])
        >>> reader.role, reader.toolkits
        ('specialist', ['catalog'])

    Args:
        name: the agent name.
        model: a model id, `ModelSpec` or `{"id", "provider"}` mapping.
        prompt: the system prompt (text or `layered_prompt(...)`).
        tools: Python tools (`define_tool`) the agent may call.
        stateful: keep conversation history per thread; `None` takes the role
            default (False).
        max_turns: upper bound on model turns per invocation (at least 1).
        approval: a patch of the runtime approval floor, e.g.
            `{"plans": "never", "tools": "default"}` (`"default"` inherits).
        tool_approvals: per-tool rules, e.g. `{"execute_query": "always"}`.
        toolkits: built-in toolkit ids to attach (`agents`, `plans`,
            `references`, `catalog`); `define_runtime` declares them.

    Raises:
        TypeError: a missing `model`/`prompt`, or a prompt that is neither
            text nor a `LayeredPrompt`.
        ValueError: an empty `tool_approvals` key or an invalid approval rule.
        pydantic.ValidationError: an invalid field (e.g. `max_turns=0`).
    """
    return _build_agent(
        "specialist",
        name,
        model=model,
        prompt=prompt,
        tools=tools,
        stateful=stateful,
        max_turns=max_turns,
        approval=approval,
        tool_approvals=tool_approvals,
        toolkits=toolkits,
    )
