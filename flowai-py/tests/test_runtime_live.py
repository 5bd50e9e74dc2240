"""A live interpreter through Python against a real HTTP server on loopback that speaks the
Anthropic Messages wire format, recorded to a cassette and replayed offline."""

from __future__ import annotations

import json
import pathlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flowai_harness import create_runtime, define_runtime, define_specialist, define_tenant, define_tool
from runtime_support import MODEL, collect

FIXTURES = pathlib.Path(__file__).parent / "fixtures"


class FakeAnthropic:
    """Serves the fixture streams in order and records the request bodies."""

    def __init__(self, replies: list[str]):
        self.replies = [(FIXTURES / name).read_bytes() for name in replies]
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers["content-length"]))
                outer.requests.append({"path": self.path, "key": self.headers.get("x-api-key"), "body": json.loads(body)})
                reply = outer.replies.pop(0)
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("content-length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def weather_spec(base_url: str | None):
    @define_tool("get_weather", {"city": str, "unit": str})
    def get_weather(args, ctx):
        return {"temperature": 3, "city": args["city"]}

    provider = {"apiKey": "test-secret-key"}
    if base_url:
        provider["baseUrl"] = base_url
    agents = [define_specialist("weather", model=MODEL, prompt="You report the weather.", tools=[get_weather])]
    return define_runtime(define_tenant("acme", "v1"), agents=agents, providers={"anthropic": provider})


def comparable(events: list[dict]) -> list[dict]:
    """Events without what legitimately differs between runs (ids, timings)."""
    out = []
    for e in events:
        e = dict(e)
        if e["type"] == "tool-agent":
            e["toolInvocationId"] = "inv"
        if e["type"] == "data-latency-summary":
            e["data"] = {k: v for k, v in e["data"].items() if k in ("phases",)}
            e["data"]["phases"] = {"llmCalls": e["data"]["phases"]["llmCalls"]}
        out.append(e)
    return out


@pytest.mark.asyncio
async def test_anthropic_over_loopback_then_replay(tmp_path):
    server = FakeAnthropic(["tool_use_1.sse", "tool_use_2.sse"])
    cassette = tmp_path / "run.jsonl"
    try:
        runtime = create_runtime(weather_spec(server.url), interpreter="anthropic", record_to=cassette)
        live = await collect(runtime.run_specialist("weather", "Weather in Oslo?", thread_id="t"))
    finally:
        server.close()
    texts = [e["text"] for e in live if e["type"] == "text"]
    assert texts == ["Let me check the weather.", "It is 3 °C ", "in Oslo."]
    calls = [e for e in live if e["type"] == "tool-invocation"]
    assert calls[0]["args"] == {"city": "Oslo", "unit": "celsius"} and calls[0]["toolName"] == "get_weather"
    assert calls[1]["result"] == {"city": "Oslo", "temperature": 3}
    assert [e["finishReason"] for e in live if e["type"] == "finish"] == ["tool-calls", "stop"]
    first, second = server.requests
    assert first["path"] == "/v1/messages" and first["key"] == "test-secret-key"
    assert first["body"]["model"] == MODEL and first["body"]["stream"] is True
    assert first["body"]["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert [t["name"] for t in first["body"]["tools"]] == ["get_weather"]
    assert any(block.get("type") == "tool_result" for m in second["body"]["messages"] for block in (m["content"] if isinstance(m["content"], list) else []))
    assert "test-secret-key" not in cassette.read_text() and "test-secret-key" not in json.dumps(live)

    replayed = await collect(
        create_runtime(weather_spec(None), interpreter="replay", replay_from=cassette).run_specialist("weather", "Weather in Oslo?", thread_id="t")
    )
    assert comparable(replayed) == comparable(live)


def test_replay_arguments_are_checked(tmp_path):
    with pytest.raises(ValueError, match="replay_from requires interpreter='replay'"):
        create_runtime(weather_spec(None), replay_from=tmp_path / "x.jsonl")
    with pytest.raises(ValueError, match="interpreter='replay' requires replay_from"):
        create_runtime(weather_spec(None), interpreter="replay")
    with pytest.raises(ValueError, match="record_to requires a live interpreter"):
        create_runtime(weather_spec(None), interpreter="scripted", record_to=tmp_path / "x.jsonl")
