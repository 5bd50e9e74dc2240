"""The shared prompt fixtures (flowai/tests/fixtures/prompts): Python's `layered_prompt`
and `augment_prompt_tools` render each input to exactly the expected text, the same
fixtures the Rust `LayeredPrompt` builder is checked against (python-api §11)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from flowai_harness import layered_prompt
from flowai_harness.prompts import augment_prompt_tools

FIXTURES = Path(__file__).resolve().parents[2] / "flowai" / "tests" / "fixtures" / "prompts"
CASES = sorted(FIXTURES.glob("*.json"))


def test_the_fixture_set_is_present():
    assert len(CASES) >= 10


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_fixture_renders_byte_identically(path):
    case = json.loads(path.read_text(encoding="utf-8"))
    expected = path.with_suffix(".txt").read_text(encoding="utf-8")
    if case["kind"] == "augment":
        prompt = augment_prompt_tools(case["text"], case["tools"])
    else:
        prompt = layered_prompt(**case["input"])
    assert prompt.text == expected
    assert prompt.cache_key == case["cache_key"] == hashlib.sha256(expected.encode("utf-8")).hexdigest()
