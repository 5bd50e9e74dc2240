"""Runtime specs and runtime construction (python-api §6)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from pydantic_core import ValidationError

from ._data_environment import DataEnvironmentConfig, normalize_data_environment
from ._native import call_native
from ._spec import (
    RuntimeSpec,
    StorageFactories,
    StorageFactorySpec,
    ToolkitSpec,
    unknown_override_agents,
)
from ._tool_rows import merge_agent_prompt
from .agents import AgentSpec, ModelSpec
from .approvals import ApprovalOverrides, ApprovalPolicies, ApprovalPolicyPatch
from .plans import PlanSpec
from .references import ReferenceSpec
from .tenant import TenantIdentity
from .tools import ToolSpec, binding_key

if TYPE_CHECKING:
    from ._internal import PyRuntime

__all__ = [
    "AgentSpec",
    "ApprovalOverrides",
    "ApprovalPolicies",
    "ApprovalPolicyPatch",
    "DataEnvironmentConfig",
    "ModelSpec",
    "RuntimeSpec",
    "StorageFactories",
    "StorageFactorySpec",
    "TestingConfig",
    "ToolkitSpec",
    "create_runtime",
    "define_runtime",
    "normalize_data_environment",
]

_RESERVED_SERVICE_KEYS = frozenset({"tool_use_id", "services", "references"})


class TestingConfig(TypedDict):
    """`create_runtime(testing=...)`: every model turn answers with `mock_response`."""

    mock_response: str


def _approval_policies_error(message: str, value: Any) -> ValidationError:
    return ValidationError.from_exception_data(
        "RuntimeSpec",
        [
            {
                "type": "value_error",
                "loc": ("approval_policies",),
                "input": value,
                "ctx": {"error": message},
            }
        ],
    )


def _approval_floor(
    agents: Sequence[AgentSpec], explicit: ApprovalPolicies | Mapping[str, Any] | None
) -> tuple[ApprovalPolicies, AgentSpec | None]:
    """Step 2: the runtime floor, and the coordinator whose patch was promoted to it."""
    if explicit is not None:
        if isinstance(explicit, ApprovalPolicies):
            return explicit, None
        return ApprovalPolicies.model_validate(explicit), None
    patched = [a for a in agents if a.role == "coordinator" and a.approval_policies is not None]
    if len(patched) > 1:
        raise _approval_policies_error(
            "only one coordinator can provide approval_policies; pass approval_policies explicitly",
            [agent.name for agent in patched],
        )
    if not patched:
        return ApprovalPolicies(), None
    patch = patched[0].approval_policies
    assert patch is not None
    channels = {"plans": patch.plans, "tools": patch.tools}
    floor = ApprovalPolicies(**{key: rule for key, rule in channels.items() if rule is not None})
    return floor, patched[0]


def _approval_overrides(
    agents: Sequence[AgentSpec],
    explicit: ApprovalOverrides | Mapping[str, Any] | None,
    promoted: AgentSpec | None,
) -> ApprovalOverrides:
    """Step 3: per-agent patches and per-tool rules, unless given explicitly."""
    if isinstance(explicit, ApprovalOverrides):
        overrides = explicit
    elif explicit is not None:
        overrides = ApprovalOverrides.model_validate(explicit)
    else:
        patches: dict[str, ApprovalPolicyPatch] = {}
        rules: dict[str, dict[str, Any]] = {}
        for agent in agents:
            if agent.approval_policies is not None and agent is not promoted:
                patches[agent.name] = agent.approval_policies
            tool_rules: dict[str, Any] = {binding_key(t): t.approval for t in agent.tools}
            tool_rules.update(agent.tool_approval_policies)
            if tool_rules:
                rules[agent.name] = tool_rules
        overrides = ApprovalOverrides(agents=patches, tools=rules)
    unknown = unknown_override_agents(overrides, {agent.name for agent in agents})
    if unknown:
        raise _approval_policies_error(
            f"approval_overrides references unknown agent(s): {unknown!r}", unknown
        )
    return overrides


def _toolkits_with_agent_ids(
    agents: Sequence[AgentSpec], toolkits: Sequence[ToolkitSpec | Mapping[str, Any]] | None
) -> list[ToolkitSpec]:
    """Step 4: declared toolkits, then every id an agent selects that is not declared yet."""
    declared = [
        t if isinstance(t, ToolkitSpec) else ToolkitSpec.model_validate(t) for t in toolkits or ()
    ]
    ids = {toolkit.id for toolkit in declared}
    for agent in agents:
        for toolkit_id in agent.toolkits:
            if toolkit_id not in ids:
                ids.add(toolkit_id)
                declared.append(ToolkitSpec(id=toolkit_id))
    return declared


def _plans_with_agent_plans(
    agents: Sequence[AgentSpec], plans: Sequence[PlanSpec | Mapping[str, Any]] | None
) -> list[PlanSpec]:
    """Step 6: declared plans, then each agent's plan whose name is not declared yet."""
    result = [p if isinstance(p, PlanSpec) else PlanSpec.model_validate(p) for p in plans or ()]
    names = {plan.name for plan in result}
    for agent in agents:
        if agent.plan is not None and agent.plan.name not in names:
            names.add(agent.plan.name)
            result.append(agent.plan)
    return result


def _unique_tools(tools: Sequence[ToolSpec], agents: Sequence[AgentSpec]) -> list[ToolSpec]:
    """`tools`, then every agent tool whose binding key is not present yet."""
    result = list(tools)
    keys = {binding_key(tool) for tool in result}
    for agent in agents:
        for tool in agent.tools:
            if binding_key(tool) not in keys:
                keys.add(binding_key(tool))
                result.append(tool)
    return result


def define_runtime(
    tenant: TenantIdentity | Mapping[str, Any],
    *,
    agents: list[AgentSpec | Mapping[str, Any]] | None = None,
    references: list[ReferenceSpec | Mapping[str, Any]] | None = None,
    plans: list[PlanSpec | Mapping[str, Any]] | None = None,
    toolkits: list[ToolkitSpec | Mapping[str, Any]] | None = None,
    approval_policies: ApprovalPolicies | Mapping[str, Any] | None = None,
    approval_overrides: ApprovalOverrides | Mapping[str, Any] | None = None,
    storage_factories: StorageFactories | Mapping[str, Any] | None = None,
    providers: Mapping[str, Any] | None = None,
    tool_bindings: list[ToolSpec] | None = None,
) -> RuntimeSpec:
    """Assemble a `RuntimeSpec` from agents, collecting what they imply.

    A coordinator's `approval` becomes the runtime floor unless
    `approval_policies` is given; other agents' `approval`, tool approvals,
    toolkits, plans and tools are collected into the spec, and every agent's
    prompt gets a `# Tools` table of the tools it can call.

    Example:
        >>> spec = define_runtime(
        ...     define_tenant("acme", "v1"),
        ...     agents=[define_specialist("reader", model="claude-sonnet-4-6", prompt="Read.")],
        ...     providers={"anthropic": {"apiKeyEnv": "ANTHROPIC_API_KEY"}})
        >>> spec.model_dump(by_alias=True, mode="json")["tenant"]
        {'resourceId': 'acme', 'version': 'v1'}

    Args:
        tenant: the tenant identity (`define_tenant(...)` or a mapping).
        agents: the agents (`define_coordinator`, `define_planner`, ...).
        references: reference kinds (`define_reference`).
        plans: plan specs beyond the ones the agents carry.
        toolkits: toolkit declarations, e.g. with a `config`; ids the agents
            select are declared automatically.
        approval_policies: the runtime approval floor.
        approval_overrides: per-agent overrides; built from the agents when omitted.
        storage_factories: storage metadata.
        providers: model provider settings, e.g.
            `{"anthropic": {"apiKeyEnv": "ANTHROPIC_API_KEY"}}`.
        tool_bindings: Python tools beyond the ones attached to agents.

    Raises:
        pydantic.ValidationError: an invalid spec (duplicate agents, bad routes,
            several coordinators providing approvals, unknown override agents, ...).
        ValueError: a `plans` toolkit config outside an agent's role, or a
            toolkit the native engine rejects.
    """
    agent_specs = [
        a if isinstance(a, AgentSpec) else AgentSpec.model_validate(a) for a in agents or ()
    ]
    floor, promoted = _approval_floor(agent_specs, approval_policies)
    overrides = _approval_overrides(agent_specs, approval_overrides, promoted)
    toolkit_specs = _toolkits_with_agent_ids(agent_specs, toolkits)
    agent_specs = [merge_agent_prompt(agent, toolkit_specs) for agent in agent_specs]
    return RuntimeSpec.model_validate(
        {
            "tenant": tenant,
            "agents": agent_specs,
            "references": references or [],
            "plans": _plans_with_agent_plans(agent_specs, plans),
            "toolkits": toolkit_specs,
            "approval_policies": floor,
            "approval_overrides": overrides,
            "storage_factories": storage_factories or StorageFactories(),
            "providers": dict(providers or {}),
            "tool_bindings": tuple(_unique_tools(tool_bindings or (), agent_specs)),
        }
    )


def _normalize_services(services: Mapping[str, Any] | None) -> dict[str, Any]:
    if services is None:
        return {}
    if not isinstance(services, Mapping):
        raise TypeError("services must be a mapping from service name to Python object")
    for key in services:
        if not isinstance(key, str) or not key:
            raise TypeError("services keys must be non-empty strings")
        if key in _RESERVED_SERVICE_KEYS:
            raise ValueError(f"services key '{key}' is reserved by the runtime tool context")
    return dict(services)


def _mock_response(testing: Mapping[str, Any] | None, interpreter: str) -> str | None:
    if testing is None:
        return None
    if interpreter != "noop":
        raise ValueError(
            "create_runtime accepts either testing or a non-default interpreter, not both"
        )
    unsupported = sorted(key for key in testing if key != "mock_response")
    if unsupported:
        raise ValueError(
            f"unsupported testing config keys: {unsupported!r}; expected ['mock_response']"
        )
    if "mock_response" not in testing:
        raise ValueError("testing config requires 'mock_response'")
    response = testing["mock_response"]
    if not isinstance(response, str):
        raise TypeError("testing['mock_response'] must be a string")
    return response


def create_runtime(
    spec: RuntimeSpec | Mapping[str, Any],
    *,
    tool_bindings: list[ToolSpec] | None = None,
    services: Mapping[str, Any] | None = None,
    approval_predicates: Mapping[str, Callable[..., bool]] | None = None,
    action_dispatcher: Callable[..., Any] | None = None,
    event_hooks: list[Callable[..., Any]] | None = None,
    data_environment: DataEnvironmentConfig | Mapping[str, Any] | None = None,
    target_database_url: str | None = None,
    testing: TestingConfig | None = None,
    interpreter: Literal["noop", "scripted", "anthropic", "openai", "live", "replay"] = "noop",
    record_to: str | os.PathLike[str] | None = None,
    replay_from: str | os.PathLike[str] | None = None,
) -> PyRuntime:
    """Build the native runtime for `spec`, bound to its tenant.

    Example:
        >>> runtime = create_runtime(spec, testing={"mock_response": "Hello!"})
        >>> runtime.resource_id
        'acme'

    Args:
        spec: a `RuntimeSpec` (usually from `define_runtime`) or its wire mapping.
        tool_bindings: Python tools; defaults to the spec's own bindings. Tools
            attached to agents are always included.
        services: objects handed to tool handlers through their context
            (`ctx["name"]`); `tool_use_id`, `services`, `references` are reserved.
        approval_predicates: `{id: fn(args, ctx) -> bool}` for dynamic approval rules.
        action_dispatcher: called with the actions of executed plans.
        event_hooks: called synchronously with every event of every stream.
        data_environment: stores, catalog and target database to open.
        target_database_url: shorthand for `data_environment["target_database_url"]`.
        testing: `{"mock_response": text}` to answer every model turn with `text`.
        interpreter: `"noop"` (default), `"scripted"` (the prompt is a JSON tool
            script), `"anthropic"` (every agent on the Anthropic Messages API,
            `providers["anthropic"]`: `apiKey` or `apiKeyEnv`, optional `baseUrl`),
            `"openai"` (every agent on an OpenAI-compatible Chat Completions server,
            `providers["openai-compatible"]`: `baseUrl`, `apiKey` or `apiKeyEnv`),
            `"live"` (each agent on the provider its model routes to: `claude-*` to
            `anthropic`, `gpt-*`/`o1-*`/`o3-*` to `openai-compatible`, an explicit
            `ModelSpec.provider` wins) or `"replay"` (model calls served from the
            cassette `replay_from`, offline).
        record_to: with a live interpreter, record every model call to this JSON-lines
            cassette, for `interpreter="replay"` later.
        replay_from: the cassette `interpreter="replay"` serves.

    Raises:
        pydantic.ValidationError: an invalid spec mapping or data environment.
        TypeError: a services mapping or testing value of the wrong type.
        ValueError: an invalid data environment, a reserved service key, an
            unregistered dynamic predicate, an agent tool without a handler,
            `testing` combined with another interpreter, or a native
            construction error.
        RuntimeError: a native extension that does not match this facade.
    """
    if not isinstance(spec, RuntimeSpec):
        spec = RuntimeSpec.model_validate(spec)
    agents = [merge_agent_prompt(agent, spec.toolkits) for agent in spec.agents]
    spec = spec.model_copy(update={"agents": agents})
    data_env = normalize_data_environment(
        data_environment, target_database_url, runtime_resource_id=spec.tenant.resource_id
    )
    service_map = _normalize_services(services)
    base = tool_bindings if tool_bindings is not None else spec.tool_bindings
    all_tools = _unique_tools(base, agents)
    tool_by_key = {binding_key(tool): tool for tool in all_tools}
    predicates = _approval_predicates(all_tools, approval_predicates)
    agent_tools: dict[str, list[str]] = {}
    for agent in agents:
        for tool in agent.tools:
            key = binding_key(tool)
            if tool_by_key[key].handler is None:
                raise ValueError(
                    f"tool binding '{key}' for agent '{agent.name}' has no Python handler"
                )
            agent_tools.setdefault(agent.name, [])
            if key not in agent_tools[agent.name]:
                agent_tools[agent.name].append(key)
    mock_response = _mock_response(testing, interpreter)
    if replay_from is not None and interpreter != "replay":
        raise ValueError("replay_from requires interpreter='replay'")
    tool_specs = [
        {
            "bindingId": key,
            "name": tool.name,
            "description": tool.description,
            "inputSchema": tool.input_schema,
            "approval": tool.approval,
            "idempotent": tool.idempotent,
        }
        for key, tool in tool_by_key.items()
    ]
    runtime: PyRuntime = call_native(
        "create_runtime",
        json.dumps(spec.model_dump(by_alias=True, mode="json")),
        spec.tenant.resource_id,
        json.dumps(agent_tools),
        json.dumps(tool_specs),
        {key: tool.handler for key, tool in tool_by_key.items() if tool.handler is not None},
        predicates,
        action_dispatcher,
        list(event_hooks or []),
        "noop" if mock_response is not None else interpreter,
        mock_response,
        service_map,
        None if data_env is None else json.dumps(data_env),
        None if record_to is None else os.fspath(record_to),
        None if replay_from is None else os.fspath(replay_from),
    )
    return runtime


def _approval_predicates(
    tools: Sequence[ToolSpec], explicit: Mapping[str, Callable[..., bool]] | None
) -> dict[str, Callable[..., bool]]:
    """Step 6: explicit predicates plus the callables given as `define_tool(approval=fn)`."""
    predicates = dict(explicit or {})
    dynamic = [tool for tool in tools if tool.approval.get("kind") == "dynamic"]
    for tool in dynamic:
        if tool.approval_handler is not None:
            predicates[tool.approval["value"]] = tool.approval_handler
    for tool in dynamic:
        predicate_id = tool.approval["value"]
        if predicate_id not in predicates:
            raise ValueError(f"dynamic approval predicate '{predicate_id}' is not registered")
    return predicates
