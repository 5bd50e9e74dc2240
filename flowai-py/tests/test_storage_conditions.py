"""Stores under bad conditions (issue 6 §7) and tenants sharing one store (issue 4):
clear errors naming the store and what to do, never a crash, secrets redacted."""

from __future__ import annotations

import sqlite3

import pytest
from flowai_harness import (
    create_runtime,
    define_reference,
    define_runtime,
    define_specialist,
    define_tenant,
)
from runtime_support import MODEL, PROVIDERS, collect, script


def spec(tenant="acme", storage=None):
    return define_runtime(
        define_tenant(tenant, "v1"),
        agents=[define_specialist("worker", model=MODEL, prompt="Work.")],
        references=[define_reference("RowSet", {"type": "object"})],
        providers=PROVIDERS,
        storage_factories=storage,
    )


def sqlite_kv(path):
    return {"kv": {"kind": "sqlite", "config": {"path": str(path)}}}


def test_a_corrupt_file_names_the_store_and_what_to_do(tmp_path):
    db = tmp_path / "state.db"
    db.write_bytes(b"this is not a database" * 200)
    with pytest.raises(ValueError) as err:
        create_runtime(spec(storage=sqlite_kv(db)))
    message = str(err.value)
    assert message.startswith(f"invalid storage_factories.kv: sqlite store '{db}' is corrupt or not a flowai store")
    assert "Restore it from a backup or point the runtime at a new file" in message


def test_a_newer_schema_is_refused(tmp_path):
    db = tmp_path / "state.db"
    create_runtime(spec(storage=sqlite_kv(db)))
    con = sqlite3.connect(db)
    con.execute("UPDATE flowai_meta SET value = '99' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    with pytest.raises(ValueError) as err:
        create_runtime(spec(storage=sqlite_kv(db)))
    assert str(err.value) == (
        f"invalid storage_factories.kv: sqlite store '{db}' has schema version 99, newer than the 2 "
        "this flowai supports. Upgrade flowai to open it"
    )


def test_a_missing_directory_and_unknown_kind(tmp_path):
    with pytest.raises(ValueError, match=r"directory '.*nope' does not exist"):
        create_runtime(spec(storage=sqlite_kv(tmp_path / "nope" / "state.db")))
    with pytest.raises(ValueError, match="invalid storage_factories.kv: .*redis"):
        create_runtime(spec(storage={"kv": {"kind": "redis"}}))


def test_a_postgres_that_is_down_is_reported_with_the_password_redacted():
    url = "postgres://app:s3cret@127.0.0.1:1/db?password=s3cret"
    with pytest.raises(ValueError) as err:
        create_runtime(spec(storage={"kv": {"kind": "postgres", "config": {"url": url}}}))
    message = str(err.value)
    assert "postgres://app:***@127.0.0.1:1/db?password=***" in message
    assert "s3cret" not in message
    with pytest.raises(ValueError) as err:
        create_runtime(spec(), data_environment={"kv": {"kind": "postgres", "url": url}})
    message = str(err.value)
    assert message.startswith(
        "invalid data_environment: failed to open kv postgres store 'postgres://app:***@127.0.0.1:1/db?password=***': "
    )
    assert "s3cret" not in message


@pytest.mark.asyncio
async def test_two_tenants_share_one_sqlite_data_environment_and_stay_isolated(tmp_path):
    kv = {"kv": {"kind": "sqlite", "url": f"sqlite://{tmp_path}/kv.db", "ensure_schema": True}}
    acme = create_runtime(spec("acme"), data_environment=kv, interpreter="scripted")
    globex = create_runtime(spec("globex"), data_environment=kv, interpreter="scripted")
    mine = await acme.create_reference("RowSet", {"rows": [1, 2]})
    theirs = await globex.create_reference("RowSet", {"rows": [1, 2]})
    assert mine["id"] != theirs["id"]
    assert await acme.resolve_reference(mine) == {"rows": [1, 2]}
    with pytest.raises(ValueError, match=f"reference not found: kind=RowSet id={mine['id']}"):
        await globex.resolve_reference(mine)
    # A third handle on the same file (a restarted process) still resolves acme's value.
    again = create_runtime(spec("acme"), data_environment=kv, interpreter="scripted")
    assert await again.resolve_reference(mine) == {"rows": [1, 2]}
    # Runs are tenant-scoped too.
    await collect(acme.run_specialist("worker", script(("noop", {})), thread_id="t"))
    assert len(acme.list_runs()) == 1
    assert globex.list_runs() == []
