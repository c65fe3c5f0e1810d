"""The hook registry the packages use to let those below them react to a change."""

from __future__ import annotations

from xinyong.core.hooks import Hooks


def test_hooks_run_in_registration_order_once_each():
    calls: list[str] = []
    hooks: Hooks = Hooks()

    @hooks.register
    def first(x):
        calls.append(f"first {x}")

    def second(x):
        calls.append(f"second {x}")

    hooks.register(second)
    hooks.register(first)  # again: still once, still first
    for hook in hooks.registered():
        hook(1)
    assert calls == ["first 1", "second 1"]
    hooks.unregister(first)
    hooks.unregister(first)  # not there any more: nothing happens
    assert hooks.registered() == [second]
    hooks.registered().clear()  # a copy: the registry keeps its hooks
    assert hooks.registered() == [second]
