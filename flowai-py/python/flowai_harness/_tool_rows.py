"""The `# Tools` rows `define_runtime`/`create_runtime` merge into agent prompts.

Rules: python-api §11.3 and runtime-behavior §3. Descriptions of built-in tools
come from the native engine, so prompts and the tools the model sees agree.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from ._native import call_native
from .agents import AgentSpec
from .prompts import ToolPromptInput, augment_prompt_tools

__all__ = ["agent_tool_rows", "merge_agent_prompt", "scoped_plans_config"]

# Role-default tools, per role: (toolkit id, tool names kept from it).
_ROLE_DEFAULTS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "coordinator": (("agents", ("call_agent",)),),
    "planner": (("plans", ("storePlan", "getPlan")),),
    "executor": (
        ("plans", ("getPlan", "executePlan")),
        ("references", ("resolveRef", "glimpseRef")),
    ),
    "specialist": (),
}
_PLANS_ALLOWED: dict[str, tuple[str, ...]] = {
    "planner": ("storePlan", "getPlan"),
    "executor": ("getPlan", "executePlan"),
}
_TOOLKIT_APPROVAL_LABEL = "runtime"


def scoped_plans_config(config: Any, role: str) -> Any:
    """Restrict the `plans` toolkit config to the tools `role` may use."""
    allowed = _PLANS_ALLOWED.get(role, ("getPlan",))
    if config is None:
        return {"tools": list(allowed)}
    if not isinstance(config, Mapping):
        return config  # the native side reports the malformed config
    if "tools" not in config:
        return {**config, "tools": list(allowed)}
    tools = config["tools"]
    if isinstance(tools, (list, tuple)):
        forbidden = [name for name in tools if name not in allowed]
        if forbidden:
            raise ValueError(
                "toolkit 'plans' tools are scoped by agent role; "
                f"{role} agents cannot use {forbidden!r}"
            )
    return dict(config)


def _describe(toolkit_id: str, config: Any, agent_json: str) -> list[dict[str, Any]]:
    toolkit_json = json.dumps({"id": toolkit_id, "config": config})
    tools: list[dict[str, Any]] = json.loads(
        call_native("describe_toolkit_tools", toolkit_json, agent_json)
    )
    return tools


def _row(tool: Mapping[str, Any]) -> dict[str, str]:
    return {
        "name": str(tool["name"]),
        "description": str(tool.get("description") or ""),
        "approval": _TOOLKIT_APPROVAL_LABEL,
    }


def agent_tool_rows(agent: AgentSpec, toolkits: Iterable[Any]) -> list[ToolPromptInput]:
    """Rows for every tool `agent` can call: role defaults, declared toolkits, Python tools."""
    declared: dict[str, Any] = {}
    for toolkit in toolkits:
        declared.setdefault(toolkit.id, toolkit)
    agent_json: str | None = None
    rows: list[ToolPromptInput] = []

    def describe(toolkit_id: str, config: Any) -> list[dict[str, Any]]:
        nonlocal agent_json
        if agent_json is None:
            agent_json = json.dumps(agent.model_dump(by_alias=True, mode="json"))
        return _describe(toolkit_id, config, agent_json)

    if agent.role != "coordinator" or agent.routes:
        for toolkit_id, names in _ROLE_DEFAULTS[agent.role]:
            rows.extend(_row(tool) for tool in describe(toolkit_id, None) if tool["name"] in names)
    for toolkit_id in agent.toolkits:
        if toolkit_id not in declared:
            continue
        config = declared[toolkit_id].config
        if toolkit_id == "plans":
            config = scoped_plans_config(config, agent.role)
        rows.extend(_row(tool) for tool in describe(toolkit_id, config))
    rows.extend(agent.tools)
    return rows


def merge_agent_prompt(agent: AgentSpec, toolkits: Iterable[Any]) -> AgentSpec:
    """Return `agent` with its tool rows merged into the `# Tools` section of its prompt."""
    rows = agent_tool_rows(agent, toolkits)
    if not rows:
        return agent
    prompt = augment_prompt_tools(agent.system_prompt, rows)
    return agent.model_copy(
        update={"system_prompt": prompt.text, "prompt_cache_key": prompt.cache_key}
    )
