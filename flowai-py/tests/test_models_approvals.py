"""The approval-rule normaliser and the approval models (python-api §5)."""

import re

import pydantic
import pytest

from flowai_harness import ApprovalOverrides, ApprovalPolicies, ApprovalPolicyPatch
from flowai_harness.approvals import normalize_approval_rule

SHAPE = "approval rule must be 'never', 'always', or {'kind': 'dynamic'}"


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("never", {"kind": "never"}),
        ("always", {"kind": "always"}),
        ({"kind": "never", "value": "ignored"}, {"kind": "never"}),
        ({"kind": "always", "extra": 1}, {"kind": "always"}),
        ({"kind": "dynamic", "value": "is_big"}, {"kind": "dynamic", "value": "is_big"}),
    ],
)
def test_normaliser_accepts(rule, expected):
    assert normalize_approval_rule(rule) == expected


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (None, "approval rule must not be null"),
        ("default", SHAPE),
        ("sometimes", SHAPE),
        ({"kind": "sometimes"}, SHAPE),
        ({}, SHAPE),
        (42, SHAPE),
        (["always"], SHAPE),
        ({"kind": "dynamic"}, "dynamic approval rule requires a non-empty value"),
        ({"kind": "dynamic", "value": ""}, "dynamic approval rule requires a non-empty value"),
        ({"kind": "dynamic", "value": 3}, "dynamic approval rule requires a non-empty value"),
    ],
)
def test_normaliser_rejects(rule, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        normalize_approval_rule(rule)


def test_policies_defaults_and_wire():
    policies = ApprovalPolicies()
    assert policies.model_dump(by_alias=True, mode="json") == {
        "plans": {"kind": "always"},
        "tools": {"kind": "never"},
    }
    assert ApprovalPolicies(plans="always", tools="never") == policies
    assert ApprovalPolicies(plans="never") != policies


def test_policies_reject_default_inside_validation_error():
    with pytest.raises(pydantic.ValidationError, match=re.escape(SHAPE)):
        ApprovalPolicies(plans="default")
    with pytest.raises(pydantic.ValidationError, match="approval rule must not be null"):
        ApprovalPolicies(tools=None)


def test_patch_drops_unset_channels_on_the_wire():
    assert ApprovalPolicyPatch(tools="always").model_dump(by_alias=True, mode="json") == {
        "tools": {"kind": "always"}
    }
    assert ApprovalPolicyPatch().model_dump(by_alias=True, mode="json") == {}
    patch = ApprovalPolicyPatch(plans={"kind": "dynamic", "value": "p"}, tools=None)
    assert patch.plans == {"kind": "dynamic", "value": "p"}
    assert patch.tools is None


def test_patch_rejects_default():
    with pytest.raises(pydantic.ValidationError, match=re.escape(SHAPE)):
        ApprovalPolicyPatch(plans="default")


def test_overrides_normalise_and_dump():
    overrides = ApprovalOverrides(
        agents={"a": {"plans": "never"}}, tools={"a": {"search": "always"}}
    )
    assert overrides.agents["a"] == ApprovalPolicyPatch(plans="never")
    assert overrides.model_dump(by_alias=True, mode="json") == {
        "agents": {"a": {"plans": {"kind": "never"}}},
        "tools": {"a": {"search": {"kind": "always"}}},
    }
    assert ApprovalOverrides(tools=None).tools == {}
    assert ApprovalOverrides().model_dump(by_alias=True) == {"agents": {}, "tools": {}}


@pytest.mark.parametrize(
    ("tools", "error", "message"),
    [
        ("always", TypeError, "approval override tools must be a mapping"),
        (
            {"": {"t": "never"}},
            ValueError,
            "approval override agent names must be non-empty strings",
        ),
        (
            {1: {"t": "never"}},
            ValueError,
            "approval override agent names must be non-empty strings",
        ),
        ({"a": "never"}, TypeError, "approval override tool entries must be mappings"),
        (
            {"a": {"": "never"}},
            ValueError,
            "approval override tool names must be non-empty strings",
        ),
        ({"a": {"t": "maybe"}}, ValueError, SHAPE),
    ],
)
def test_overrides_tools_validator_errors(tools, error, message):
    # TypeErrors raised inside Pydantic validators propagate unchanged; ValueErrors
    # surface as ValidationError. Either way the text is the documented one.
    with pytest.raises(error, match=re.escape(message)):
        ApprovalOverrides(tools=tools)
