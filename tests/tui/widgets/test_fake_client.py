"""The fake client stays a stand-in for the real one: same methods, same parameters."""

from __future__ import annotations

import inspect

import pytest

from localchat.client import LocalChatClient
from tests.tui.fakes import FakeClient


@pytest.mark.parametrize("name", ["chat", "job", "aclose"])
def test_each_faked_method_takes_what_the_real_one_takes(name):
    real = inspect.signature(getattr(LocalChatClient, name))
    fake = inspect.signature(getattr(FakeClient, name))
    shape = [(p.name, p.kind, p.default) for p in real.parameters.values()]
    assert [(p.name, p.kind, p.default) for p in fake.parameters.values()] == shape
    assert inspect.isasyncgenfunction(getattr(FakeClient, name)) == inspect.isasyncgenfunction(
        getattr(LocalChatClient, name)
    )
    assert inspect.iscoroutinefunction(getattr(FakeClient, name)) == inspect.iscoroutinefunction(
        getattr(LocalChatClient, name)
    )
