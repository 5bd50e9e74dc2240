"""define_tenant call forms and TenantIdentity (python-api §3)."""

import pydantic
import pytest

from flowai_harness import TenantIdentity, define_tenant


@pytest.mark.parametrize(
    "build",
    [
        lambda: define_tenant("acme", "v1"),
        lambda: define_tenant(resource_id="acme", version="v1"),
        lambda: define_tenant({"resourceId": "acme", "version": "v1"}),
        lambda: define_tenant({"resource_id": "acme", "version": "v1"}),
        lambda: define_tenant({"resourceId": "old", "version": "v1"}, resource_id="acme"),
        lambda: define_tenant(define_tenant("acme", "v1")),
        lambda: define_tenant("old", "v1", resource_id="acme"),
    ],
)
def test_call_forms_build_the_same_identity(build):
    tenant = build()
    assert tenant == TenantIdentity(resource_id="acme", version="v1")
    assert tenant.model_dump(by_alias=True, mode="json") == {"resourceId": "acme", "version": "v1"}


def test_version_argument_overrides_copied_identity():
    assert define_tenant(define_tenant("acme", "v1"), "v2").version == "v2"


def test_resource_id_keyword_wins_over_mapping_camel_key():
    tenant = define_tenant({"resourceId": "old", "resource_id": "mid", "version": "v1"})
    assert tenant.resource_id == "mid"


def test_camel_kwarg_is_accepted_and_snake_resource_id_wins_over_it():
    assert define_tenant(version="v1", resourceId="acme").resource_id == "acme"
    assert define_tenant("snake", "v1", resourceId="camel").resource_id == "snake"


@pytest.mark.parametrize(
    "build",
    [
        lambda: define_tenant(version="v1"),
        lambda: define_tenant("", "v1"),
        lambda: define_tenant({"version": "v1"}),
    ],
)
def test_missing_or_empty_resource_id_is_rejected(build):
    with pytest.raises(pydantic.ValidationError, match="resource_id|resourceId"):
        build()


@pytest.mark.parametrize("version", [None, ""])
def test_missing_or_empty_version_is_rejected(version):
    with pytest.raises(pydantic.ValidationError, match="version"):
        define_tenant("acme", version)


def test_unknown_keys_are_rejected():
    with pytest.raises(pydantic.ValidationError, match="extra_forbidden"):
        define_tenant("acme", "v1", region="eu")


def test_identity_is_frozen():
    tenant = define_tenant("acme", "v1")
    with pytest.raises(pydantic.ValidationError):
        tenant.version = "v2"
