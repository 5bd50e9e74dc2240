"""define_runtime steps 1-8 (python-api §6.4, §11.3; runtime-behavior §3, §9.2).

Prompt tool rows of built-in toolkits come from the native module, so these
tests need the compiled `flowai_harness._internal`. They assert tool names and
the `runtime` approval label, never the native descriptions.
"""

import hashlib
import re

import pydantic
import pytest

from flowai_harness import (
    ApprovalOverrides,
    ApprovalPolicies,
    ApprovalPolicyPatch,
    StorageFactories,
    ToolkitSpec,
    define_coordinator,
    define_executor,
    define_plan,
    define_planner,
    define_reference,
    define_runtime,
    define_specialist,
    define_tenant,
    define_tool,
    layered_prompt,
)

MODEL = "claude-sonnet-4-6"
TENANT = define_tenant("acme", "v1")
PLAN = define_plan("scenario", {"steps": list[str]}, {"draft": "pending_approval"})


def handler(args, ctx):
    return {"ok": True}


search_products = define_tool(
    "search_products", {"query": str}, "Search products", approval="never"
)(handler)
classify_intent = define_tool("classify_intent", {"text": str}, "Classify intent")(handler)


def row(name, label="runtime"):
    """A `# Tools` row for `name` with any description and the given approval label."""
    return re.compile(rf"^\| {re.escape(name)} \| [^\n]* \| {re.escape(label)} \|$", re.MULTILINE)


def coordinator(**kwargs):
    kwargs.setdefault("routes", ["planner"])
    return define_coordinator("coordinator", model=MODEL, prompt="Route.", **kwargs)


def planner(**kwargs):
    return define_planner("planner", model=MODEL, prompt="Plan.", plan=PLAN, **kwargs)


def executor(**kwargs):
    return define_executor("scenario_executor", model=MODEL, prompt="Run.", plan=PLAN, **kwargs)


def specialist(name="catalog_reader", **kwargs):
    kwargs.setdefault("prompt", "Read.")
    return define_specialist(name, model=MODEL, **kwargs)


def by_name(spec, name):
    return next(agent for agent in spec.agents if agent.name == name)


# Step 2: approval floor -------------------------------------------------------


def test_coordinator_approval_becomes_the_floor():
    spec = define_runtime(
        TENANT, agents=[coordinator(approval={"plans": "always", "tools": "never"}), planner()]
    )
    assert spec.approval_policies == ApprovalPolicies(plans="always", tools="never")
    assert "coordinator" not in spec.approval_overrides.agents


def test_partial_coordinator_patch_keeps_floor_defaults():
    spec = define_runtime(TENANT, agents=[coordinator(approval={"tools": "always"}), planner()])
    assert spec.approval_policies == ApprovalPolicies(plans="always", tools="always")
    assert spec.model_dump(by_alias=True, mode="json").get("approvalOverrides") is None


def test_explicit_floor_keeps_the_coordinator_patch_as_an_override():
    spec = define_runtime(
        TENANT,
        agents=[coordinator(approval={"plans": "never"}), planner()],
        approval_policies={"plans": "always", "tools": "always"},
    )
    assert spec.approval_policies == ApprovalPolicies(plans="always", tools="always")
    assert spec.approval_overrides.agents == {"coordinator": ApprovalPolicyPatch(plans="never")}


def test_two_coordinators_providing_approvals_are_rejected():
    second = define_coordinator(
        "second", model=MODEL, prompt="p", routes=["planner"], approval={"plans": "never"}
    )
    with pytest.raises(
        pydantic.ValidationError,
        match=re.escape(
            "only one coordinator can provide approval_policies; pass approval_policies explicitly"
        ),
    ) as raised:
        define_runtime(TENANT, agents=[coordinator(approval={"plans": "never"}), second, planner()])
    assert raised.value.errors()[0]["loc"] == ("approval_policies",)


# Step 3: approval overrides ---------------------------------------------------


def test_executor_tool_default_approval_is_collected():
    spec = define_runtime(TENANT, agents=[executor(tools=[search_products])])
    assert spec.approval_overrides == ApprovalOverrides(
        tools={"scenario_executor": {"search_products": "never"}}
    )
    assert spec.model_dump(by_alias=True, mode="json")["approvalOverrides"] == {
        "agents": {},
        "tools": {"scenario_executor": {"search_products": {"kind": "never"}}},
    }


def test_specialist_patch_and_tool_approvals_are_collected():
    gated = define_tool("search_products", {"query": str}, approval="always")(handler)
    reader = specialist(
        approval={"tools": "always", "plans": "default"},
        tool_approvals={"execute_query": "never"},
        tools=[gated],
    )
    wire = define_runtime(TENANT, agents=[reader]).model_dump(by_alias=True, mode="json")
    assert wire["approvalOverrides"] == {
        "agents": {"catalog_reader": {"tools": {"kind": "always"}}},
        "tools": {
            "catalog_reader": {
                "search_products": {"kind": "always"},
                "execute_query": {"kind": "never"},
            }
        },
    }


def test_explicit_tool_approvals_win_and_rules_are_keyed_by_binding_key():
    tool = define_tool("lookup", {}, approval="always", binding_id="lookup_v2")(handler)
    spec = define_runtime(
        TENANT, agents=[specialist(tools=[tool], tool_approvals={"lookup_v2": "never"})]
    )
    assert spec.approval_overrides.tools == {"catalog_reader": {"lookup_v2": {"kind": "never"}}}


def test_explicit_overrides_are_used_and_validated():
    spec = define_runtime(
        TENANT,
        agents=[specialist(tools=[search_products])],
        approval_overrides={"agents": {"catalog_reader": {"plans": "never"}}},
    )
    assert spec.approval_overrides == ApprovalOverrides(
        agents={"catalog_reader": {"plans": "never"}}
    )


def test_overrides_naming_unknown_agents_are_rejected():
    with pytest.raises(
        pydantic.ValidationError,
        match=re.escape("approval_overrides references unknown agent(s): ['ghost']"),
    ) as raised:
        define_runtime(
            TENANT, agents=[specialist()], approval_overrides={"tools": {"ghost": {"t": "never"}}}
        )
    assert raised.value.errors()[0]["loc"] == ("approval_policies",)


# Step 4: toolkits ----------------------------------------------------------------


def test_agent_toolkits_are_declared_after_explicit_ones_without_duplicates():
    spec = define_runtime(
        TENANT,
        agents=[
            specialist("a", toolkits=["references", "catalog"]),
            specialist("b", toolkits=["catalog", "plans"]),
        ],
        toolkits=[{"id": "catalog", "config": {"tools": ["search_catalog"]}}],
    )
    assert spec.toolkits == [
        ToolkitSpec(id="catalog", config={"tools": ["search_catalog"]}),
        ToolkitSpec(id="references"),
        ToolkitSpec(id="plans"),
    ]
    assert spec.model_dump(by_alias=True)["toolkits"][1] == {"id": "references", "config": None}


def test_role_defaults_do_not_declare_toolkits():
    spec = define_runtime(TENANT, agents=[coordinator(), planner()])
    assert spec.toolkits == []
    assert all(agent.toolkits == [] for agent in spec.agents)


# Step 5: prompt tool rows -----------------------------------------------------


def test_role_default_rows_are_scoped_by_role():
    spec = define_runtime(
        TENANT, agents=[coordinator(routes=["planner", "scenario_executor"]), planner(), executor()]
    )
    coordinator_prompt = by_name(spec, "coordinator").system_prompt
    planner_prompt = by_name(spec, "planner").system_prompt
    executor_prompt = by_name(spec, "scenario_executor").system_prompt
    assert row("call_agent").search(coordinator_prompt)
    assert row("storePlan").search(planner_prompt) and row("getPlan").search(planner_prompt)
    assert "executePlan" not in planner_prompt
    for name in ("getPlan", "executePlan", "resolveRef", "glimpseRef"):
        assert row(name).search(executor_prompt), name
    assert "storePlan" not in executor_prompt
    assert planner_prompt.startswith("Plan.\n\n# Tools\n| Tool | Description | Approval |")


def test_prompt_cache_key_follows_the_new_text():
    spec = define_runtime(TENANT, agents=[planner()])
    agent = spec.agents[0]
    assert agent.prompt_cache_key == hashlib.sha256(agent.system_prompt.encode()).hexdigest()


def test_agents_without_rows_are_untouched():
    reader = specialist(prompt="  Just read.  ")
    spec = define_runtime(TENANT, agents=[reader])
    assert spec.agents[0] == reader
    assert spec.agents[0].prompt_cache_key is None


def test_python_tool_rows_carry_their_own_approval_label():
    gated = define_tool("refund", {"amount": int}, "Refund an order", approval="always")(handler)
    spec = define_runtime(TENANT, agents=[specialist(tools=[search_products, gated])])
    prompt = spec.agents[0].system_prompt
    assert "| search_products | Search products | never |" in prompt
    assert "| refund | Refund an order | always |" in prompt


def test_toolkit_rows_for_declared_toolkits():
    spec = define_runtime(TENANT, agents=[specialist(toolkits=["references"])])
    prompt = spec.agents[0].system_prompt
    assert row("resolveRef").search(prompt) and row("glimpseRef").search(prompt)


def test_user_rows_win_over_toolkit_rows():
    prompt = layered_prompt(
        identity="Read the catalog.",
        tools=[{"name": "execute_query", "description": "Custom SQL access", "approval": "always"}],
    )
    spec = define_runtime(TENANT, agents=[specialist(prompt=prompt, toolkits=["catalog"])])
    text = spec.agents[0].system_prompt
    assert text.count("execute_query") == 1
    assert "| execute_query | Custom SQL access | always |" in text
    assert row("search_catalog").search(text)


def test_plans_toolkit_config_outside_the_role_is_rejected():
    with pytest.raises(
        ValueError,
        match=re.escape(
            "toolkit 'plans' tools are scoped by agent role; "
            "planner agents cannot use ['executePlan']"
        ),
    ):
        define_runtime(
            TENANT,
            agents=[planner(toolkits=["plans"])],
            toolkits=[{"id": "plans", "config": {"tools": ["getPlan", "executePlan"]}}],
        )


def test_plans_toolkit_for_a_specialist_offers_only_get_plan():
    spec = define_runtime(TENANT, agents=[specialist(toolkits=["plans"])])
    prompt = spec.agents[0].system_prompt
    assert row("getPlan").search(prompt)
    assert "storePlan" not in prompt and "executePlan" not in prompt
    with pytest.raises(ValueError, match=re.escape("specialist agents cannot use ['storePlan']")):
        define_runtime(
            TENANT,
            agents=[specialist(toolkits=["plans"])],
            toolkits=[ToolkitSpec(id="plans", config={"tools": ["storePlan"]})],
        )


def test_native_toolkit_errors_surface():
    with pytest.raises(ValueError, match=re.escape("unknown toolkit id: warehouse")):
        define_runtime(TENANT, agents=[specialist(toolkits=["warehouse"])])
    with pytest.raises(ValueError, match=re.escape("toolkit 'catalog' has no tool named 'nope'")):
        define_runtime(
            TENANT,
            agents=[specialist(toolkits=["catalog"])],
            toolkits=[{"id": "catalog", "config": {"tools": ["nope"]}}],
        )


# Steps 6-8 ---------------------------------------------------------------------


def test_agent_plans_are_collected_once_after_explicit_plans():
    other = define_plan("other", {"x": int})
    spec = define_runtime(TENANT, agents=[planner(), executor()], plans=[other])
    assert spec.plans == [other, PLAN]
    explicit = define_plan("scenario", {"y": str})
    assert define_runtime(TENANT, agents=[planner()], plans=[explicit]).plans == [explicit]


def test_tool_bindings_follow_agent_order():
    spec = define_runtime(
        TENANT,
        agents=[
            coordinator(tools=[classify_intent]),
            planner(tools=[search_products, classify_intent]),
        ],
    )
    assert spec.tool_bindings == (classify_intent, search_products)
    assert "classify_intent" in by_name(spec, "coordinator").system_prompt
    assert "search_products" in by_name(spec, "planner").system_prompt
    assert "tool_bindings" not in spec.model_dump(by_alias=True)
    assert "toolBindings" not in spec.model_dump(by_alias=True)


def test_explicit_tool_bindings_come_first_and_win_by_binding_key():
    unbound = define_tool("search_products", {"query": str})
    extra = define_tool("audit", {})(handler)
    spec = define_runtime(
        TENANT, agents=[specialist(tools=[search_products])], tool_bindings=[extra, unbound]
    )
    assert spec.tool_bindings == (extra, unbound)


def test_remaining_fields_and_defaults():
    reference = define_reference("ProductSet", {"ids": list[str]}, ttl_ms=3_600_000)
    providers = {"anthropic": {"apiKeyEnv": "ANTHROPIC_API_KEY"}}
    spec = define_runtime(
        tenant={"resource_id": "acme", "version": "v1"},
        agents=[specialist()],
        references=[reference],
        providers=providers,
    )
    assert spec.tenant == TENANT
    assert spec.references == [reference]
    assert spec.storage_factories == StorageFactories()
    assert spec.providers == providers and spec.providers is not providers


def test_runtime_spec_validator_runs_last():
    with pytest.raises(pydantic.ValidationError, match=re.escape("duplicate agent name 'x'")):
        define_runtime(TENANT, agents=[specialist("x"), specialist("x")])
    with pytest.raises(
        pydantic.ValidationError,
        match=re.escape("agent 'coordinator' declares unknown route target 'planner'"),
    ):
        define_runtime(TENANT, agents=[coordinator()])


def test_mapping_agents_are_validated():
    spec = define_runtime(
        TENANT,
        agents=[{"name": "w", "role": "specialist", "model": MODEL, "systemPrompt": "Work."}],
    )
    assert spec.agents[0].stateful is False


def test_round_trip_of_a_defined_runtime():
    spec = define_runtime(
        TENANT,
        agents=[
            coordinator(routes=["planner", "scenario_executor", "catalog_reader"]),
            planner(),
            executor(tools=[search_products]),
            specialist(toolkits=["catalog"]),
        ],
        references=[define_reference("ProductSet", {"ids": list[str]}, ttl_ms=3_600_000)],
        providers={"anthropic": {"apiKeyEnv": "ANTHROPIC_API_KEY"}},
    )
    from flowai_harness import RuntimeSpec

    wire = spec.model_dump(by_alias=True, mode="json")
    assert RuntimeSpec.model_validate(wire).model_dump(by_alias=True, mode="json") == wire
    assert wire["toolkits"] == [{"id": "catalog", "config": None}]
    assert wire["plans"][0]["displayAliases"] == [{"status": "draft", "alias": "pending_approval"}]
