"""TaggedUnion (python-api §10)."""

import re
from typing import Literal

import pydantic
import pytest
from pydantic import BaseModel, TypeAdapter

from flowai_harness import TaggedUnion


class PriceChange(BaseModel):
    kind: str = "price_change"
    sku: str
    price: float


class Discontinue(BaseModel):
    kind: Literal["discontinue"] = "discontinue"
    sku: str


def test_shorthand_and_literal_variants_validate_by_tag():
    adapter = TypeAdapter(TaggedUnion(PriceChange, Discontinue))
    change = adapter.validate_python({"kind": "price_change", "sku": "A", "price": 2.0})
    assert isinstance(change, PriceChange)
    assert type(change).__name__ == "PriceChange"
    assert type(change).__qualname__ == PriceChange.__qualname__
    assert type(change) is not PriceChange
    assert isinstance(adapter.validate_python({"kind": "discontinue", "sku": "A"}), Discontinue)


def test_tag_is_required_on_input():
    adapter = TypeAdapter(TaggedUnion(PriceChange, Discontinue))
    with pytest.raises(pydantic.ValidationError):
        adapter.validate_python({"sku": "A", "price": 2.0})
    with pytest.raises(pydantic.ValidationError):
        adapter.validate_python({"kind": "other", "sku": "A"})


def test_json_schema_is_a_discriminated_one_of():
    schema = TypeAdapter(TaggedUnion(PriceChange, Discontinue)).json_schema()
    assert "oneOf" in schema
    assert set(schema["discriminator"]["mapping"]) == {"price_change", "discontinue"}
    assert schema["discriminator"]["propertyName"] == "kind"


def test_custom_discriminator():
    class A(BaseModel):
        type: Literal["a"]

    class B(BaseModel):
        type: str = "b"

    adapter = TypeAdapter(TaggedUnion(A, B, discriminator="type"))
    assert type(adapter.validate_python({"type": "b"})).__name__ == "B"


def test_requires_two_models():
    with pytest.raises(ValueError, match="^TaggedUnion requires at least two Pydantic models$"):
        TaggedUnion(PriceChange)


def test_variants_must_be_models():
    with pytest.raises(
        TypeError, match="^TaggedUnion variants must be Pydantic BaseModel classes$"
    ):
        TaggedUnion(PriceChange, dict)
    with pytest.raises(
        TypeError, match="^TaggedUnion variants must be Pydantic BaseModel classes$"
    ):
        TaggedUnion(PriceChange, Discontinue(sku="x"))


def test_missing_discriminator_field():
    class NoKind(BaseModel):
        sku: str

    with pytest.raises(ValueError, match=re.escape("NoKind is missing discriminator field `kind`")):
        TaggedUnion(PriceChange, NoKind)


@pytest.mark.parametrize("annotation", [Literal["a", "b"], Literal[1], Literal[""]])
def test_literal_tag_must_be_single_non_empty_string(annotation):
    Bad = pydantic.create_model("Bad", kind=(annotation, ...))
    with pytest.raises(
        ValueError, match=re.escape("Bad.kind must be a single non-empty string Literal")
    ):
        TaggedUnion(PriceChange, Bad)


@pytest.mark.parametrize("field", [(str, ...), (str, ""), (int, 3)])
def test_non_literal_tag_needs_a_string_default(field):
    Bad = pydantic.create_model("Bad", kind=field)
    with pytest.raises(
        ValueError,
        match=re.escape("Bad.kind must be a string Literal or have a non-empty string default"),
    ):
        TaggedUnion(PriceChange, Bad)


def test_duplicate_tags():
    class Other(BaseModel):
        kind: Literal["price_change"]

    with pytest.raises(
        ValueError,
        match=re.escape("duplicate discriminator value `price_change` for PriceChange and Other"),
    ):
        TaggedUnion(PriceChange, Other)
