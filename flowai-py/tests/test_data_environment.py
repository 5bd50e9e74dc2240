"""normalize_data_environment and its descriptor models (python-api §6.7)."""

import re

import pydantic
import pytest

from flowai_harness import normalize_data_environment


def normalize(data, url=None, tenant="acme"):
    return normalize_data_environment(data, url, runtime_resource_id=tenant)


def test_empty_inputs_give_none():
    assert normalize(None) is None
    assert normalize({}) is None


def test_full_environment_wire_keys_and_order():
    wire = normalize(
        {
            "tenant_id": "acme",
            "workspaceId": "ws",
            "kv": {"kind": "postgres", "url_env": "KV_URL"},
            "target_database_schema": "public",
            "target_database_url": "sqlite:/tmp/db.sqlite",
            "catalog": {"kind": "inline", "entries": [{"id": "t1"}]},
            "catalogSearch": {"indexPath": "/tmp/index", "rebuild_on_start": True},
        }
    )
    assert wire == {
        "tenantId": "acme",
        "workspaceId": "ws",
        "kv": {"kind": "postgres", "urlEnv": "KV_URL", "ensureSchema": False},
        "targetDatabaseUrl": "sqlite:/tmp/db.sqlite",
        "targetDatabaseSchema": "public",
        "catalog": {"kind": "inline", "entries": [{"id": "t1"}]},
        "catalogSearch": {"indexPath": "/tmp/index", "rebuildOnStart": True, "writeThrough": False},
    }
    assert list(wire) == [
        "tenantId",
        "workspaceId",
        "kv",
        "targetDatabaseUrl",
        "targetDatabaseSchema",
        "catalog",
        "catalogSearch",
    ]
    assert list(wire["kv"]) == ["kind", "urlEnv", "ensureSchema"]


@pytest.mark.parametrize(
    ("descriptor", "expected"),
    [
        ({"kind": "memory"}, {"kind": "memory"}),
        (
            {"kind": "sqlite", "url": "sqlite:kv.db"},
            {"kind": "sqlite", "url": "sqlite:kv.db", "ensureSchema": False},
        ),
        (
            {"kind": "redis", "url": "redis://h", "prefix": "p"},
            {"kind": "redis", "url": "redis://h", "prefix": "p"},
        ),
        (
            {"kind": "postgres", "url": "postgres://h", "table": "kv", "ensureSchema": True},
            {"kind": "postgres", "url": "postgres://h", "table": "kv", "ensureSchema": True},
        ),
    ],
)
def test_kv_descriptors(descriptor, expected):
    assert normalize({"kv": descriptor}) == {"kv": expected}


def test_catalog_and_target_descriptors():
    assert normalize({"catalog": {"kind": "empty"}}) == {"catalog": {"kind": "empty"}}
    assert normalize({"catalog": {"kind": "inline"}}) == {
        "catalog": {"kind": "inline", "entries": []}
    }
    assert normalize({"target_database": {"kind": "postgres", "urlEnv": "DB", "schema": "s"}}) == {
        "targetDatabase": {"kind": "postgres", "urlEnv": "DB", "schema": "s"}
    }
    assert normalize({"targetDatabase": {"kind": "sqlite", "url": "sqlite:x"}}) == {
        "targetDatabase": {"kind": "sqlite", "url": "sqlite:x"}
    }


def test_target_database_url_argument():
    assert normalize(None, "sqlite:a") == {"targetDatabaseUrl": "sqlite:a"}
    assert normalize({"targetDatabaseUrl": "sqlite:a"}, "sqlite:a") == {
        "targetDatabaseUrl": "sqlite:a"
    }


@pytest.mark.parametrize("key", ["target_database_url", "targetDatabaseUrl"])
def test_target_database_url_argument_conflicts_with_a_different_value(key):
    with pytest.raises(
        ValueError,
        match=re.escape(
            "target_database_url conflicts with data_environment['target_database_url']"
        ),
    ):
        normalize({key: "sqlite:a"}, "sqlite:b")


@pytest.mark.parametrize("key", ["target_database", "targetDatabase"])
def test_target_database_url_argument_conflicts_with_a_descriptor(key):
    with pytest.raises(
        ValueError,
        match=re.escape("target_database_url conflicts with data_environment['target_database']"),
    ):
        normalize({key: {"kind": "sqlite", "url": "x"}}, "sqlite:b")


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        (
            {"target_database_url": 1},
            TypeError,
            "data_environment['target_database_url'] must be a string",
        ),
        (
            {"targetDatabaseUrl": 1},
            TypeError,
            "data_environment['target_database_url'] must be a string",
        ),
        (
            {"target_database_schema": 1},
            TypeError,
            "data_environment['target_database_schema'] must be a string",
        ),
        ({"tenant_id": 1}, TypeError, "data_environment['tenant_id'] must be a string"),
        ({"tenantId": "  "}, ValueError, "data_environment['tenant_id'] must not be blank"),
        (
            {"tenant_id": "other"},
            ValueError,
            "data_environment.tenant_id must match the runtime tenant 'acme'",
        ),
        ({"workspace_id": 1}, TypeError, "data_environment['workspace_id'] must be a string"),
        ({"workspaceId": ""}, ValueError, "data_environment['workspace_id'] must not be blank"),
        ({"kv": "memory"}, TypeError, "data_environment['kv'] must be a mapping"),
        ({"kv": {}}, TypeError, "data_environment['kv']['kind'] must be a string"),
        (
            {"kv": {"kind": "disk"}},
            ValueError,
            "data_environment['kv'] does not support kind 'disk'; "
            "expected one of: memory, postgres, redis, sqlite",
        ),
        ({"catalog": []}, TypeError, "data_environment['catalog'] must be a mapping"),
        (
            {"catalog": {"kind": 1}},
            TypeError,
            "data_environment['catalog']['kind'] must be a string",
        ),
        (
            {"catalog": {"kind": "memory"}},
            ValueError,
            "data_environment['catalog'] does not support kind 'memory'; "
            "expected one of: empty, inline, postgres, sqlite",
        ),
        (
            {"targetDatabase": "sqlite:x"},
            TypeError,
            "data_environment['target_database'] must be a mapping",
        ),
        (
            {"target_database": {"kind": None}},
            TypeError,
            "data_environment['target_database']['kind'] must be a string",
        ),
        (
            {"target_database": {"kind": "redis"}},
            ValueError,
            "data_environment['target_database'] does not support kind 'redis'; "
            "expected one of: postgres, sqlite",
        ),
        (
            {"catalog_search": "idx"},
            TypeError,
            "data_environment['catalog_search'] must be a mapping",
        ),
        (
            {"catalogSearch": ["idx"]},
            TypeError,
            "data_environment['catalog_search'] must be a mapping",
        ),
    ],
)
def test_pre_validation_errors(data, error, message):
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        normalize(data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"kv": {"kind": "postgres", "url": "postgres://u:secret@h/db", "url_env": "X"}},
            "accepts either url or url_env, not both",
        ),
        ({"kv": {"kind": "redis"}}, "requires url_env or url"),
        ({"catalog": {"kind": "postgres"}}, "requires url_env or url"),
        (
            {"target_database": {"kind": "postgres", "url": "", "url_env": ""}},
            "requires url_env or url",
        ),
        (
            {
                "target_database": {"kind": "sqlite", "url": "sqlite:x"},
                "target_database_url": "sqlite:y",
            },
            "data_environment accepts either 'target_database' or 'target_database_url', not both",
        ),
        ({"kv": {"kind": "sqlite"}}, "url"),
        ({"catalog_search": {"index_path": ""}}, "index_path|indexPath"),
        ({"kv": {"kind": "memory", "url": "x"}}, "extra_forbidden"),
        ({"unknown": 1}, "extra_forbidden"),
    ],
)
def test_descriptor_validation_errors(data, message):
    with pytest.raises(pydantic.ValidationError, match=message) as raised:
        normalize(data)
    assert "secret" not in str(raised.value)


def test_url_or_url_env_error_hides_the_connection_string():
    with pytest.raises(pydantic.ValidationError) as raised:
        normalize(
            {"kv": {"kind": "postgres", "url": "postgres://user:hunter2@db/x", "urlEnv": "E"}}
        )
    assert "hunter2" not in str(raised.value)
