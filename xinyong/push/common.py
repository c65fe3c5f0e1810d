"""What every part of the push shares: its limits, the purpose its reads are logged under,
which department a reader works with, and which database builds the payloads."""

from __future__ import annotations

from sqlalchemy import (
    select,
)
from sqlalchemy.orm import Session

from xinyong.accounts.models import Department
from xinyong.accounts.principal import Principal
from xinyong.core import regions
from xinyong.core.errors import Forbidden, InvalidInput, NotFound

SECRET_CONTEXT = "push_endpoint.secret"
SIGNATURE_HEADER = "X-Xinyong-Signature"
PURPOSE = "实时推送：联合奖惩措施的实施与解除"
MAX_CODES = 100_000
CHUNK = 5_000
MAX_PAGE = 500
PUSH_ROLES = ("checker", "reporter", "admin")


# --- which department ---------------------------------------------------------------------------


def department_of(session: Session, who: Principal, department: str | None = None) -> Department:
    """The department whose messages and subscriptions ``who`` works with: a checker's or a
    reporter's own (asking for another is 403; having none is 403 too), or — for an
    administrator and the command line — the one named, inside the administrator's region."""
    code = (department or "").strip().upper() or None
    if who.role == "admin":
        code = code or who.department_code
        if not code:
            raise InvalidInput("请指定部门（department，部门的统一社会信用代码）", "name the department",
                               field="department")
        dept = session.scalar(select(Department).where(Department.code == code))
        if dept is None:
            raise NotFound(f"部门 {code} 不存在", f"department {code} does not exist", field="department")
        if not who.covers(dept.region_code):
            raise Forbidden("该部门超出您的地区权限范围", f"department {code} is outside {who.label}'s scope")
        return dept
    if who.role not in PUSH_ROLES:
        raise Forbidden("无权使用实时推送", f"role {who.role} does not use the push")
    if not who.department_code:
        raise Forbidden("您的账号未归属部门，没有推送消息；请信用办管理员为账号指定所属部门",
                        "this account belongs to no department")
    if code and code != who.department_code:
        raise Forbidden("只能查看本部门的推送消息和订阅", "a department reads its own messages only")
    dept = session.scalar(select(Department).where(Department.code == who.department_code))
    if dept is None:
        raise NotFound(f"部门 {who.department_code} 不存在", "the account's department does not exist")
    return dept


def departments_in(session: Session, who: Principal) -> list[Department]:
    """The active departments inside ``who``'s region (for an administrator to choose from)."""
    q = select(Department).where(Department.active == True).order_by(Department.region_code, Department.name)  # noqa: E712
    if who.region_code:
        q = q.where(Department.region_code.like(regions.scope_prefix(who.region_code) + "%"))
    return list(session.scalars(q))



def _pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"
