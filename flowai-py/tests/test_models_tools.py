"""define_tool, ToolSpec approval normalisation and handler binding (python-api §9)."""

import re

import pydantic
import pytest

from flowai_harness import ToolSpec, define_tool

APPROVAL_SHAPE = "approval must be 'never', 'always', or a callable dynamic policy"


def test_wire_example():
    tool = define_tool(
        name="search_products",
        description="Search products",
        input_schema={"query": str, "limit": int},
        approval="never",
    )
    assert tool.model_dump(by_alias=True, mode="json") == {
        "name": "search_products",
        "description": "Search products",
        "inputSchema": {
            "type": "object",
            "properties": {"query": {"type": "string"}, "limit": {"type": "integer"}},
            "required": ["query", "limit"],
        },
        "approval": {"kind": "never"},
        "outputSchema": None,
        "bindingId": None,
    }


def test_defaults():
    tool = define_tool("t", {"q": str})
    assert (tool.description, tool.approval, tool.output_schema, tool.binding_id) == (
        "",
        {"kind": "never"},
        None,
        None,
    )
    assert tool.handler is None and tool.approval_handler is None


def test_decorator_with_positional_arguments():
    @define_tool("echo", {"value": str}, approval="never")
    def echo(args, ctx):
        return args

    assert isinstance(echo, ToolSpec)
    assert echo.name == "echo"
    assert echo.handler({"value": 1}, None) == {"value": 1}


def test_decorator_with_keyword_arguments():
    async def search(args, ctx):
        return []

    decorated = define_tool(name="search", input_schema={"query": str})(search)
    assert decorated.handler is search
    assert decorated.input_schema["required"] == ["query"]


def test_bind_returns_a_new_spec_and_keeps_fields():
    def predicate(args, ctx):
        return True

    def handler(args, ctx):
        return None

    spec = define_tool("t", {"q": str}, "desc", approval=predicate, binding_id="b")
    bound = spec.bind(handler)
    assert bound is not spec and spec.handler is None
    assert bound.handler is handler
    assert bound.approval_handler is predicate
    assert bound.model_dump() == spec.model_dump()
    assert spec(handler) == bound


def test_callable_approval_becomes_dynamic_named_after_the_tool():
    def gate(args, ctx):
        return args["amount"] > 100

    tool = define_tool("refund", {"amount": int}, approval=gate)
    assert tool.approval == {"kind": "dynamic", "value": "refund_approval"}
    assert tool.approval_handler is gate
    assert tool.model_dump(by_alias=True)["approval"] == {
        "kind": "dynamic",
        "value": "refund_approval",
    }


def test_callable_approval_uses_the_binding_id_when_given():
    tool = define_tool(
        "refund", {"amount": int}, approval=lambda a, c: True, binding_id="refund_v2"
    )
    assert tool.approval == {"kind": "dynamic", "value": "refund_v2"}
    assert tool.binding_id == "refund_v2"


def test_explicit_approval_handler_is_kept():
    def explicit(args, ctx):
        return False

    tool = ToolSpec(
        name="t", input_schema={}, approval=lambda a, c: True, approval_handler=explicit
    )
    assert tool.approval_handler is explicit


def test_callable_approval_requires_a_tool_name():
    with pytest.raises(
        pydantic.ValidationError, match="approval callable requires a non-empty tool name"
    ):
        define_tool("", {"q": str}, approval=lambda a, c: True)


@pytest.mark.parametrize(
    ("approval", "expected"),
    [
        ("always", {"kind": "always"}),
        ({"kind": "never"}, {"kind": "never"}),
        ({"kind": "always", "value": "x"}, {"kind": "always"}),
        ({"kind": "dynamic", "value": "pred"}, {"kind": "dynamic", "value": "pred"}),
    ],
)
def test_static_and_mapping_approvals(approval, expected):
    assert define_tool("t", {}, approval=approval).approval == expected


@pytest.mark.parametrize(
    ("approval", "message"),
    [
        ("default", APPROVAL_SHAPE),
        ("sometimes", APPROVAL_SHAPE),
        (None, APPROVAL_SHAPE),
        (3, APPROVAL_SHAPE),
        ({"kind": "maybe"}, APPROVAL_SHAPE),
        ({"kind": "dynamic"}, "approval dynamic value must be a non-empty binding id"),
        ({"kind": "dynamic", "value": ""}, "approval dynamic value must be a non-empty binding id"),
    ],
)
def test_invalid_approvals(approval, message):
    with pytest.raises(pydantic.ValidationError, match=re.escape(message)):
        define_tool("t", {}, approval=approval)


def test_model_validate_normalises_dict_input():
    tool = ToolSpec.model_validate(
        {"name": "t", "inputSchema": {"q": str}, "approval": "always", "bindingId": "b"}
    )
    assert tool.approval == {"kind": "always"}
    assert tool.binding_id == "b"
    assert tool.input_schema["properties"] == {"q": {"type": "string"}}


def test_output_schema_is_normalised_when_given():
    tool = define_tool("t", {"q": str}, output_schema={"hits": list[str]})
    assert tool.output_schema == {
        "type": "object",
        "properties": {"hits": {"type": "array", "items": {"type": "string"}}},
        "required": ["hits"],
    }


def test_unsupported_schema_raises_type_error():
    with pytest.raises(TypeError, match="unsupported schema input"):
        define_tool("t", object())


def test_tool_spec_is_frozen():
    tool = define_tool("t", {})
    with pytest.raises(pydantic.ValidationError):
        tool.name = "u"
