"""create_runtime facade steps 1-9 (python-api §6.5, §17).

Checks of steps 3-8 fail before any native construction. The encoding of the
native call is checked against a recording stand-in for `_internal.create_runtime`;
the success-path tests need the compiled extension.
"""

import json
import re
import types

import pydantic
import pytest

import flowai_harness
from flowai_harness import (
    Runtime,
    _internal,
    _native,
    create_runtime,
    define_coordinator,
    define_runtime,
    define_specialist,
    define_tenant,
    define_tool,
    layered_prompt,
)

MODEL = "claude-sonnet-4-6"
PROVIDERS = {"anthropic": {"apiKey": "unused"}}


def handler(args, ctx):
    return {"ok": True}


def approve_big(args, ctx):
    return args.get("amount", 0) > 100


lookup = define_tool("lookup", {"q": str}, "Look something up")(handler)


def make_spec(*tools, toolkits=None, **kwargs):
    reader = define_specialist(
        "reader", model=MODEL, prompt="Read.", tools=tools, toolkits=toolkits
    )
    return define_runtime(
        define_tenant("acme", "v1"), agents=[reader], providers=PROVIDERS, **kwargs
    )


@pytest.fixture
def recorded(monkeypatch):
    """Replace the native constructor with a recorder; returns the recorded calls."""
    calls = []
    fake = types.SimpleNamespace(
        native_api_version=lambda: 4,
        describe_toolkit_tools=_internal.describe_toolkit_tools,
        create_runtime=lambda *args: calls.append(args) or "runtime-handle",
    )
    monkeypatch.setattr(_native, "_internal", fake)
    return calls


# Step 1 --------------------------------------------------------------------------


def test_spec_mapping_is_validated():
    with pytest.raises(pydantic.ValidationError):
        create_runtime({"tenant": {"resourceId": "acme"}})


# Step 3 --------------------------------------------------------------------------


def test_data_environment_errors_use_the_spec_tenant():
    with pytest.raises(
        ValueError,
        match=re.escape("data_environment.tenant_id must match the runtime tenant 'acme'"),
    ):
        create_runtime(make_spec(), data_environment={"tenant_id": "other"})
    with pytest.raises(TypeError, match=re.escape("data_environment['kv'] must be a mapping")):
        create_runtime(make_spec(), data_environment={"kv": "memory"})
    with pytest.raises(
        ValueError,
        match=re.escape(
            "target_database_url conflicts with data_environment['target_database_url']"
        ),
    ):
        create_runtime(
            make_spec(),
            data_environment={"target_database_url": "sqlite:a"},
            target_database_url="sqlite:b",
        )


# Step 4 --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("services", "error", "message"),
    [
        (["db"], TypeError, "services must be a mapping from service name to Python object"),
        ({"": object()}, TypeError, "services keys must be non-empty strings"),
        ({1: object()}, TypeError, "services keys must be non-empty strings"),
        (
            {"tool_use_id": 1},
            ValueError,
            "services key 'tool_use_id' is reserved by the runtime tool context",
        ),
        (
            {"services": 1},
            ValueError,
            "services key 'services' is reserved by the runtime tool context",
        ),
        (
            {"references": 1},
            ValueError,
            "services key 'references' is reserved by the runtime tool context",
        ),
    ],
)
def test_services_normalisation(services, error, message):
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        create_runtime(make_spec(), services=services)


# Step 6 --------------------------------------------------------------------------


def test_dynamic_predicate_must_be_registered():
    gated = define_tool("refund", {"amount": int}, approval={"kind": "dynamic", "value": "big"})(
        handler
    )
    with pytest.raises(ValueError, match="^dynamic approval predicate 'big' is not registered$"):
        create_runtime(make_spec(gated))


def test_dynamic_predicate_from_approval_predicates(recorded):
    gated = define_tool("refund", {"amount": int}, approval={"kind": "dynamic", "value": "big"})(
        handler
    )
    create_runtime(make_spec(gated), approval_predicates={"big": approve_big})
    assert recorded[0][5] == {"big": approve_big}


def test_callable_approval_is_registered_and_overrides_a_same_named_predicate(recorded):
    gated = define_tool("refund", {"amount": int}, approval=approve_big)(handler)
    other = lambda args, ctx: False  # noqa: E731
    create_runtime(make_spec(gated), approval_predicates={"refund_approval": other, "keep": other})
    assert recorded[0][5] == {"refund_approval": approve_big, "keep": other}


# Step 7 --------------------------------------------------------------------------


def test_agent_tools_need_a_handler():
    unbound = define_tool("lookup", {"q": str})
    with pytest.raises(
        ValueError, match="^tool binding 'lookup' for agent 'reader' has no Python handler$"
    ):
        create_runtime(make_spec(unbound))


def test_missing_handler_message_uses_the_binding_key():
    unbound = define_tool("lookup", {"q": str}, binding_id="lookup_v2")
    with pytest.raises(
        ValueError, match="^tool binding 'lookup_v2' for agent 'reader' has no Python handler$"
    ):
        create_runtime(make_spec(unbound))


def test_unattached_tool_bindings_need_no_handler(recorded):
    create_runtime(make_spec(), tool_bindings=[define_tool("spare", {})])
    specs = json.loads(recorded[0][3])
    assert [entry["bindingId"] for entry in specs] == ["spare"]
    assert recorded[0][4] == {}


def test_handler_check_runs_before_interpreter_checks():
    unbound = define_tool("lookup", {"q": str})
    with pytest.raises(ValueError, match="has no Python handler"):
        create_runtime(make_spec(unbound), testing={"mock_response": "x"}, interpreter="scripted")


# Step 8 --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("testing", "interpreter", "error", "message"),
    [
        (
            {"mock_response": "hi"},
            "scripted",
            ValueError,
            "create_runtime accepts either testing or a non-default interpreter, not both",
        ),
        (
            {"mock_response": "hi", "seed": 1, "delay": 2},
            "noop",
            ValueError,
            "unsupported testing config keys: ['delay', 'seed']; expected ['mock_response']",
        ),
        ({}, "noop", ValueError, "testing config requires 'mock_response'"),
        ({"mock_response": 3}, "noop", TypeError, "testing['mock_response'] must be a string"),
    ],
)
def test_testing_config_errors(testing, interpreter, error, message):
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        create_runtime(make_spec(), testing=testing, interpreter=interpreter)


# Step 9: encoding of the native call ----------------------------------------------


def test_native_arguments_encoding(recorded):
    gated = define_tool(
        "refund", {"amount": int}, "Refund", approval=approve_big, binding_id="refund_v2"
    )(handler)
    spec = make_spec(lookup, gated)
    hook = lambda event: None  # noqa: E731
    dispatcher = lambda actions, ctx: None  # noqa: E731
    services = {"db": object()}
    result = create_runtime(
        spec,
        services=services,
        action_dispatcher=dispatcher,
        event_hooks=[hook],
        data_environment={"kv": {"kind": "memory"}},
        testing={"mock_response": "Hello!"},
    )
    assert result == "runtime-handle"
    (args,) = recorded
    # The 12 positional arguments of python-api §17, then the cassette paths (issue 5).
    assert len(args) == 14
    assert args[12:] == (None, None)
    args = args[:12]
    (
        spec_json,
        resource_id,
        agent_tools_json,
        tool_specs_json,
        callbacks,
        predicates,
        action_dispatcher,
        event_hooks,
        interpreter,
        mock_response,
        native_services,
        data_env,
    ) = args
    assert json.loads(spec_json) == spec.model_dump(by_alias=True, mode="json")
    assert resource_id == "acme"
    assert json.loads(agent_tools_json) == {"reader": ["lookup", "refund_v2"]}
    assert json.loads(tool_specs_json) == [
        {
            "bindingId": "lookup",
            "name": "lookup",
            "description": "Look something up",
            "inputSchema": lookup.input_schema,
            "approval": {"kind": "never"},
            "idempotent": False,
        },
        {
            "bindingId": "refund_v2",
            "name": "refund",
            "description": "Refund",
            "inputSchema": gated.input_schema,
            "approval": {"kind": "dynamic", "value": "refund_v2"},
            "idempotent": False,
        },
    ]
    assert callbacks == {"lookup": handler, "refund_v2": handler}
    assert predicates == {"refund_v2": approve_big}
    assert action_dispatcher is dispatcher
    assert event_hooks == [hook]
    assert (interpreter, mock_response) == ("noop", "Hello!")
    assert native_services == services
    assert json.loads(data_env) == {"kv": {"kind": "memory"}}


def test_native_defaults_without_optional_arguments(recorded):
    create_runtime(make_spec(), interpreter="scripted")
    (args,) = recorded
    assert json.loads(args[2]) == {}
    assert json.loads(args[3]) == []
    assert args[4:] == ({}, {}, None, [], "scripted", None, {}, None, None, None)


def test_mapping_spec_and_prompt_rows_are_re_merged(recorded):
    spec = make_spec(toolkits=["references"])
    wire = spec.model_dump(by_alias=True, mode="json")
    wire["agents"][0]["systemPrompt"] = "Read."
    create_runtime(wire)
    sent = json.loads(recorded[0][0])
    assert sent["agents"][0]["systemPrompt"] == spec.agents[0].system_prompt
    assert "| resolveRef |" in sent["agents"][0]["systemPrompt"]


def test_prompt_merging_is_idempotent_for_defined_specs(recorded):
    prompt = layered_prompt(identity="Read.", tools=[lookup])
    coordinator = define_coordinator("coordinator", model=MODEL, prompt=prompt, routes=["reader"])
    reader = define_specialist(
        "reader", model=MODEL, prompt="Read.", tools=[lookup], toolkits=["catalog"]
    )
    spec = define_runtime(
        define_tenant("acme", "v1"), agents=[coordinator, reader], providers=PROVIDERS
    )
    create_runtime(spec, data_environment={"catalog_search": {"index_path": "/tmp/x"}})
    assert json.loads(recorded[0][0]) == spec.model_dump(by_alias=True, mode="json")


def test_explicit_tool_bindings_win_by_binding_key(recorded):
    def other_handler(args, ctx):
        return None

    replacement = define_tool("lookup", {"q": str}, "Replacement")(other_handler)
    create_runtime(make_spec(lookup), tool_bindings=[replacement])
    assert recorded[0][4] == {"lookup": other_handler}
    assert json.loads(recorded[0][3])[0]["description"] == "Replacement"


# Against the compiled extension -----------------------------------------------------


def test_creates_a_runtime_bound_to_the_tenant():
    runtime = create_runtime(make_spec(lookup), testing={"mock_response": "Hello!"})
    assert isinstance(runtime, Runtime)
    assert type(runtime).__name__ == "PyRuntime"
    assert runtime.resource_id == "acme"
    assert flowai_harness.Runtime is _internal.PyRuntime


def test_native_construction_errors_surface_as_value_errors():
    spec = make_spec()
    with pytest.raises(
        ValueError,
        match=re.escape("unknown interpreter 'magic'; expected noop, scripted, anthropic, openai, live, or replay"),
    ):
        create_runtime(spec, interpreter="magic")
