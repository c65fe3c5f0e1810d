"""Authorisation-matrix cases for the lists (format: tests/accounts/matrix.py).

The published lists are public (masked). Entries, decisions, removals and refreshes belong to
the credit office's administrator, within its region; a subject may state its case on its own
proposed listing."""

from __future__ import annotations

from datetime import timedelta

from tests.accounts.matrix import Case, expect, only

ADMIN = only(("admin",))
ADMIN_OUT = only((), public=401)  # an administrator of 杭州 gets 403 for a 宁波 entry, like every role


def _subject_id(w, where):
    return w.subject_ids[where]


def _entry(w, where, *, status="active", statement=None):
    """A fresh decision entry (or a proposed one) for the person in ("in") or out of the region."""
    from xinyong.catalog import service as catalog_service
    from xinyong.core.clock import today
    from xinyong.lists.models import ListEntry
    from xinyong.subjects.models import Subject

    vid, _ = catalog_service.active_version(w.db)
    subject = w.db.get(Subject, _subject_id(w, where))
    e = ListEntry(subject_id=subject.id, list_kind="watchlist", basis="decision" if status == "active" else "rule",
                  region_code=subject.region_code, decision_no="矩阵〔2026〕1号" if status == "active" else None,
                  decided_by="矩阵", reason="矩阵测试", status=status, notified_on=today(),
                  effective_from=today() + timedelta(days=7) if status == "proposed" else today(),
                  statement=statement, statement_on=today() if statement else None, policy_version_id=vid,
                  created_by="matrix")
    w.db.add(e)
    w.db.commit()
    return e.id


def fresh(status="active", statement=None):
    return lambda w, where: {"entry_id": _entry(w, where, status=status, statement=statement)}


def once(w, where):
    return {"entry_id": w.once(f"list-entry-{where}", lambda: _entry(w, where))}


def _include(w, where):
    from xinyong.core.clock import today

    return {"code": w.ref("enterprise", where), "list_kind": "redlist", "decision_no": "杭信用〔2026〕8号",
            "decided_by": "信用办", "decided_on": today().isoformat(), "reason": "诚信示范"}


CASES = [
    Case("GET", "/api/v1/lists", query=lambda w, where: {"list_kind": "blacklist"}, expect=expect(200)),
    Case("GET", "/api/v1/lists/export.xlsx", expect=expect(200)),
    Case("GET", "/api/v1/lists/entries/{entry_id}", params=once, expect=ADMIN, out=ADMIN_OUT),
    Case("POST", "/api/v1/lists/entries", json=_include, expect=only(("admin",), ok=201), out=ADMIN_OUT),
    Case("POST", "/api/v1/lists/entries/{entry_id}/removal", params=fresh(),
         json=lambda w, where: {"reason": "decision", "decision_no": "杭信用〔2026〕9号"}, expect=ADMIN, out=ADMIN_OUT),
    Case("POST", "/api/v1/lists/entries/{entry_id}/statement", params=fresh("proposed"),
         json=lambda w, where: {"statement": "情况说明"},
         expect=only(("admin", "subject")), out=only((), public=401),
         note="the subject user owns the 杭州 person's listing only"),
    Case("POST", "/api/v1/lists/entries/{entry_id}/statement-decision", params=fresh("proposed", "情况说明"),
         json=lambda w, where: {"accepted": False}, expect=ADMIN, out=ADMIN_OUT),
    Case("POST", "/api/v1/lists/refresh", expect=ADMIN),
    Case("GET", "/lists", expect=expect(200)),
    Case("GET", "/lists/manage", expect=ADMIN),
    Case("POST", "/lists/manage", form=_include, expect=only(("admin",), ok=303), out=ADMIN_OUT),
    Case("GET", "/lists/entries/{entry_id}", params=once, expect=ADMIN, out=ADMIN_OUT),
    Case("POST", "/lists/entries/{entry_id}/remove", params=fresh(),
         form=lambda w, where: {"reason": "decision", "decision_no": "杭信用〔2026〕10号"},
         expect=only(("admin",), ok=303), out=ADMIN_OUT),
    Case("POST", "/lists/entries/{entry_id}/statement-decision", params=fresh("proposed", "情况说明"),
         form=lambda w, where: {"accepted": "no"}, expect=only(("admin",), ok=303), out=ADMIN_OUT),
]

CASES += [
    Case("GET", "/my/listings", expect=only(("subject",))),
    Case("GET", "/my/file", expect=only(("subject",))),
    Case("POST", "/my/listings/{entry_id}/statement", params=fresh("proposed"),
         form=lambda w, where: {"statement": "情况说明"},
         expect=only(("subject",), ok=303), out=only((), public=401),
         note="the subject user owns the 杭州 person's listing only"),
]
