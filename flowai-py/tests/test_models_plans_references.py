"""define_plan / PlanSpec (§7) and define_reference / ReferenceSpec (§8)."""

import re

import pydantic
import pytest

from flowai_harness import PlanDisplayAlias, PlanSpec, ReferenceSpec, define_plan, define_reference

STATUS_ERROR = (
    "unsupported plan display status `{}`; expected one of "
    "['approved', 'draft', 'executed', 'executing', 'failed']"
)


def test_plan_wire_shape_with_mapping_aliases():
    plan = define_plan("scenario", {"steps": list[str]}, {"draft": "pending_approval"})
    assert plan.model_dump(by_alias=True, mode="json") == {
        "name": "scenario",
        "schema": {
            "type": "object",
            "properties": {"steps": {"type": "array", "items": {"type": "string"}}},
            "required": ["steps"],
        },
        "displayAliases": [{"status": "draft", "alias": "pending_approval"}],
    }
    assert plan.schema_["type"] == "object"


def test_plan_aliases_from_a_sequence_of_models_and_mappings():
    plan = define_plan(
        "p",
        {},
        [PlanDisplayAlias(status="approved", alias="ok"), {"status": "failed", "alias": "x"}],
    )
    assert plan.display_aliases == [
        PlanDisplayAlias(status="approved", alias="ok"),
        PlanDisplayAlias(status="failed", alias="x"),
    ]


def test_plan_aliases_default_and_none():
    assert define_plan("p", {}).display_aliases == []
    assert PlanSpec(name="p", schema={}, display_aliases=None).display_aliases == []


def test_plan_spec_accepts_schema_keyword_and_camel_input():
    plan = PlanSpec.model_validate(
        {
            "name": "p",
            "schema": {"type": "object"},
            "displayAliases": [{"status": "executing", "alias": "busy"}],
        }
    )
    assert plan.display_aliases[0].alias == "busy"
    assert PlanSpec(name="p", schema_={"type": "object"}).schema_ == {"type": "object"}


@pytest.mark.parametrize("status", ["pending_approval", "done"])
def test_unknown_display_status_is_rejected(status):
    with pytest.raises(pydantic.ValidationError, match=re.escape(STATUS_ERROR.format(status))):
        define_plan("p", {}, {status: "x"})
    with pytest.raises(pydantic.ValidationError, match=re.escape(STATUS_ERROR.format(status))):
        define_plan("p", {}, [{"status": status, "alias": "x"}])


def test_plan_schema_errors_surface():
    with pytest.raises(TypeError, match="unsupported schema input"):
        define_plan("p", object())


def test_reference_wire_example():
    reference = define_reference("ProductSet", {"ids": list[str]}, ttl_ms=3_600_000)
    assert reference.model_dump(by_alias=True, mode="json") == {
        "name": "ProductSet",
        "schema": {
            "type": "object",
            "properties": {"ids": {"type": "array", "items": {"type": "string"}}},
            "required": ["ids"],
        },
        "ttlMs": 3600000,
    }


def test_reference_ttl_defaults_to_null_on_the_wire():
    assert define_reference("R", {}).model_dump(by_alias=True)["ttlMs"] is None
    assert define_reference("R", {}, ttl_ms=0).ttl_ms == 0


def test_negative_ttl_is_rejected():
    with pytest.raises(pydantic.ValidationError, match="ttl_ms"):
        define_reference("R", {}, ttl_ms=-1)
    with pytest.raises(pydantic.ValidationError, match="ttl_ms"):
        ReferenceSpec.model_validate({"name": "R", "schema": {}, "ttlMs": -5})


def test_glimpse_callback_is_python_only():
    def summarise(value):
        return {"n": len(value)}

    reference = define_reference("R", {}, glimpse=summarise)
    assert reference.glimpse is summarise
    assert "glimpse" not in reference.model_dump(by_alias=True)


def test_reference_schema_error_is_type_error():
    with pytest.raises(TypeError, match="unsupported schema input"):
        define_reference("R", object())
