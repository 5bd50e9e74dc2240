"""Validation of the data environment a runtime opens (python-api §6.7).

The descriptor models hide their input in errors: URLs may carry credentials.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

__all__ = ["DataEnvironmentConfig", "normalize_data_environment"]


class DataEnvironmentConfig(TypedDict, total=False):
    """Stores and indexes a runtime opens; every key may also be spelled camelCase."""

    tenant_id: str
    workspace_id: str
    kv: Mapping[str, Any]
    target_database: Mapping[str, Any]
    target_database_url: str
    target_database_schema: str
    catalog: Mapping[str, Any]
    catalog_search: Mapping[str, Any]


_DESCRIPTOR_KINDS: dict[str, tuple[str, ...]] = {
    "target_database": ("postgres", "sqlite"),
    "kv": ("memory", "postgres", "redis", "sqlite"),
    "catalog": ("empty", "inline", "postgres", "sqlite"),
}

_CAMEL = {
    "tenant_id": "tenantId",
    "workspace_id": "workspaceId",
    "target_database": "targetDatabase",
    "target_database_url": "targetDatabaseUrl",
    "target_database_schema": "targetDatabaseSchema",
    "catalog_search": "catalogSearch",
}


def _lookup(data: Mapping[str, Any], key: str) -> Any:
    """The value under the snake_case key, else under its camelCase spelling."""
    if key in data:
        return data[key]
    return data.get(_CAMEL.get(key, key))


def _check_identity(data: Mapping[str, Any], key: str) -> Any:
    value = _lookup(data, key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"data_environment['{key}'] must be a string")
    if not value.strip():
        raise ValueError(f"data_environment['{key}'] must not be blank")
    return value


def _check_descriptor(data: Mapping[str, Any], key: str) -> None:
    value = _lookup(data, key)
    if value is None:
        return
    if not isinstance(value, Mapping):
        raise TypeError(f"data_environment['{key}'] must be a mapping")
    kind = value.get("kind")
    if not isinstance(kind, str):
        raise TypeError(f"data_environment['{key}']['kind'] must be a string")
    kinds = _DESCRIPTOR_KINDS[key]
    if kind not in kinds:
        raise ValueError(
            f"data_environment['{key}'] does not support kind '{kind}'; "
            f"expected one of: {', '.join(kinds)}"
        )


def normalize_data_environment(
    data_environment: DataEnvironmentConfig | Mapping[str, Any] | None,
    target_database_url: str | None = None,
    *,
    runtime_resource_id: str,
) -> dict[str, Any] | None:
    """Validate a data environment and return its camelCase wire form (or `None`).

    Example:
        >>> normalize_data_environment(
        ...     {"kv": {"kind": "postgres", "url_env": "KV_URL"}}, runtime_resource_id="acme")
        {'kv': {'kind': 'postgres', 'urlEnv': 'KV_URL', 'ensureSchema': False}}

    Args:
        data_environment: the stores to open (`DataEnvironmentConfig` keys,
            snake_case or camelCase).
        target_database_url: shorthand for `data_environment["target_database_url"]`.
        runtime_resource_id: the runtime tenant; `tenant_id`, when given, must equal it.

    Raises:
        TypeError: a value of the wrong type.
        ValueError: a conflicting, blank or unsupported value.
        pydantic.ValidationError: a descriptor that fails validation.
    """
    data = dict(data_environment or {})
    if target_database_url is not None:
        existing = _lookup(data, "target_database_url")
        if existing is not None and existing != target_database_url:
            raise ValueError(
                "target_database_url conflicts with data_environment['target_database_url']"
            )
        if _lookup(data, "target_database") is not None:
            raise ValueError(
                "target_database_url conflicts with data_environment['target_database']"
            )
        data.pop(_CAMEL["target_database_url"], None)
        data["target_database_url"] = target_database_url
    for key in ("target_database_url", "target_database_schema"):
        value = _lookup(data, key)
        if value is not None and not isinstance(value, str):
            raise TypeError(f"data_environment['{key}'] must be a string")
    tenant_id = _check_identity(data, "tenant_id")
    if tenant_id is not None and tenant_id != runtime_resource_id:
        raise ValueError(
            f"data_environment.tenant_id must match the runtime tenant '{runtime_resource_id}'"
        )
    _check_identity(data, "workspace_id")
    for key in _DESCRIPTOR_KINDS:
        _check_descriptor(data, key)
    catalog_search = _lookup(data, "catalog_search")
    if catalog_search is not None and not isinstance(catalog_search, Mapping):
        raise TypeError("data_environment['catalog_search'] must be a mapping")
    if not data:
        return None
    from ._data_environment_models import _DataEnvironment

    wire = _DataEnvironment.model_validate(data).model_dump(
        by_alias=True, exclude_none=True, mode="json"
    )
    return wire or None
