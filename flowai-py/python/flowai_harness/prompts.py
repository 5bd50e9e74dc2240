"""Layered system prompts with a stable cache key (python-api §11)."""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeAlias

from pydantic import BaseModel

from .tools import ToolSpec

__all__ = ["LayeredPrompt", "layered_prompt"]

TextSection: TypeAlias = str | Sequence[str] | None
StructuredSection: TypeAlias = (
    str | int | float | bool | Decimal | date | BaseModel | Mapping[str, Any] | Sequence[Any] | None
)
ToolPromptInput: TypeAlias = ToolSpec | Mapping[str, Any] | str
ToolRow: TypeAlias = tuple[str, str, str]

_TOOLS_HEADING = "# Tools"
_TABLE_HEADER = "| Tool | Description | Approval |\n| --- | --- | --- |"
_TOOLS_ANCHORS = ("# Identity", "# Communication", "# Operational Rules")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
_SEPARATOR_CELL = re.compile(r":?-+:?")


@dataclass(frozen=True)
class LayeredPrompt:
    """A rendered system prompt and the SHA-256 of its text."""

    text: str
    cache_key: str

    def __str__(self) -> str:
        return self.text


def _prompt(text: str) -> LayeredPrompt:
    return LayeredPrompt(text, hashlib.sha256(text.encode("utf-8")).hexdigest())


def layered_prompt(
    *,
    identity: TextSection,
    communication: TextSection = None,
    operational_rules: TextSection = None,
    tools: Iterable[ToolPromptInput] | None = None,
    domain_knowledge: StructuredSection = None,
    safety: TextSection = None,
    output_format: StructuredSection = None,
    examples: StructuredSection = None,
) -> LayeredPrompt:
    """Render a system prompt from fixed sections, in a fixed order.

    Example:
        >>> prompt = layered_prompt(identity="You are a planner.", safety=["No guessing."])
        >>> print(prompt.text)
        # Identity
        You are a planner.
        <BLANKLINE>
        # Safety
        - No guessing.

    Args:
        identity: who the agent is (text or a list of bullet lines).
        communication: how it talks to the user (text or bullets).
        operational_rules: rules it follows (text or bullets).
        tools: tools documented in a `# Tools` table (`ToolSpec`, mappings
            with `name`/`description`/`approval`, or names).
        domain_knowledge: text, or a JSON-compatible value rendered as a JSON block.
        safety: safety rules (text or bullets).
        output_format: text or a JSON-compatible value.
        examples: text or a JSON-compatible value.

    Raises:
        TypeError: a section or tool entry of an unsupported type.
    """
    bodies = [
        ("Identity", _text_section("identity", identity)),
        ("Communication", _text_section("communication", communication)),
        ("Operational Rules", _text_section("operational_rules", operational_rules)),
        ("Tools", _render_table(_tool_rows(tools or ()))),
        ("Domain Knowledge", _structured_section("domain_knowledge", domain_knowledge)),
        ("Safety", _text_section("safety", safety)),
        ("Output Format", _structured_section("output_format", output_format)),
        ("Examples", _structured_section("examples", examples)),
    ]
    return _prompt("\n\n".join(f"# {heading}\n{body}" for heading, body in bodies if body))


def _text_section(field: str, value: TextSection) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, Sequence) and all(isinstance(item, str) for item in value):
        return "\n".join(f"- {item}" for item in value)
    raise TypeError(f"{field} must be a string or a sequence of strings")


def _structured_section(field: str, value: StructuredSection) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    rendered = json.dumps(_json_value(field, value), ensure_ascii=False, sort_keys=True, indent=2)
    return f"```json\n{rendered}\n```"


def _json_value(field: str, value: Any) -> Any:
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TypeError(f"{field} contains a non-finite float")
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, BaseModel):
        return _json_value(field, value.model_dump(by_alias=True, mode="json"))
    if isinstance(value, Mapping):
        if not all(isinstance(key, str) for key in value):
            raise TypeError(f"{field} mapping keys must be strings")
        return {key: _json_value(field, item) for key, item in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, (bytes, bytearray)):
        return [_json_value(field, item) for item in value]
    raise TypeError(f"{field} contains unsupported value {value!r}")


def _approval_label(approval: Any) -> str:
    if isinstance(approval, str):
        return approval
    kind = approval.get("kind") if isinstance(approval, Mapping) else None
    if isinstance(kind, str):
        return kind
    raise TypeError("tool approval must be a string or a mapping with a string `kind`")


def _tool_row(tool: ToolPromptInput) -> ToolRow:
    if isinstance(tool, ToolSpec):
        return tool.name, tool.description, _approval_label(tool.approval)
    if isinstance(tool, str):
        return tool, "", ""
    if isinstance(tool, Mapping):
        return (
            str(tool.get("name", "")),
            str(tool.get("description", "")),
            _approval_label(tool.get("approval", "")),
        )
    raise TypeError("tools entries must be ToolSpec objects, mappings, or strings")


def _tool_rows(tools: Iterable[ToolPromptInput]) -> list[ToolRow]:
    return _dedupe([_tool_row(tool) for tool in tools])


def _dedupe(rows: Iterable[ToolRow]) -> list[ToolRow]:
    """Keep the first row of each (stripped, non-empty) name."""
    unique: dict[str, ToolRow] = {}
    for name, description, approval in rows:
        key = name.strip()
        if key and key not in unique:
            unique[key] = (key, description, approval)
    return list(unique.values())


def _cell(text: str) -> str:
    return (
        text.replace("|", "\\|").replace("\r\n", " ").replace("\n", " ").replace("\r", " ").strip()
    )


def _render_table(rows: list[ToolRow]) -> str:
    if not rows:
        return ""
    lines = [_TABLE_HEADER]
    for row in sorted(rows, key=lambda row: row[0]):
        lines.append("| " + " | ".join(_cell(cell) for cell in row) + " |")
    return "\n".join(lines)


def augment_prompt_tools(text: str, tools: Iterable[ToolPromptInput]) -> LayeredPrompt:
    """Merge `tools` into the `# Tools` table of `text`, creating the section if needed.

    Rows already in the prompt win over new rows of the same name.
    """
    rows = _tool_rows(tools)
    if not rows:
        return _prompt(text)
    sections = _split_sections(text)
    for index, section in enumerate(sections):
        if _heading(section) == _TOOLS_HEADING:
            sections[index] = _merge_tools_section(section, rows)
            break
    else:
        table = f"{_TOOLS_HEADING}\n{_render_table(rows)}"
        if not any(section.startswith("# ") for section in sections):
            sections.append(table)
        else:
            anchors = [i for i, s in enumerate(sections) if _heading(s) in _TOOLS_ANCHORS]
            sections.insert(anchors[-1] + 1 if anchors else 0, table)
    return _prompt("\n\n".join(sections))


def _heading(section: str) -> str:
    return section.split("\n", 1)[0].strip()


def _split_sections(text: str) -> list[str]:
    chunks: list[list[str]] = [[]]
    for index, line in enumerate(text.split("\n")):
        if index > 0 and line.startswith("# "):
            chunks.append([])
        chunks[-1].append(line)
    sections = ("\n".join(chunk).strip() for chunk in chunks)
    return [section for section in sections if section]


def _merge_tools_section(section: str, rows: list[ToolRow]) -> str:
    """Re-render a `# Tools` section with its own rows first, keeping surrounding prose."""
    heading, *lines = section.split("\n")
    before: list[str] = []
    after: list[str] = []
    existing: list[ToolRow] = []
    in_table = False
    for line in lines:
        stripped = line.strip()
        if len(stripped) > 1 and stripped.startswith("|") and stripped.endswith("|"):
            in_table = True
            row = _parse_row(stripped)
            if row is not None:
                existing.append(row)
        else:
            (after if in_table else before).append(line)
    body = "\n".join([*before, _render_table(_dedupe([*existing, *rows])), *after])
    return f"{heading}\n{body.strip()}"


def _parse_row(line: str) -> ToolRow | None:
    cells = [cell.strip().replace("\\|", "|") for cell in _UNESCAPED_PIPE.split(line)[1:-1]]
    if not cells or cells[0] == "Tool" or all(_SEPARATOR_CELL.fullmatch(c) for c in cells):
        return None
    cells += [""] * (3 - len(cells))
    return cells[0], cells[1], cells[2]
