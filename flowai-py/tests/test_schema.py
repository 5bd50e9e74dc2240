"""normalize_schema: JSON Schema passthrough, type maps, models and $defs inlining (§12)."""

import re
from typing import Optional

import pytest
from pydantic import BaseModel

from flowai_harness import normalize_schema


def test_type_map_scalars_in_order():
    assert normalize_schema({"s": str, "i": int, "f": float, "b": bool}) == {
        "type": "object",
        "properties": {
            "s": {"type": "string"},
            "i": {"type": "integer"},
            "f": {"type": "number"},
            "b": {"type": "boolean"},
        },
        "required": ["s", "i", "f", "b"],
    }


def test_empty_type_map_has_no_required():
    assert normalize_schema({}) == {"type": "object", "properties": {}}


def test_description_key_is_just_a_field():
    schema = normalize_schema({"description": str})
    assert schema["properties"] == {"description": {"type": "string"}}
    assert schema["required"] == ["description"]


@pytest.mark.parametrize(
    ("hint", "expected"),
    [
        (dict, {"type": "object"}),
        (dict[str, int], {"type": "object"}),
        (list, {"type": "array", "items": {}}),
        (list[int], {"type": "array", "items": {"type": "integer"}}),
        (
            list[list[str]],
            {"type": "array", "items": {"type": "array", "items": {"type": "string"}}},
        ),
        (Optional[int], {"anyOf": [{"type": "integer"}, {"type": "null"}]}),  # noqa: UP045
        (str | None, {"anyOf": [{"type": "string"}, {"type": "null"}]}),
        (
            {"inner": str},
            {"type": "object", "properties": {"inner": {"type": "string"}}, "required": ["inner"]},
        ),
    ],
)
def test_type_map_values(hint, expected):
    assert normalize_schema({"field": hint})["properties"]["field"] == expected


def test_type_map_other_hints_use_pydantic():
    class Point(BaseModel):
        x: int

    schema = normalize_schema({"point": Point, "names": tuple[str, ...]})
    assert schema["properties"]["point"]["properties"] == {"x": {"title": "X", "type": "integer"}}
    assert schema["properties"]["names"] == {"items": {"type": "string"}, "type": "array"}


def test_type_map_falls_back_to_object_for_undescribable_hints():
    assert normalize_schema({"thing": object()})["properties"]["thing"] == {"type": "object"}


def test_type_map_keys_must_be_strings():
    with pytest.raises(TypeError, match="^schema type-map keys must be strings$"):
        normalize_schema({1: int})


def test_json_schema_is_deep_copied():
    source = {"type": "object", "properties": {"q": {"type": "string"}}}
    result = normalize_schema(source)
    assert result == source
    result["properties"]["q"]["type"] = "integer"
    assert source["properties"]["q"]["type"] == "string"


@pytest.mark.parametrize(
    "schema",
    [
        {"$schema": "https://json-schema.org/draft/2020-12/schema"},
        {"$ref": "#/x"},
        {"type": ["string", "null"]},
        {"properties": {}},
    ],
)
def test_json_schema_markers_are_recognised(schema):
    assert normalize_schema(schema) == schema


def test_json_schema_type_must_be_string_or_list():
    with pytest.raises(ValueError, match="^schema.type must be a string or list of strings$"):
        normalize_schema({"type": str})


def test_json_schema_properties_must_be_an_object():
    with pytest.raises(ValueError, match="^schema.properties must be an object$"):
        normalize_schema({"type": "object", "properties": ["a"]})


def test_model_refs_are_inlined():
    class Address(BaseModel):
        city: str

    class Customer(BaseModel):
        name: str
        address: Address
        previous: list[Address] = []

    schema = normalize_schema(Customer)
    assert "$defs" not in schema
    assert schema["properties"]["address"]["properties"] == {
        "city": {"title": "City", "type": "string"}
    }
    assert schema["properties"]["previous"]["items"]["title"] == "Address"
    assert "$ref" not in repr(schema)


def test_recursive_models_keep_defs():
    class TreeNode(BaseModel):
        name: str
        children: list["TreeNode"] = []

    schema = normalize_schema(TreeNode)
    assert schema["properties"]["children"]["items"] == {"$ref": "#/$defs/TreeNode"}
    assert "TreeNode" in schema["$defs"]
    assert schema["properties"]["name"] == {"title": "Name", "type": "string"}


def test_json_schema_with_defs_is_inlined():
    schema = normalize_schema(
        {
            "type": "object",
            "properties": {"a": {"$ref": "#/$defs/A", "description": "an A"}},
            "$defs": {"A": {"type": "string"}},
        }
    )
    assert schema == {
        "type": "object",
        "properties": {"a": {"type": "string", "description": "an A"}},
    }


def test_other_inputs_go_through_type_adapter():
    optional_int = Optional[int]  # noqa: UP045  (the typing spelling is the case under test)
    assert normalize_schema(optional_int) == {"anyOf": [{"type": "integer"}, {"type": "null"}]}
    assert normalize_schema(list[str]) == {"items": {"type": "string"}, "type": "array"}


def test_unsupported_input():
    value = object()
    with pytest.raises(TypeError, match=f"^{re.escape(f'unsupported schema input: {value!r}')}$"):
        normalize_schema(value)
