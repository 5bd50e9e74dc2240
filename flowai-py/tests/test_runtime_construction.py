"""Native construction checks through the real extension (runtime-behavior §2), the
NotImplementedError of features that land later, and a runtime that keeps serving good
requests after bad ones."""

from __future__ import annotations

import json
import re

import pytest
from flowai_harness import (
    ApprovalPolicies,
    ToolkitSpec,
    _internal,
    create_runtime,
    define_coordinator,
    define_executor,
    define_plan,
    define_runtime,
    define_specialist,
    define_tenant,
    define_tool,
)
from runtime_support import MODEL, PROVIDERS, W1_PROMPT, collect, script, w1_runtime


def spec_with(*agents, providers=PROVIDERS, **kwargs):
    return define_runtime(define_tenant("acme", "v1"), agents=list(agents), providers=providers, **kwargs)


def worker(**kwargs):
    return define_specialist("worker", model=kwargs.pop("model", MODEL), prompt="Work.", **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"interpreter": "gpt"}, "unknown interpreter 'gpt'; expected noop, scripted, anthropic, openai, live, or replay"),
    ],
)
def test_interpreter_key(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        create_runtime(spec_with(worker()), **kwargs)


def test_anthropic_interpreter_checks(monkeypatch):
    with pytest.raises(ValueError, match=re.escape("interpreter='anthropic' requires an anthropic provider")):
        create_runtime(spec_with(worker(model="other"), providers={"x": {}}), interpreter="anthropic")
    monkeypatch.delenv("FLOWAI_TEST_KEY", raising=False)
    bad = {"anthropic": {"apiKeyEnv": "FLOWAI_TEST_KEY"}}
    with pytest.raises(ValueError, match=re.escape("anthropic provider requires apiKey or apiKeyEnv resolving to an environment variable")):
        create_runtime(spec_with(worker(), providers=bad), interpreter="anthropic")
    monkeypatch.setenv("FLOWAI_TEST_KEY", "secret")
    runtime = create_runtime(spec_with(worker(), providers=bad), interpreter="anthropic")
    assert runtime.resource_id == "acme"  # a usable key: the live interpreter is built


def test_provider_checks_name_the_first_failing_agent():
    coordinator = define_coordinator("hello_coordinator", model=MODEL, prompt="Hi.", routes=["worker"])
    with pytest.raises(ValueError) as err:
        create_runtime(spec_with(coordinator, worker(), providers={}))
    assert str(err.value) == (
        "agent 'hello_coordinator' references provider 'anthropic' for model 'claude-sonnet-4-6', "
        "but no such provider is declared in RuntimeSpec.providers"
    )
    providers = {"anthropic": {"apiKey": "unused"}, "openai-compatible": {}}
    with pytest.raises(ValueError) as err:
        create_runtime(spec_with(worker(model="gpt-4o"), providers=providers))
    assert str(err.value) == (
        "agent 'worker' references provider 'openai-compatible' for model 'gpt-4o', "
        "but no ChatInterpreter is registered for that provider"
    )


def test_catalog_toolkit_needs_a_search_index():
    with pytest.raises(ValueError) as err:
        create_runtime(spec_with(worker(toolkits=["catalog"])))
    assert str(err.value) == (
        "agent 'worker' uses the catalog toolkit, but catalog search is not configured; "
        "pass data_environment.catalog_search.index_path or inject a CatalogSearchBackend"
    )


def test_dynamic_floor_without_predicate_and_collisions():
    spec = spec_with(worker(), approval_policies=ApprovalPolicies(tools={"kind": "dynamic", "value": "p"}))
    with pytest.raises(ValueError, match=re.escape("approval policy error: dynamic approval predicate 'p' is not registered")):
        create_runtime(spec)
    clash = define_tool("call_agent", {"x": str})(lambda args, ctx: {})
    coordinator = define_coordinator("c", model=MODEL, prompt="Route.", routes=["worker"], tools=[clash])
    with pytest.raises(ValueError, match=re.escape("toolkit composition error: dispatcher collisions: agent 'c'")):
        create_runtime(spec_with(coordinator, worker()))


def test_native_toolkit_config_error():
    with pytest.raises(ValueError, match=re.escape("toolkit 'references' config is malformed: ")):
        spec_with(worker(toolkits=["references"]), toolkits=[ToolkitSpec(id="references", config={"tools": 3})])
    wire = spec_with(worker(toolkits=["references"])).model_dump(by_alias=True, mode="json")
    wire["toolkits"][0]["config"] = {"tools": 3}
    with pytest.raises(ValueError, match=re.escape("toolkit composition error: toolkit 'references' config is malformed: ")):
        _internal.create_runtime(json.dumps(wire), "acme", "{}", "[]", {}, {}, None, [], "noop", None, {}, None)


def test_mock_response_needs_noop_natively_and_reserved_services():
    spec_json = json.dumps(spec_with(worker()).model_dump(by_alias=True, mode="json"))
    args = [spec_json, "acme", "{}", "[]", {}, {}, None, [], "scripted", "hi", {}, None]
    with pytest.raises(ValueError, match=re.escape("mock_response requires interpreter='noop'")):
        _internal.create_runtime(*args)
    args[8], args[9], args[10] = "noop", None, {"references": 1}
    with pytest.raises(ValueError, match=re.escape("services key 'references' is reserved by the runtime tool context")):
        _internal.create_runtime(*args)


def test_unknown_wire_key_is_the_stale_extension_error():
    wire = spec_with(worker()).model_dump(by_alias=True, mode="json")
    wire["agents"][0]["temperature"] = 0.2
    with pytest.raises(ValueError, match="unknown field `temperature`"):
        _internal.create_runtime(json.dumps(wire), "acme", "{}", "[]", {}, {}, None, [], "noop", None, {}, None)


@pytest.mark.parametrize(
    ("build", "feature"),
    [
        (
            lambda: create_runtime(spec_with(worker()), data_environment={"catalog": {"kind": "empty"}}),
            "data_environment.catalog is not implemented yet",
        ),
        (
            lambda: create_runtime(spec_with(worker()), target_database_url="sqlite:/tmp/x.db"),
            "data_environment.targetDatabaseUrl is not implemented yet",
        ),
    ],
)
def test_features_of_later_releases_raise_not_implemented(build, feature):
    with pytest.raises(NotImplementedError, match=re.escape(feature)):
        build()


@pytest.mark.asyncio
async def test_later_features_on_the_handle_say_so():
    runtime = w1_runtime(lambda args, ctx: {})
    with pytest.raises(ValueError, match=re.escape("unknown reference kind: ProductSet")):
        await runtime.create_reference("ProductSet", {"ids": []})
    with pytest.raises(ValueError, match=re.escape("approval outcome must be approve, reject, or revise; got maybe")):
        runtime.respond_to_approval("a-1", "maybe")
    with pytest.raises(ValueError, match=re.escape("approval not found: a-1")):
        await runtime.respond_to_approval("a-1", "approve")
    # The decision is looked up when awaited, not when called.
    pending = runtime.respond_to_approval("a-2", "approve")
    with pytest.raises(ValueError, match=re.escape("approval not found: a-2")):
        await pending
    assert runtime.resource_id == "acme"


@pytest.mark.asyncio
async def test_reference_tools_of_an_unknown_kind_are_tool_errors():
    plan = define_plan("DemoPlan", {"type": "object"})
    executor = define_executor("executor", model=MODEL, prompt="Execute.", plan=plan)
    coordinator = define_coordinator("c", model=MODEL, prompt="Route.", routes=["executor"])
    runtime = create_runtime(spec_with(coordinator, executor), interpreter="scripted")
    prompt = script(("call_agent", {"agent": "executor", "prompt": script(("resolveRef", {"kind": "K", "id": "i"}))}))
    events = await collect(runtime.query(prompt, thread_id="t"))
    results = [e["result"] for e in events if e.get("toolName") == "resolveRef" and e["state"] == "result"]
    assert results == [{"error": "unknown reference kind: K"}]
    assert events[-1]["type"] == "tool-agent" and events[-1]["state"] == "result"
    no_coordinator = create_runtime(spec_with(executor), interpreter="scripted")
    events = await collect(no_coordinator.query("hi", thread_id="t"))
    assert events == [{"error": {"message": "no coordinator agent registered in the spec"}, "type": "error"}]


async def good_run_still_works(runtime):
    events = await collect(runtime.query(W1_PROMPT, thread_id="after"))
    assert events[-1]["type"] == "tool-agent" and events[-1]["state"] == "result"
    assert events[7] == {"text": '{"price":9.99,"sku":"SKU-1"}', "type": "text"}


@pytest.mark.asyncio
async def test_the_runtime_keeps_serving_after_each_bad_request():
    calls = {"n": 0}

    def search(args, ctx):
        calls["n"] += 1
        if args["query"] == "raise":
            raise RuntimeError("warehouse down")
        return {"sku": "SKU-1", "price": 9.99}

    runtime = w1_runtime(search)
    bad_route = script(("call_agent", {"agent": "nobody", "prompt": "x"}))
    events = await collect(runtime.query(bad_route, thread_id="t"))
    assert events[3]["result"] == {"error": "Agent 'nobody' is not in this caller's allowed routes: [\"product_insights\"]"}
    await good_run_still_works(runtime)

    raising = script(("call_agent", {"agent": "product_insights", "prompt": script(("search_products", {"query": "raise"}))}))
    events = await collect(runtime.query(raising, thread_id="t"))
    assert {"error": "RuntimeError: warehouse down"} in [e.get("result") for e in events]
    await good_run_still_works(runtime)

    events = await collect(runtime.query("{not json", thread_id="t"))
    assert events[2] == {"text": "{not json", "type": "text"}
    await good_run_still_works(runtime)

    events = await collect(runtime.run_specialist("ghost", "hi"))
    assert events == [{"error": {"message": "specialist 'ghost' not found"}, "type": "error"}]
    events = await collect(runtime.run_specialist("coordinator", "hi"))
    assert events == [{"error": {"message": "agent 'coordinator' is not a specialist"}, "type": "error"}]
    await good_run_still_works(runtime)
    assert calls["n"] == 5
