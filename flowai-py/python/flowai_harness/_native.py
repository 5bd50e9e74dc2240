"""The guard in front of every call into the native extension (python-api §1.3).

A wheel whose Python facade and native module come from different builds fails
here with one actionable message instead of an obscure serde error later.
"""

from __future__ import annotations

from typing import Any

from . import _internal

EXPECTED_NATIVE_API_VERSION = 4

_STALE_TEMPLATE = (
    "flowai_harness._internal is stale or schema-incompatible with the Python facade; "
    "rebuild/reinstall the extension. Raw native detail: {detail}"
)


def stale_extension_error(detail: str) -> RuntimeError:
    """Build the stale-extension error carrying `detail`."""
    return RuntimeError(_STALE_TEMPLATE.format(detail=detail))


def check_native_api() -> Any:
    """Return the native module after checking that it speaks the expected API version."""
    version_fn = getattr(_internal, "native_api_version", None)
    if version_fn is None:
        raise stale_extension_error("native API version function is missing")
    version = version_fn()
    if version != EXPECTED_NATIVE_API_VERSION:
        raise stale_extension_error(
            f"expected native API version {EXPECTED_NATIVE_API_VERSION}, got {version}"
        )
    return _internal


def call_native(name: str, *args: Any) -> Any:
    """Call `_internal.<name>(*args)` through the version guard.

    A native `ValueError` mentioning `unknown field` means the extension parses a
    different wire schema than this facade writes, so it is reported as staleness.
    """
    native = check_native_api()
    try:
        return getattr(native, name)(*args)
    except ValueError as exc:
        if "unknown field" in str(exc):
            raise stale_extension_error(str(exc)) from exc
        raise
