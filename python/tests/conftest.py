"""Shared settings of the Python suite (run by crates/backprop-cli/tests/python_package.rs)."""

import os

import pytest


def required(var, what):
    """The value of $var; without it the test is skipped, or fails under CI=true."""
    value = os.environ.get(var)
    if not value:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{var} is not set: {what} (required under CI)")
        pytest.skip(f"SKIPPED: set {var}: {what}")
    return value
