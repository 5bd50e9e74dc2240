"""Package surface: __all__, sub-module re-exports, __version__ (python-api §2)."""

import importlib
import pathlib
import re

import pytest

import flowai_harness

# The §2.1 names implemented by the spec facade; evals, Studio and MCP names
# join when those modules land.
FACADE_NAMES = {
    "AgentSpec",
    "ApprovalOverrides",
    "ApprovalPolicies",
    "ApprovalPolicyPatch",
    "DataEnvironmentConfig",
    "LayeredPrompt",
    "ModelSpec",
    "PlanDisplayAlias",
    "PlanSpec",
    "ReferenceSpec",
    "Runtime",
    "RuntimeSpec",
    "StorageFactories",
    "StorageFactorySpec",
    "TaggedUnion",
    "TenantIdentity",
    "TestingConfig",
    "ToolSpec",
    "ToolkitSpec",
    "__version__",
    "create_runtime",
    "define_coordinator",
    "define_executor",
    "define_plan",
    "define_planner",
    "define_reference",
    "define_runtime",
    "define_specialist",
    "define_tenant",
    "define_tool",
    "glimpse",
    "layered_prompt",
    "normalize_data_environment",
    "normalize_schema",
}

SUBMODULE_EXPORTS = {
    "agents": ["define_coordinator", "define_planner", "define_executor", "define_specialist"],
    "runtime": [
        "create_runtime",
        "define_runtime",
        "RuntimeSpec",
        "AgentSpec",
        "ModelSpec",
        "TestingConfig",
        "ApprovalPolicies",
        "ApprovalPolicyPatch",
        "ApprovalOverrides",
        "StorageFactories",
        "StorageFactorySpec",
        "ToolkitSpec",
        "DataEnvironmentConfig",
        "normalize_data_environment",
    ],
    "plans": ["define_plan", "PlanSpec", "PlanDisplayAlias"],
    "references": ["define_reference", "ReferenceSpec"],
    "tools": ["define_tool", "ToolSpec"],
    "tenant": ["define_tenant", "TenantIdentity"],
    "prompts": ["layered_prompt", "LayeredPrompt"],
    "unions": ["TaggedUnion"],
    "glimpse": ["glimpse"],
}


def test_all_lists_exactly_the_facade_names():
    assert set(flowai_harness.__all__) == FACADE_NAMES
    assert len(flowai_harness.__all__) == len(FACADE_NAMES)
    for name in flowai_harness.__all__:
        assert hasattr(flowai_harness, name), name


@pytest.mark.parametrize(("module", "names"), sorted(SUBMODULE_EXPORTS.items()))
def test_submodule_symbols_are_the_top_level_objects(module, names):
    submodule = importlib.import_module(f"flowai_harness.{module}")
    for name in names:
        assert getattr(submodule, name) is getattr(flowai_harness, name), f"{module}.{name}"


def test_version_is_a_string():
    version = flowai_harness.__version__
    assert version == "0+unknown" or re.match(r"^\d+\.\d+", version)


def test_module_docstring_names_the_native_engine():
    assert "flowai_harness._internal" in flowai_harness.__doc__


def test_py_typed_marker_ships():
    assert (pathlib.Path(flowai_harness.__file__).parent / "py.typed").is_file()


def test_unknown_attribute_raises_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        flowai_harness.nope  # noqa: B018


def test_testing_config_is_a_plain_dict():
    config = flowai_harness.TestingConfig(mock_response="hi")
    assert config == {"mock_response": "hi"} and type(config) is dict
