"""ToolkitSpec, storage models and the RuntimeSpec validator/wire shape (python-api §6.1-§6.3).

These tests build specs directly, without `define_runtime`, so they need no
native code beyond importing the package.
"""

import re

import pydantic
import pytest

from flowai_harness import (
    AgentSpec,
    ApprovalOverrides,
    RuntimeSpec,
    StorageFactories,
    StorageFactorySpec,
    ToolkitSpec,
    define_tenant,
)

MODEL = "claude-sonnet-4-6"


def agent(name, role="specialist", routes=()):
    return AgentSpec(name=name, role=role, model=MODEL, system_prompt="p", routes=list(routes))


def spec(*agents, **kwargs):
    return RuntimeSpec(tenant=define_tenant("acme", "v1"), agents=list(agents), **kwargs)


def test_toolkit_and_storage_wire_shapes():
    assert ToolkitSpec(id="catalog").model_dump(by_alias=True) == {"id": "catalog", "config": None}
    with pytest.raises(pydantic.ValidationError):
        ToolkitSpec(id="")
    assert StorageFactories().model_dump(by_alias=True, mode="json") == {
        "kv": None,
        "plans": None,
        "memory": None,
    }
    factories = StorageFactories(kv=StorageFactorySpec(kind="redis", config={"url": "x"}))
    assert factories.model_dump(by_alias=True)["kv"] == {"kind": "redis", "config": {"url": "x"}}
    with pytest.raises(pydantic.ValidationError):
        StorageFactorySpec()


def test_default_spec_wire_omits_empty_overrides_and_keeps_key_order():
    wire = spec(agent("a")).model_dump(by_alias=True, mode="json")
    assert list(wire) == [
        "tenant",
        "agents",
        "references",
        "plans",
        "toolkits",
        "approvalPolicies",
        "storageFactories",
        "providers",
    ]
    assert wire["approvalPolicies"] == {"plans": {"kind": "always"}, "tools": {"kind": "never"}}
    assert wire["storageFactories"] == {"kv": None, "plans": None, "memory": None}
    assert wire["providers"] == {}


def test_non_empty_overrides_are_on_the_wire_in_place():
    wire = spec(
        agent("a"), approval_overrides=ApprovalOverrides(tools={"a": {"t": "always"}})
    ).model_dump(by_alias=True, mode="json")
    assert list(wire)[5:7] == ["approvalPolicies", "approvalOverrides"]
    assert wire["approvalOverrides"] == {"agents": {}, "tools": {"a": {"t": {"kind": "always"}}}}


@pytest.mark.parametrize(
    ("agents", "message"),
    [
        ([agent("a"), agent("a")], "duplicate agent name 'a'"),
        (
            [agent("c1", "coordinator", ["w"]), agent("c2", "coordinator", ["w"]), agent("w")],
            "multiple coordinator agents are not supported",
        ),
        ([agent("c", "coordinator", ["c"])], "agent 'c' cannot route to itself"),
        (
            [agent("c", "coordinator", ["w", "w"]), agent("w")],
            "agent 'c' declares duplicate route 'w'",
        ),
        ([agent("c", "coordinator", ["ghost"])], "agent 'c' declares unknown route target 'ghost'"),
    ],
)
def test_validator_messages(agents, message):
    with pytest.raises(pydantic.ValidationError, match=re.escape(message)):
        spec(*agents)


def test_unknown_override_agents_are_sorted():
    overrides = ApprovalOverrides(
        agents={"zed": {"plans": "never"}}, tools={"ghost": {"t": "never"}}
    )
    with pytest.raises(
        pydantic.ValidationError,
        match=re.escape("approval_overrides references unknown agent(s): ['ghost', 'zed']"),
    ):
        spec(agent("a"), approval_overrides=overrides)


def test_round_trip_of_a_full_spec():
    wire = {
        "tenant": {"resourceId": "acme", "version": "v1"},
        "agents": [
            {
                "name": "coordinator",
                "role": "coordinator",
                "stateful": True,
                "model": {"id": MODEL, "provider": None},
                "systemPrompt": "c",
                "routes": ["planner", "executor", "reader"],
                "toolkits": [],
            },
            {
                "name": "planner",
                "role": "planner",
                "stateful": True,
                "model": {"id": MODEL, "provider": None},
                "systemPrompt": "p",
                "routes": [],
                "toolkits": [],
                "maxTurns": 5,
            },
            {
                "name": "executor",
                "role": "executor",
                "stateful": False,
                "model": {"id": MODEL, "provider": "anthropic"},
                "systemPrompt": "e",
                "routes": [],
                "toolkits": [],
            },
            {
                "name": "reader",
                "role": "specialist",
                "stateful": False,
                "model": {"id": MODEL, "provider": None},
                "systemPrompt": "r",
                "routes": [],
                "toolkits": ["catalog"],
            },
        ],
        "references": [{"name": "ProductSet", "schema": {"type": "object"}, "ttlMs": 3600000}],
        "plans": [
            {
                "name": "scenario",
                "schema": {"type": "object"},
                "displayAliases": [{"status": "draft", "alias": "pending_approval"}],
            }
        ],
        "toolkits": [{"id": "catalog", "config": None}],
        "approvalPolicies": {"plans": {"kind": "always"}, "tools": {"kind": "never"}},
        "storageFactories": {"kv": None, "plans": None, "memory": None},
        "providers": {"anthropic": {"apiKeyEnv": "ANTHROPIC_API_KEY"}},
    }
    assert RuntimeSpec.model_validate(wire).model_dump(by_alias=True, mode="json") == wire
    with_overrides = {
        **wire,
        "approvalOverrides": {
            "agents": {"reader": {"tools": {"kind": "always"}}},
            "tools": {"executor": {"t": {"kind": "never"}}},
        },
    }
    dumped = RuntimeSpec.model_validate(with_overrides).model_dump(by_alias=True, mode="json")
    assert dumped == with_overrides


def test_unknown_wire_keys_are_rejected():
    with pytest.raises(pydantic.ValidationError, match="extra_forbidden"):
        RuntimeSpec.model_validate({"tenant": {"resourceId": "a", "version": "v"}, "extra": 1})
