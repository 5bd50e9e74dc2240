"""References through the real extension (runtime-behavior §11, §4.6; python-api §8,
§16): content addressing, tenant salting, TTL, schema rejection, glimpses, the tool
context's client, the `references` toolkit and a 50 MB value kept out of events."""

from __future__ import annotations

import asyncio
import json
import re
from types import SimpleNamespace

import pytest
from flowai_harness import (
    create_runtime,
    define_reference,
    define_runtime,
    define_specialist,
    define_tenant,
    define_tool,
)
from pydantic import BaseModel
from runtime_support import MODEL, PROVIDERS, collect, script


class Cohort(BaseModel):
    customer_ids: list[str]


COHORT = define_reference("CustomerCohort", Cohort)


def make_runtime(tenant="acme", references=None, tools=None):
    worker = define_specialist("worker", model=MODEL, prompt="Work.", toolkits=["references"], tools=tools or [])
    spec = define_runtime(
        define_tenant(tenant, "v1"),
        agents=[worker],
        providers=PROVIDERS,
        references=references if references is not None else [COHORT],
    )
    return create_runtime(spec, interpreter="scripted")


def results(events, tool):
    return [e["result"] for e in events if e.get("toolName") == tool and e["state"] == "result"]


@pytest.mark.asyncio
async def test_same_value_same_id_and_tenants_salt_ids():
    acme, globex = make_runtime("acme"), make_runtime("globex")
    a = await acme.create_reference(COHORT, {"customer_ids": ["c1", "c2"]})
    again = await acme.create_reference("CustomerCohort", Cohort(customer_ids=["c1", "c2"]))
    other = await acme.create_reference(COHORT, {"customer_ids": ["c3"]})
    g = await globex.create_reference(COHORT, {"customer_ids": ["c1", "c2"]})
    assert a == {"glimpse": {}, "id": a["id"], "kind": "CustomerCohort"}
    assert list(a) == ["glimpse", "id", "kind"]
    assert re.fullmatch(r"[0-9a-f]{24}", a["id"])
    assert again["id"] == a["id"] and other["id"] != a["id"] and g["id"] != a["id"]
    assert await acme.resolve_reference(a) == {"customer_ids": ["c1", "c2"]}
    assert await acme.resolve_reference(SimpleNamespace(kind="CustomerCohort", id=a["id"])) == {"customer_ids": ["c1", "c2"]}
    with pytest.raises(ValueError, match=re.escape(f"reference not found: kind=CustomerCohort id={a['id']}")):
        await globex.resolve_reference(a)
    with pytest.raises(ValueError, match=re.escape(f"reference not found: kind=CustomerCohort id={a['id']}")):
        await globex.reference_glimpse(a)


@pytest.mark.asyncio
async def test_argument_errors_and_schema_rejection_are_raised_when_awaited():
    runtime = make_runtime()
    cases = [
        (runtime.create_reference("", {}), "reference kind must not be empty"),
        (runtime.create_reference(SimpleNamespace(name=3), {}), "reference must provide string field 'name'"),
        (runtime.create_reference(SimpleNamespace(name="CustomerCohort", glimpse=3), {}), "ReferenceSpec.glimpse must be callable or None"),
        (runtime.create_reference("Nope", {}), "unknown reference kind: Nope"),
        (runtime.resolve_reference({"id": "x"}), "reference must provide string field 'kind'"),
        (runtime.resolve_reference({"kind": "CustomerCohort"}), "reference must provide string field 'id'"),
        (runtime.reference_glimpse({"kind": "CustomerCohort", "id": ""}), "id must not be empty"),
        (runtime.resolve_reference({"kind": "", "id": "x"}), "kind must not be empty"),
        (runtime.resolve_reference({"kind": "Nope", "id": "x"}), "unknown reference kind: Nope"),
        (runtime.resolve_reference({"kind": "CustomerCohort", "id": "x"}), "reference not found: kind=CustomerCohort id=x"),
        (
            runtime.create_reference(COHORT, {"ids": []}),
            """schema validation failed for kind 'CustomerCohort': ["\\"customer_ids\\" is a required property"]""",
        ),
    ]
    for pending, message in cases:
        with pytest.raises(ValueError) as info:
            await pending
        assert str(info.value) == message


@pytest.mark.asyncio
async def test_glimpse_callback_runs_once_with_the_original_value_unless_overridden():
    seen = []

    def summarize(value):
        seen.append(value)
        return {"count": len(value.customer_ids)}

    kind = define_reference("CustomerCohort", Cohort, glimpse=summarize)
    runtime = make_runtime(references=[kind])
    cohort = Cohort(customer_ids=["c1", "c2"])
    handle = await runtime.create_reference(kind, cohort)
    assert seen == [cohort] and seen[0] is cohort
    assert handle["glimpse"] == {"count": 2}
    assert await runtime.reference_glimpse(handle) == {"count": 2}
    explicit = await runtime.create_reference(kind, cohort, glimpse={"label": "vip"})
    assert len(seen) == 1
    assert explicit["id"] == handle["id"]
    assert await runtime.reference_glimpse(handle) == {"label": "vip"}
    assert (await runtime.create_reference("CustomerCohort", cohort))["glimpse"] == {}
    assert len(seen) == 1


@pytest.mark.asyncio
async def test_references_expire_after_ttl_ms():
    kind = define_reference("CustomerCohort", Cohort, ttl_ms=30)
    runtime = make_runtime(references=[kind])
    handle = await runtime.create_reference(kind, {"customer_ids": []})
    assert await runtime.resolve_reference(handle) == {"customer_ids": []}
    await asyncio.sleep(0.08)
    with pytest.raises(ValueError, match=re.escape(f"reference not found: kind=CustomerCohort id={handle['id']}")):
        await runtime.resolve_reference(handle)


@pytest.mark.asyncio
async def test_resolve_ref_and_glimpse_ref_through_the_scripted_interpreter():
    runtime = make_runtime()
    handle = await runtime.create_reference(COHORT, {"customer_ids": ["c1"]}, glimpse={"count": 1})
    ref = {"kind": "CustomerCohort", "id": handle["id"]}
    prompt = script(("resolveRef", ref), ("glimpseRef", ref), ("resolveRef", {"kind": "CustomerCohort"}))
    events = await collect(runtime.run_specialist("worker", prompt, thread_id="t"))
    assert results(events, "resolveRef") == [
        {"glimpse": {"count": 1}, "kind": "CustomerCohort", "value": {"customer_ids": ["c1"]}},
        {"error": "Invalid input: missing field `id`"},
    ]
    assert results(events, "glimpseRef") == [{"glimpse": {"count": 1}, "kind": "CustomerCohort"}]


@pytest.mark.asyncio
async def test_a_50_mb_value_round_trips_through_ctx_references_without_reaching_events():
    blob = define_reference("Blob", {"data": str})
    big = "x" * (50 * 1024 * 1024)

    async def make(args, ctx):
        handle = await ctx.references.create(blob, {"data": big}, glimpse={"bytes": len(big)})
        assert (await ctx.references.resolve(handle))["data"] == big
        assert await ctx.references.glimpse(handle) == {"bytes": len(big)}
        return handle

    tool = define_tool("make_blob", {}, description="Make a blob")(make)
    runtime = make_runtime(references=[blob], tools=[tool])
    events = await collect(runtime.run_specialist("worker", script(("make_blob", {})), thread_id="t"))
    [handle] = results(events, "make_blob")
    assert handle["glimpse"] == {"bytes": len(big)}
    assert len(json.dumps(events)) < 10_000
    value = await runtime.resolve_reference(handle)
    assert value["data"] == big
    direct = await runtime.create_reference(blob, {"data": big})
    assert direct["id"] == handle["id"]
