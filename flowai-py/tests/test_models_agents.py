"""ModelSpec, AgentSpec and the four role helpers (python-api §4)."""

import re

import pydantic
import pytest

from flowai_harness import (
    AgentSpec,
    ApprovalPolicyPatch,
    ModelSpec,
    define_coordinator,
    define_executor,
    define_plan,
    define_planner,
    define_specialist,
    define_tool,
    layered_prompt,
)

MODEL = "claude-sonnet-4-6"
PLAN = define_plan("scenario", {"steps": list[str]})


def test_model_spec_coerces_a_bare_string():
    assert ModelSpec.model_validate("m") == ModelSpec(id="m")
    assert ModelSpec(id="m").model_dump(by_alias=True) == {"id": "m", "provider": None}
    assert ModelSpec.model_validate({"id": "m", "provider": "bedrock"}).provider == "bedrock"


def test_executor_wire_example():
    executor = define_executor("scenario_executor", model=MODEL, prompt="...", plan=PLAN)
    assert executor.model_dump(by_alias=True, mode="json") == {
        "name": "scenario_executor",
        "role": "executor",
        "stateful": False,
        "model": {"id": "claude-sonnet-4-6", "provider": None},
        "systemPrompt": "...",
        "routes": [],
        "toolkits": [],
    }


def test_max_turns_appears_on_the_wire_only_when_set():
    agent = define_specialist("s", model=MODEL, prompt="p", max_turns=4)
    assert agent.model_dump(by_alias=True)["maxTurns"] == 4
    assert list(agent.model_dump(by_alias=True)) == [
        "name",
        "role",
        "stateful",
        "model",
        "systemPrompt",
        "routes",
        "toolkits",
        "maxTurns",
    ]
    with pytest.raises(pydantic.ValidationError, match="max_turns|maxTurns"):
        define_specialist("s", model=MODEL, prompt="p", max_turns=0)


def test_python_only_fields_are_not_on_the_wire():
    tool = define_tool("t", {"q": str})
    agent = define_planner(
        "p",
        model=MODEL,
        prompt=layered_prompt(identity="I plan."),
        plan=PLAN,
        tools=[tool],
        approval={"plans": "never"},
        tool_approvals={"t": "always"},
    )
    assert agent.plan == PLAN
    assert agent.tools == (tool,)
    assert agent.approval_policies == ApprovalPolicyPatch(plans="never")
    assert agent.tool_approval_policies == {"t": {"kind": "always"}}
    assert agent.prompt_cache_key == layered_prompt(identity="I plan.").cache_key
    wire = agent.model_dump(by_alias=True, mode="json")
    for key in ("plan", "tools", "approvalPolicies", "toolApprovalPolicies", "promptCacheKey"):
        assert key not in wire


@pytest.mark.parametrize(
    ("build", "stateful"),
    [
        (lambda **kw: define_coordinator("c", model=MODEL, prompt="p", routes=["x"], **kw), True),
        (lambda **kw: define_planner("p", model=MODEL, prompt="p", plan=PLAN, **kw), True),
        (lambda **kw: define_executor("e", model=MODEL, prompt="p", plan=PLAN, **kw), False),
        (lambda **kw: define_specialist("s", model=MODEL, prompt="p", **kw), False),
    ],
)
def test_role_stateful_defaults_and_override(build, stateful):
    assert build().stateful is stateful
    assert build(stateful=not stateful).stateful is (not stateful)


def test_direct_construction_fills_stateful_and_coerces_model():
    agent = AgentSpec(
        name="coordinator", role="coordinator", model=MODEL, system_prompt="...", routes=["worker"]
    )
    assert agent.stateful is True
    assert agent.model == ModelSpec(id=MODEL)
    assert (
        AgentSpec.model_validate(
            {
                "name": "w",
                "role": "specialist",
                "model": MODEL,
                "systemPrompt": "p",
                "stateful": None,
            }
        ).stateful
        is False
    )


def test_direct_construction_rejects_unknown_role_and_empty_name():
    with pytest.raises(pydantic.ValidationError, match="role"):
        AgentSpec(name="x", role="boss", model=MODEL, system_prompt="p")
    with pytest.raises(pydantic.ValidationError, match="name"):
        AgentSpec(name="", role="specialist", model=MODEL, system_prompt="p")


def test_direct_coordinator_without_routes_is_rejected():
    with pytest.raises(
        pydantic.ValidationError, match="coordinator agents require at least one route"
    ):
        AgentSpec(name="c", role="coordinator", model=MODEL, system_prompt="p")


def test_coordinator_requires_a_route_before_checking_the_prompt():
    with pytest.raises(ValueError, match="^define_coordinator requires at least one route$"):
        define_coordinator("c", model=MODEL, prompt=123)


def test_routes_iterable_is_materialised():
    agent = define_coordinator("c", model=MODEL, prompt="p", routes=iter(["a", "b"]))
    assert agent.routes == ["a", "b"]


@pytest.mark.parametrize("prompt", [None, 5, ["a"]])
def test_prompt_must_be_text_or_layered(prompt):
    with pytest.raises(TypeError, match="^prompt must be a string or LayeredPrompt$"):
        define_specialist("s", model=MODEL, prompt=prompt)


def test_string_prompt_is_verbatim_without_cache_key():
    agent = define_specialist("s", model=MODEL, prompt="  keep me  ")
    assert agent.system_prompt == "  keep me  "
    assert agent.prompt_cache_key is None


def test_layered_prompt_supplies_text_and_cache_key():
    prompt = layered_prompt(identity="I help.")
    agent = define_specialist("s", model=MODEL, prompt=prompt)
    assert (agent.system_prompt, agent.prompt_cache_key) == (prompt.text, prompt.cache_key)


def test_model_and_prompt_are_required():
    with pytest.raises(TypeError):
        define_specialist("s", prompt="p")
    with pytest.raises(TypeError):
        define_specialist("s", model=MODEL)
    with pytest.raises(TypeError):
        define_planner("p", model=MODEL, prompt="p")


def test_plan_mapping_is_validated():
    agent = define_executor(
        "e", model=MODEL, prompt="p", plan={"name": "scenario", "schema": {"steps": list[str]}}
    )
    assert agent.plan == PLAN
    with pytest.raises(pydantic.ValidationError):
        define_executor("e", model=MODEL, prompt="p", plan={"schema": {}})


def test_toolkits_dedup_except_for_specialists():
    coordinator = define_coordinator(
        "c", model=MODEL, prompt="p", routes=["x"], toolkits=["catalog", "plans", "catalog"]
    )
    assert coordinator.toolkits == ["catalog", "plans"]
    specialist = define_specialist("s", model=MODEL, prompt="p", toolkits=["catalog", "catalog"])
    assert specialist.toolkits == ["catalog", "catalog"]
    assert define_specialist("s", model=MODEL, prompt="p", toolkits=None).toolkits == []


def test_role_default_tools_are_not_added_to_toolkits():
    executor = define_executor("e", model=MODEL, prompt="p", plan=PLAN)
    planner = define_planner("p", model=MODEL, prompt="p", plan=PLAN)
    assert executor.toolkits == [] and planner.toolkits == []


def test_approval_mapping_drops_default_channels():
    agent = define_specialist(
        "s", model=MODEL, prompt="p", approval={"tools": "always", "plans": "default"}
    )
    assert agent.approval_policies == ApprovalPolicyPatch(tools="always")
    assert agent.approval_policies.plans is None


def test_approval_patch_instance_is_used_as_is():
    patch = ApprovalPolicyPatch(plans="never")
    assert (
        define_specialist("s", model=MODEL, prompt="p", approval=patch).approval_policies is patch
    )
    assert define_specialist("s", model=MODEL, prompt="p").approval_policies is None


def test_invalid_approval_rule_is_rejected():
    with pytest.raises(ValueError, match=re.escape("approval rule must be 'never', 'always'")):
        define_specialist("s", model=MODEL, prompt="p", approval={"tools": "sometimes"})


def test_tool_approvals_are_normalised():
    agent = define_specialist(
        "s",
        model=MODEL,
        prompt="p",
        tool_approvals={"a": "never", "b": {"kind": "dynamic", "value": "pred"}},
    )
    assert agent.tool_approval_policies == {
        "a": {"kind": "never"},
        "b": {"kind": "dynamic", "value": "pred"},
    }


@pytest.mark.parametrize("key", ["", 3])
def test_tool_approvals_keys_must_be_tool_names(key):
    with pytest.raises(ValueError, match="^tool_approvals keys must be non-empty tool names$"):
        define_specialist("s", model=MODEL, prompt="p", tool_approvals={key: "never"})


def test_tool_approvals_values_use_the_rule_normaliser():
    with pytest.raises(ValueError, match="^approval rule must not be null$"):
        define_specialist("s", model=MODEL, prompt="p", tool_approvals={"t": None})


def test_tools_are_stored_as_a_tuple_and_name_may_be_keyword():
    tool = define_tool("t", {"q": str})
    agent = define_specialist(name="s", model=MODEL, prompt="p", tools=[tool])
    assert agent.name == "s"
    assert agent.tools == (tool,)
    assert isinstance(
        AgentSpec.model_validate(
            {
                "name": "w",
                "role": "specialist",
                "model": MODEL,
                "systemPrompt": "p",
                "tools": [tool],
            }
        ).tools,
        tuple,
    )


def test_model_mapping_is_accepted():
    agent = define_specialist("s", model={"id": "gpt-4o", "provider": "openai"}, prompt="p")
    assert agent.model == ModelSpec(id="gpt-4o", provider="openai")
