"""Authorisation-matrix cases for the accounts routes (format: tests/accounts/matrix.py).

Administrators manage users inside their region: "in" targets a user in 杭州, "out" one in
宁波. POSTs carry deliberately wrong input where a right one would change the matrix's own
users (a wrong old password, a wrong TOTP code).
"""

from __future__ import annotations

import itertools

from tests.accounts.helpers import make_user
from tests.accounts.matrix import WHO, Case, expect, only
from xinyong.accounts import service
from xinyong.accounts.models import User

ROLES = WHO[1:]
_names = itertools.count(1)


def target(w, where):
    """A user to act on: in 杭州 ("in") or in 宁波 ("out")."""
    def make():
        user = make_user(w.db, "checker", w.region(where), username=f"target_{where}")
        w.db.commit()
        return user.id
    return {"user_id": w.once(f"target-{where}", make)}


def token(w, where):
    def make():
        user = w.db.get(User, target(w, where)["user_id"])
        issued = service.issue_token(w.db, user, name="matrix", by="matrix", days=5)
        w.db.commit()
        return issued.row.id
    return {"token_id": w.once(f"token-{where}", make)}


def new_user_form(w, where):
    return {"username": f"made_{next(_names)}", "role": "checker", "region_code": w.region(where)}


def new_department_form(w, where):
    from xinyong.core.codes import make_uscc

    return {"code": make_uscc("11", w.region(where), f"{700000 + next(_names):08d}"), "name": "矩阵测试局",
            "region_code": w.region(where)}


def department(w, where):
    from tests.accounts.helpers import ensure_department

    def make():
        dept = ensure_department(w.db, w.region(where))
        w.db.commit()
        return dept.code
    return {"code": w.once(f"department-{where}", make)}


def new_subject_user_form(w, where):
    return {"username": f"self_{next(_names)}", "subject_code": w.ref("enterprise", where)}


LOGGED_IN = only(ROLES)
ADMIN = only(("admin",))
ADMIN_OUT = only(("admin",), 403)  # an administrator outside its region: 403 like the others

CASES = [
    Case("GET", "/login", expect=expect(200)),
    Case("POST", "/login", form=lambda w, where: {"username": f"nobody{next(_names)}", "password": "Wrong-Password-1"},
         expect=expect(401), note="a wrong password"),
    Case("GET", "/login/totp", expect=expect(401), note="no password given yet: back to /login"),
    Case("POST", "/login/totp", form=lambda w, where: {"code": "000000"}, expect=expect(401)),
    Case("POST", "/logout", expect=expect(303)),
    Case("GET", "/account", expect=LOGGED_IN),
    Case("GET", "/account/password", expect=LOGGED_IN),
    Case("POST", "/account/password",
         form=lambda w, where: {"old_password": "Wrong-Password-1", "new_password": "New-Password-123",
                                "new_password2": "New-Password-123"},
         expect=only(ROLES, 422), note="a wrong old password"),
    Case("GET", "/account/totp", expect=LOGGED_IN),
    Case("POST", "/account/totp", form=lambda w, where: {"code": "000000"}, expect=only(ROLES, 422),
         note="a wrong code (or, for the administrator, already enabled)"),
    Case("GET", "/api/v1/me", expect=LOGGED_IN),
    Case("GET", "/admin/users", expect=ADMIN),
    Case("GET", "/admin/users/new", expect=ADMIN),
    Case("GET", "/admin/departments", expect=ADMIN),
    Case("POST", "/admin/departments", form=new_department_form, expect=only(("admin",), 201), out=ADMIN_OUT),
    Case("POST", "/admin/departments/{code}/categories", params=department,
         form=lambda w, where: {"categories": ["admin_penalty"]}, expect=ADMIN, out=ADMIN_OUT),
    Case("GET", "/admin/subject-users", expect=ADMIN),
    Case("POST", "/admin/subject-users", form=new_subject_user_form, expect=only(("admin",), 201), out=ADMIN_OUT),
    Case("POST", "/admin/users", form=new_user_form, expect=only(("admin",), 201), out=ADMIN_OUT),
    Case("GET", "/admin/users/{user_id}", params=target, expect=ADMIN, out=ADMIN_OUT),
    Case("POST", "/admin/users/{user_id}/lock", params=target, expect=only(("admin",), 303), out=ADMIN_OUT),
    Case("POST", "/admin/users/{user_id}/unlock", params=target, expect=only(("admin",), 303), out=ADMIN_OUT),
    Case("POST", "/admin/users/{user_id}/password", params=target, expect=ADMIN, out=ADMIN_OUT),
    Case("POST", "/admin/users/{user_id}/totp-reset", params=target, expect=only(("admin",), 303), out=ADMIN_OUT),
    Case("POST", "/admin/users/{user_id}/tokens", params=target, form=lambda w, where: {"name": "m", "days": "5"},
         expect=only(("admin",), 201), out=ADMIN_OUT),
    Case("POST", "/admin/tokens/{token_id}/revoke", params=token, expect=only(("admin",), 303), out=ADMIN_OUT),
]
