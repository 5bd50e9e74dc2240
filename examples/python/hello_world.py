"""The documented hello world (events.md §4.1): a coordinator on the testing interpreter.

Run: python examples/python/hello_world.py
"""

import asyncio

from flowai_harness import (
    TestingConfig,
    create_runtime,
    define_coordinator,
    define_runtime,
    define_specialist,
    define_tenant,
)


def build_runtime():
    coordinator = define_coordinator(
        "hello_coordinator",
        model="claude-sonnet-4-6",
        prompt="You greet people.",
        routes=["greeter"],
    )
    greeter = define_specialist("greeter", model="claude-sonnet-4-6", prompt="Say hello.")
    spec = define_runtime(
        define_tenant("acme", "v1"),
        agents=[coordinator, greeter],
        providers={"anthropic": {"apiKey": "unused"}},
    )
    return create_runtime(spec, testing=TestingConfig(mock_response="hello from the Rust runtime"))


async def main() -> None:
    runtime = build_runtime()
    async for event in runtime.query("Say hello", thread_id="thread-1"):
        print(event)


if __name__ == "__main__":
    asyncio.run(main())
