"""The native API guard (python-api §1.3), exercised with fake native modules."""

import re
import types

import pytest

import flowai_harness
from flowai_harness import (
    _internal,
    _native,
    create_runtime,
    define_runtime,
    define_specialist,
    define_tenant,
)

STALE = (
    "flowai_harness._internal is stale or schema-incompatible with the Python facade; "
    "rebuild/reinstall the extension. Raw native detail: "
)


def fake_native(**functions):
    functions.setdefault("native_api_version", lambda: 4)
    return types.SimpleNamespace(**functions)


def test_real_extension_reports_the_expected_version():
    assert _native.EXPECTED_NATIVE_API_VERSION == 4
    assert _internal.native_api_version() == 4
    assert _internal.NATIVE_API_VERSION == 4


def test_missing_version_function(monkeypatch):
    monkeypatch.setattr(_native, "_internal", types.SimpleNamespace(create_runtime=lambda *a: None))
    with pytest.raises(
        RuntimeError, match=f"^{re.escape(STALE + 'native API version function is missing')}$"
    ):
        _native.call_native("create_runtime")


def test_version_mismatch(monkeypatch):
    monkeypatch.setattr(_native, "_internal", fake_native(native_api_version=lambda: 3))
    with pytest.raises(
        RuntimeError, match=f"^{re.escape(STALE + 'expected native API version 4, got 3')}$"
    ):
        _native.call_native("create_runtime")


def test_unknown_field_value_error_becomes_the_stale_error(monkeypatch):
    detail = "unknown field `tenantz`, expected one of `tenant`, `agents`"

    def create(*args):
        raise ValueError(detail)

    monkeypatch.setattr(_native, "_internal", fake_native(create_runtime=create))
    with pytest.raises(RuntimeError, match=f"^{re.escape(STALE + detail)}$") as raised:
        _native.call_native("create_runtime", "{}")
    assert isinstance(raised.value.__cause__, ValueError)
    assert str(raised.value.__cause__) == detail


def test_other_value_errors_pass_through(monkeypatch):
    def create(*args):
        raise ValueError("agent spec invalid: duplicate agent name 'a'")

    monkeypatch.setattr(_native, "_internal", fake_native(create_runtime=create))
    with pytest.raises(ValueError, match="^agent spec invalid: duplicate agent name 'a'$"):
        _native.call_native("create_runtime")


def test_call_native_passes_arguments_and_returns_the_result(monkeypatch):
    monkeypatch.setattr(_native, "_internal", fake_native(echo=lambda *args: args))
    assert _native.call_native("echo", 1, "two") == (1, "two")


def test_create_runtime_goes_through_the_guard(monkeypatch):
    spec = define_runtime(
        define_tenant("acme", "v1"),
        agents=[define_specialist("s", model="claude-sonnet-4-6", prompt="p")],
    )
    monkeypatch.setattr(_native, "_internal", fake_native(native_api_version=lambda: 5))
    with pytest.raises(RuntimeError, match=re.escape("expected native API version 4, got 5")):
        create_runtime(spec)


def test_runtime_is_the_native_class():
    assert flowai_harness.Runtime is _internal.PyRuntime
