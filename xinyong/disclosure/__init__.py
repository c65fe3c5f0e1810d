"""Disclosure (信用信息公开): what the platform gives society — here the credit report
(信用报告), a PDF whose number and hash the platform keeps so that anyone can verify a copy."""


def _wire_portal_cache() -> None:
    """The public portal's cache is cleared by every records import (lists follow imports in
    the same hook): see :mod:`xinyong.disclosure.portal_cache`."""
    from xinyong.disclosure import portal_cache
    from xinyong.records import hooks as record_hooks

    if portal_cache.clear not in record_hooks.registered():
        record_hooks.register(portal_cache.clear)


_wire_portal_cache()
