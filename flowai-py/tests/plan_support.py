"""The coordinator -> planner -> executor topology of events.md §4.5 (not a test module)."""

from __future__ import annotations

import json
from typing import Any

from flowai_harness import (
    create_runtime,
    define_coordinator,
    define_executor,
    define_plan,
    define_planner,
    define_runtime,
    define_tenant,
)
from runtime_support import MODEL, PROVIDERS, script

DEMO_SCHEMA = {
    "type": "object",
    "properties": {
        "goal": {"type": "string"},
        "actions": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"kind": {"type": "string"}, "message": {"type": "string"}},
                "required": ["kind"],
            },
        },
    },
    "required": ["actions"],
}

BODY = {"goal": "count", "actions": [{"kind": "record_counter", "message": "one"}, {"kind": "record_counter", "message": "two"}]}


def plan_runtime(dispatcher: Any = None, executor_approval: Any = None, references: Any = None, **kwargs: Any):
    plan = define_plan("DemoPlan", DEMO_SCHEMA)
    agents = [
        define_coordinator("coordinator", model=MODEL, prompt="Route.", routes=["planner", "executor"]),
        define_planner("planner", model=MODEL, prompt="Plan.", plan=plan),
        define_executor("executor", model=MODEL, prompt="Execute.", plan=plan, approval=executor_approval),
    ]
    spec = define_runtime(define_tenant("acme", "v1"), agents=agents, providers=PROVIDERS, references=references)
    return create_runtime(spec, interpreter="scripted", action_dispatcher=dispatcher, **kwargs)


def store_script(body: Any = None, plan_id: str = "demo-plan-1") -> str:
    return script(("storePlan", {"specName": "DemoPlan", "planId": plan_id, "body": BODY if body is None else body}))


def flow_prompt(plan_id: str = "demo-plan-1") -> str:
    return json.dumps(
        {
            "script": [
                {"tool": "call_agent", "args": {"agent": "planner", "prompt": store_script(plan_id=plan_id)}},
                {"tool": "call_agent", "args": {"agent": "executor", "prompt": script(("executePlan", {"planId": plan_id}))}},
            ]
        }
    )
