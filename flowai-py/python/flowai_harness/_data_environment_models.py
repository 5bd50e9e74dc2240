"""The private descriptor models of the data environment (python-api §6.7).

Imported only when a program passes a data environment, so `import flowai_harness` does not
pay for a dozen model classes most programs never use. The models hide their input in
errors: URLs may carry credentials.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import Field, model_validator

from ._config import SensitiveSpecModel, empty_list

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
    entries: list[dict[str, Any]] = Field(default_factory=empty_list)


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

