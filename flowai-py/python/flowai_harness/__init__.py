"""flowai_harness validates and builds runtime specs for tool-using data agents.

The engine that runs them is native (Rust) and embedded as
`flowai_harness._internal`; this package is the typed Python front end:
Pydantic spec models, `define_*` helpers and `create_runtime`.
"""

from typing import Any as _Any

from . import _internal
from .agents import (
    AgentSpec,
    ModelSpec,
    define_coordinator,
    define_executor,
    define_planner,
    define_specialist,
)
from .approvals import ApprovalOverrides, ApprovalPolicies, ApprovalPolicyPatch
from .plans import PlanDisplayAlias, PlanSpec, define_plan
from .prompts import LayeredPrompt, layered_prompt
from .references import ReferenceSpec, define_reference
from .runtime import (
    DataEnvironmentConfig,
    RuntimeSpec,
    StorageFactories,
    StorageFactorySpec,
    TestingConfig,
    ToolkitSpec,
    create_runtime,
    define_runtime,
    normalize_data_environment,
)
from .schema import normalize_schema
from .tenant import TenantIdentity, define_tenant
from .tools import ToolSpec, define_tool
from .unions import TaggedUnion

# Bound last: the package attribute `glimpse` is the function, while the
# sub-module stays importable as `flowai_harness.glimpse`.
from .glimpse import glimpse  # noqa: E402  isort: skip

Runtime = _internal.PyRuntime


def __getattr__(name: str) -> _Any:
    # `__version__` is resolved on first use: importlib.metadata costs more to
    # import than the rest of the package.
    if name == "__version__":
        from importlib import metadata

        try:
            resolved = metadata.version("flowai-harness")
        except metadata.PackageNotFoundError:
            resolved = "0+unknown"
        globals()["__version__"] = resolved
        return resolved
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
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
]
