"""The default glimpse function (python-api §8)."""

import dataclasses
from datetime import date, datetime
from decimal import Decimal

import pytest
from pydantic import BaseModel

import flowai_harness
from flowai_harness import glimpse


class Product(BaseModel):
    sku: str
    price: Decimal


@dataclasses.dataclass
class Row:
    when: date
    amount: Decimal


def test_sequence_gives_count_and_sample():
    assert glimpse([1, 2, 3, 4, 5]) == {"count": 5, "sample": [1, 2, 3]}
    assert glimpse((1, 2), max_items=1) == {"count": 2, "sample": [1]}
    assert glimpse([1, 2], max_items=0) == {"count": 2, "sample": []}
    assert glimpse(x for x in range(4)) == {"count": 4, "sample": [0, 1, 2]}


def test_mapping_is_returned_as_a_dict_with_string_keys():
    assert glimpse({1: "a", "b": [Decimal("1.50")]}) == {"1": "a", "b": ["1.50"]}


def test_scalars_are_wrapped():
    assert glimpse(7) == {"value": 7}
    assert glimpse("text") == {"value": "text"}
    assert glimpse(None) == {"value": None}
    assert glimpse(Decimal("1E+2")) == {"value": "100"}
    assert glimpse(date(2024, 5, 1)) == {"value": "2024-05-01"}
    assert glimpse(datetime(2024, 5, 1, 12, 30)) == {"value": "2024-05-01T12:30:00"}


def test_models_and_dataclasses_are_normalised():
    assert glimpse(Product(sku="A", price=Decimal("2.5"))) == {"sku": "A", "price": "2.5"}
    assert glimpse([Row(date(2024, 1, 2), Decimal("0.10"))]) == {
        "count": 1,
        "sample": [{"when": "2024-01-02", "amount": "0.10"}],
    }


def test_negative_max_items_is_rejected():
    with pytest.raises(ValueError, match="^max_items must be non-negative$"):
        glimpse([1], max_items=-1)


def test_package_attribute_is_the_function_and_module_stays_importable():
    import importlib

    module = importlib.import_module("flowai_harness.glimpse")
    assert callable(flowai_harness.glimpse)
    assert flowai_harness.glimpse is module.glimpse
    assert module.__name__ == "flowai_harness.glimpse"
