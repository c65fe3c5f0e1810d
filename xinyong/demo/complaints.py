"""Demo phase: complaints about government dishonesty (投诉举报), after every other phase.

Anonymous complaints (nothing of any complainant is made up) about the province's government
bodies, filed over the last two months on the public form; about half replied to, and the
overdue ones escalated by the same daily work the platform runs. Its own random stream
(``seed + 1616``), so the subjects and records of the earlier phases stay as they were."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.accounts.principal import PUBLIC, cli_principal
from xinyong.redress import complaints
from xinyong.subjects.models import Subject

ACCOUNTS = (
    "项目竣工验收后工程款至今未支付，多次催要未果",
    "招商引资时承诺的税收返还政策未兑现",
    "政务服务窗口承诺的办结时限多次超期，无任何说明",
    "政府采购合同履约验收后拖延付款",
    "PPP项目政府方未按合同约定支付可行性缺口补助",
)
FINDINGS = ("substantiated", "partly", "unsubstantiated")


def build_complaints(session: Session, *, scale: float, seed: int, today: date) -> dict[str, int]:
    rng = random.Random(seed + 1616)
    bodies = session.execute(select(Subject.code, Subject.name, Subject.region_code)
                             .where(Subject.kind == "gov_body").order_by(Subject.id)).all()
    if not bodies:
        return {"complaints": 0}
    kinds = list(complaints.behaviours(complaints.policy(session)))
    office = cli_principal("demo")
    n = max(3, round(60 * scale))
    replied = 0
    for _ in range(n):
        body = rng.choice(bodies)
        filed = today - timedelta(days=rng.randint(1, 60))
        c, _code = complaints.file_complaint(
            session, PUBLIC, target_kind="gov_body", body_name=body.name, body_code=body.code,
            behaviour=rng.choice(kinds), account=rng.choice(ACCOUNTS), region=body.region_code, today=filed)
        answer_on = filed + timedelta(days=rng.randint(3, 20))
        if rng.random() < 0.5 and answer_on <= today:
            complaints.take_step(session, office, c.id, "reply", finding=rng.choice(FINDINGS),
                                 reply="经核查，已督促整改并答复投诉人", today=answer_on)
            replied += 1
    escalated = complaints.escalate_overdue(session, today, who="demo")["escalated"]
    return {"complaints": n, "complaints_replied": replied, "complaints_escalated": escalated}
