"""Tenant identity: the resource id every runtime store is keyed by (python-api §3)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from ._config import SpecModel

__all__ = ["TenantIdentity", "define_tenant"]


class TenantIdentity(SpecModel):
    """The tenant a runtime serves; wire `{"resourceId", "version"}`."""

    resource_id: str = Field(min_length=1)
    version: str = Field(min_length=1)


def define_tenant(
    tenant: str | Mapping[str, Any] | TenantIdentity | None = None,
    /,
    version: str | None = None,
    *,
    resource_id: str | None = None,
    **kwargs: Any,
) -> TenantIdentity:
    """Build a `TenantIdentity` from a resource id, a mapping or another identity.

    Example:
        >>> define_tenant("acme", "v1").model_dump(by_alias=True)
        {'resourceId': 'acme', 'version': 'v1'}
        >>> define_tenant({"resourceId": "old", "version": "v1"}, resource_id="acme").resource_id
        'acme'

    Args:
        tenant: the resource id, a mapping of identity fields, or an existing
            `TenantIdentity` to copy.
        version: the tenant version; overrides the one in `tenant`.
        resource_id: the resource id; overrides the one in `tenant`.
        **kwargs: further identity fields (unknown keys are rejected).

    Raises:
        pydantic.ValidationError: a missing or empty `resource_id`/`version`, or
            an unknown key.
    """
    if tenant is None:
        payload: dict[str, Any] = {}
    elif isinstance(tenant, TenantIdentity):
        payload = tenant.model_dump(by_alias=True, mode="json")
    elif isinstance(tenant, Mapping):
        payload = dict(tenant)
    else:
        payload = {"resource_id": tenant}
    if resource_id is not None:
        payload["resource_id"] = resource_id
    if version is not None:
        payload["version"] = version
    payload.update(kwargs)
    if "resource_id" in payload:
        payload["resourceId"] = payload.pop("resource_id")
    return TenantIdentity.model_validate(payload)
