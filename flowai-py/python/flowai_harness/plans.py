"""Plan specs: the schema a planner stores and its display aliases (python-api §7)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal, get_args

from pydantic import Field, field_validator

from ._config import SpecModel, empty_list
from .schema import normalize_schema

__all__ = ["PlanDisplayAlias", "PlanSpec", "PlanStatus", "define_plan"]

PlanStatus = Literal["draft", "approved", "executing", "executed", "failed"]
_STATUSES = sorted(get_args(PlanStatus))


class PlanDisplayAlias(SpecModel):
    """A user-facing name for a plan status, e.g. `draft` shown as `pending_approval`."""

    status: PlanStatus
    alias: str

    @field_validator("status", mode="before")
    @classmethod
    def _known_status(cls, status: Any) -> Any:
        if status not in _STATUSES:
            raise ValueError(
                f"unsupported plan display status `{status}`; expected one of {_STATUSES}"
            )
        return status


class PlanSpec(SpecModel):
    """A named plan schema; wire `{"name", "schema", "displayAliases"}`."""

    name: str
    schema_: dict[str, Any] = Field(alias="schema")
    display_aliases: list[PlanDisplayAlias] = Field(default_factory=empty_list)

    @field_validator("schema_", mode="before")
    @classmethod
    def _normalize_schema(cls, schema: Any) -> dict[str, Any]:
        return normalize_schema(schema)

    @field_validator("display_aliases", mode="before")
    @classmethod
    def _alias_list(cls, aliases: Any) -> Any:
        if aliases is None:
            return []
        if isinstance(aliases, Mapping):
            return [{"status": status, "alias": alias} for status, alias in aliases.items()]
        if isinstance(aliases, (str, bytes)):
            return aliases
        return list(aliases)


def define_plan(
    name: str,
    schema: Any,
    display_aliases: Mapping[str, str] | Iterable[PlanDisplayAlias | Mapping[str, str]] = (),
) -> PlanSpec:
    """Define a plan spec that planners store and executors run.

    Example:
        >>> plan = define_plan("scenario", {"steps": list[str]}, {"draft": "pending_approval"})
        >>> plan.model_dump(by_alias=True)["displayAliases"]
        [{'status': 'draft', 'alias': 'pending_approval'}]

    Args:
        name: the plan spec name (`specName` of `storePlan`).
        schema: the plan body schema (see `normalize_schema`).
        display_aliases: `{status: alias}` or a sequence of `PlanDisplayAlias`
            or `{"status", "alias"}` mappings.

    Raises:
        pydantic.ValidationError: a status outside draft, approved, executing,
            executed, failed.
        TypeError: a schema Pydantic cannot describe.
    """
    return PlanSpec.model_validate(
        {"name": name, "schema": schema, "display_aliases": display_aliases}
    )
