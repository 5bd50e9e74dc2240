"""Validation of the data environment a runtime opens (python-api §6.7).

The descriptor models hide their input in errors: URLs may carry credentials.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal, TypedDict, Union

from pydantic import Field, model_validator

from ._config import SensitiveSpecModel

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


class _UrlOrEnv(SensitiveSpecModel):
    """A descriptor naming its connection by `url` or by the env var `url_env`, not both.

    Subclasses declare `url` and `url_env` themselves so `kind` stays first on the wire.
    """

    @model_validator(mode="after")
    def _one_source(self) -> _UrlOrEnv:
        url, url_env = getattr(self, "url", None), getattr(self, "url_env", None)
        if url and url_env:
            raise ValueError("accepts either url or url_env, not both")
        if not url and not url_env:
            raise ValueError("requires url_env or url")
        return self


class _KvMemory(SensitiveSpecModel):
    kind: Literal["memory"]


class _KvSqlite(SensitiveSpecModel):
    kind: Literal["sqlite"]
    url: str = Field(min_length=1)
    ensure_schema: bool = False


class _KvPostgres(_UrlOrEnv):
    kind: Literal["postgres"]
    url: str | None = None
    url_env: str | None = None
    table: str | None = None
    ensure_schema: bool = False


class _KvRedis(_UrlOrEnv):
    kind: Literal["redis"]
    url: str | None = None
    url_env: str | None = None
    prefix: str | None = None


class _CatalogInline(SensitiveSpecModel):
    kind: Literal["inline"]
    entries: list[dict[str, Any]] = Field(default_factory=list)


class _CatalogEmpty(SensitiveSpecModel):
    kind: Literal["empty"]


class _CatalogSqlite(SensitiveSpecModel):
    kind: Literal["sqlite"]
    url: str = Field(min_length=1)
    ensure_schema: bool = False


class _CatalogPostgres(_UrlOrEnv):
    kind: Literal["postgres"]
    url: str | None = None
    url_env: str | None = None
    ensure_schema: bool = False


class _TargetSqlite(SensitiveSpecModel):
    kind: Literal["sqlite"]
    url: str = Field(min_length=1)


class _TargetPostgres(_UrlOrEnv):
    kind: Literal["postgres"]
    url: str | None = None
    url_env: str | None = None
    schema_: str | None = Field(default=None, alias="schema")


class _CatalogSearch(SensitiveSpecModel):
    index_path: str = Field(min_length=1)
    rebuild_on_start: bool = False
    write_through: bool = False


_Kv = Annotated[
    Union[_KvMemory, _KvSqlite, _KvPostgres, _KvRedis], Field(discriminator="kind")  # noqa: UP007
]
_Catalog = Annotated[
    Union[_CatalogInline, _CatalogEmpty, _CatalogSqlite, _CatalogPostgres],  # noqa: UP007
    Field(discriminator="kind"),
]
_Target = Annotated[Union[_TargetSqlite, _TargetPostgres], Field(discriminator="kind")]  # noqa: UP007


class _DataEnvironment(SensitiveSpecModel):
    tenant_id: str | None = None
    workspace_id: str | None = None
    kv: _Kv | None = None
    target_database: _Target | None = None
    target_database_url: str | None = None
    target_database_schema: str | None = None
    catalog: _Catalog | None = None
    catalog_search: _CatalogSearch | None = None

    @model_validator(mode="after")
    def _one_target(self) -> _DataEnvironment:
        if self.target_database is not None and self.target_database_url is not None:
            raise ValueError(
                "data_environment accepts either 'target_database' or "
                "'target_database_url', not both"
            )
        return self


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
    wire = _DataEnvironment.model_validate(data).model_dump(
        by_alias=True, exclude_none=True, mode="json"
    )
    return wire or None
