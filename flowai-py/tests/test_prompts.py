"""layered_prompt rendering and the private tool-row augmentation (python-api §11)."""

import dataclasses
import hashlib
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from pydantic import BaseModel, Field

from flowai_harness import LayeredPrompt, define_tool, layered_prompt
from flowai_harness.prompts import augment_prompt_tools

TABLE_HEADER = "| Tool | Description | Approval |\n| --- | --- | --- |"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_identity_only():
    prompt = layered_prompt(identity="  You are a planner.  \n")
    assert prompt.text == "# Identity\nYou are a planner."
    assert prompt.cache_key == sha(prompt.text)
    assert str(prompt) == prompt.text


def test_every_section_in_order():
    prompt = layered_prompt(
        identity="Id.",
        communication=["Be brief.", "Be kind."],
        operational_rules="Rule.",
        tools=["lookup"],
        domain_knowledge={"b": 1, "a": [True, None]},
        safety=["No secrets."],
        output_format="Markdown.",
        examples=[{"q": "hi"}],
    )
    assert prompt.text == (
        "# Identity\nId.\n\n"
        "# Communication\n- Be brief.\n- Be kind.\n\n"
        "# Operational Rules\nRule.\n\n"
        f"# Tools\n{TABLE_HEADER}\n| lookup |  |  |\n\n"
        '# Domain Knowledge\n```json\n{\n  "a": [\n    true,\n    null\n  ],\n  "b": 1\n}\n```\n\n'
        "# Safety\n- No secrets.\n\n"
        "# Output Format\nMarkdown.\n\n"
        '# Examples\n```json\n[\n  {\n    "q": "hi"\n  }\n]\n```'
    )


def test_empty_sections_are_omitted():
    prompt = layered_prompt(
        identity="Id.",
        communication="   ",
        operational_rules=[],
        tools=[],
        safety=None,
        domain_knowledge="",
        examples=None,
    )
    assert prompt.text == "# Identity\nId."


def test_structured_values_are_json_normalised():
    class Item(BaseModel):
        unit_price: Decimal = Field(alias="unitPrice")

    prompt = layered_prompt(
        identity="Id.",
        domain_knowledge={
            "when": date(2024, 1, 2),
            "at": datetime(2024, 1, 2, 3, 4, 5),
            "price": Decimal("1.10"),
            "ratio": 0.5,
            "item": Item(unitPrice=Decimal("2")),
            "names": ("é", "b"),
        },
        output_format=3,
    )
    assert prompt.text.split("\n\n")[1] == (
        "# Domain Knowledge\n```json\n{\n"
        '  "at": "2024-01-02T03:04:05",\n'
        '  "item": {\n    "unitPrice": "2"\n  },\n'
        '  "names": [\n    "é",\n    "b"\n  ],\n'
        '  "price": "1.10",\n'
        '  "ratio": 0.5,\n'
        '  "when": "2024-01-02"\n}\n```'
    )
    assert prompt.text.endswith("# Output Format\n```json\n3\n```")


def test_key_order_does_not_change_the_prompt():
    first = layered_prompt(identity="Id.", domain_knowledge={"a": 1, "b": 2})
    second = layered_prompt(identity="Id.", domain_knowledge={"b": 2, "a": 1})
    assert first == second
    assert first.cache_key == second.cache_key
    assert layered_prompt(identity="Other.") != first


def test_layered_prompt_is_a_frozen_dataclass():
    prompt = layered_prompt(identity="Id.")
    assert dataclasses.is_dataclass(prompt)
    with pytest.raises(dataclasses.FrozenInstanceError):
        prompt.text = "x"
    assert LayeredPrompt("a", "b").cache_key == "b"


@pytest.mark.parametrize("field", ["identity", "communication", "operational_rules", "safety"])
@pytest.mark.parametrize("value", [5, ["ok", 3], {"a": "b"}])
def test_text_section_type_errors(field, value):
    kwargs = {"identity": "Id.", field: value}
    with pytest.raises(TypeError, match=f"^{field} must be a string or a sequence of strings$"):
        layered_prompt(**kwargs)


@pytest.mark.parametrize("field", ["domain_knowledge", "output_format", "examples"])
def test_structured_section_errors(field):
    with pytest.raises(TypeError, match=f"^{field} contains a non-finite float$"):
        layered_prompt(identity="Id.", **{field: [float("nan")]})
    with pytest.raises(TypeError, match=f"^{field} contains a non-finite float$"):
        layered_prompt(identity="Id.", **{field: float("inf")})
    with pytest.raises(TypeError, match=f"^{field} mapping keys must be strings$"):
        layered_prompt(identity="Id.", **{field: {1: "a"}})
    with pytest.raises(
        TypeError, match=f"^{re.escape(f'{field} contains unsupported value {{1}}')}$"
    ):
        layered_prompt(identity="Id.", **{field: {"s": {1}}})


def test_tools_rows_are_deduplicated_sorted_and_escaped():
    search = define_tool("search", {"q": str}, "Find | filter\nrows", approval="always")
    prompt = layered_prompt(
        identity="Id.",
        tools=[
            search,
            {
                "name": " alpha ",
                "description": "First",
                "approval": {"kind": "dynamic", "value": "p"},
            },
            "search",
            {"name": "", "description": "dropped"},
            {"name": "beta"},
            {"name": "alpha", "description": "duplicate"},
        ],
    )
    assert prompt.text == (
        "# Identity\nId.\n\n"
        f"# Tools\n{TABLE_HEADER}\n"
        "| alpha | First | dynamic |\n"
        "| beta |  |  |\n"
        "| search | Find \\| filter rows | always |"
    )


@pytest.mark.parametrize("approval", [None, 3, {"kind": 1}, {"value": "x"}])
def test_tool_approval_label_errors(approval):
    with pytest.raises(
        TypeError,
        match=re.escape("tool approval must be a string or a mapping with a string `kind`"),
    ):
        layered_prompt(identity="Id.", tools=[{"name": "t", "approval": approval}])


def test_augment_exact_example():
    prompt = augment_prompt_tools(
        "You are a specialist.",
        [{"name": "search_catalog", "description": "Search catalog entities."}],
    )
    assert prompt.text == (
        "You are a specialist.\n\n# Tools\n| Tool | Description | Approval |\n"
        "| --- | --- | --- |\n| search_catalog | Search catalog entities. |  |"
    )
    assert prompt.cache_key == sha(prompt.text)


def test_augment_without_rows_keeps_text():
    prompt = augment_prompt_tools("  raw text  ", [])
    assert prompt == LayeredPrompt("  raw text  ", sha("  raw text  "))


def test_augment_inserts_after_the_last_leading_section():
    base = layered_prompt(identity="Id.", operational_rules="Rules.", safety="Safe.")
    prompt = augment_prompt_tools(base.text, ["t"])
    assert prompt.text == (
        "# Identity\nId.\n\n# Operational Rules\nRules.\n\n"
        f"# Tools\n{TABLE_HEADER}\n| t |  |  |\n\n# Safety\nSafe."
    )


def test_augment_inserts_first_when_no_leading_section():
    prompt = augment_prompt_tools("# Safety\nSafe.", ["t"])
    assert prompt.text == f"# Tools\n{TABLE_HEADER}\n| t |  |  |\n\n# Safety\nSafe."


def test_augment_matches_layered_prompt_rendering():
    tools = [{"name": "b", "description": "B", "approval": "runtime"}, "a"]
    direct = layered_prompt(identity="Id.", communication="Talk.", safety="Safe.", tools=tools)
    augmented = augment_prompt_tools(
        layered_prompt(identity="Id.", communication="Talk.", safety="Safe.").text, tools
    )
    assert augmented == direct


def test_augment_merges_into_existing_table_and_existing_rows_win():
    base = layered_prompt(
        identity="Id.",
        tools=[{"name": "execute_query", "description": "Custom | text", "approval": "always"}],
        safety="Safe.",
    )
    prompt = augment_prompt_tools(
        base.text,
        [
            {"name": "execute_query", "description": "Native text", "approval": "runtime"},
            {"name": "search_catalog", "description": "Search.", "approval": "runtime"},
        ],
    )
    assert prompt.text == (
        "# Identity\nId.\n\n"
        f"# Tools\n{TABLE_HEADER}\n"
        "| execute_query | Custom \\| text | always |\n"
        "| search_catalog | Search. | runtime |\n\n"
        "# Safety\nSafe."
    )
    assert prompt.text.count("execute_query") == 1


def test_augment_is_idempotent():
    rows = [{"name": "x", "description": "X | y", "approval": "runtime"}, "z"]
    once = augment_prompt_tools("Plain prompt.", rows)
    assert augment_prompt_tools(once.text, rows) == once


def test_augment_keeps_prose_in_a_hand_written_tools_section():
    text = f"# Identity\nId.\n\n# Tools\nUse tools sparingly.\n{TABLE_HEADER}\n| a | A |  |"
    prompt = augment_prompt_tools(text, ["b"])
    assert prompt.text == (
        "# Identity\nId.\n\n# Tools\nUse tools sparingly.\n"
        f"{TABLE_HEADER}\n| a | A |  |\n| b |  |  |"
    )
