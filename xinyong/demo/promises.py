"""The demo's promise-keeping: commitments in every county (government service-quality, time-limit
and guarantee commitments on a list item, townships' public commitments per service area,
enterprises' 告知承诺 and 容缺受理), some kept, some broken, and rectification tasks at every stage,
so that the register, a body's page and the rectification board show something on first run.

Deterministic by seed (its own ``random.Random``, after every other phase, so the subjects and
records before it stay as they were). Everything goes through the services: the commitments
through the register's import (the same checks as a department's file), the outcomes through
the status change, the breaches through the daily run (records of 违背信用承诺, which open
rectification tasks through the records' hook), the tasks' steps through the rectification
service. A sample of tasks is dated back so that some are overdue, reported upwards and their
principals recorded by the rectification run, as a real one would after weeks.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from xinyong.accounts.principal import cli_principal
from xinyong.commitments import rectification, service
from xinyong.commitments.rectification_models import Rectification
from xinyong.core import regions
from xinyong.subjects.models import Subject

SEED_OFFSET = 1733
LIST_ITEMS = {
    "power": ("行政许可事项审批", "行政处罚决定", "行政确认"),
    "responsibility": ("市场监管日常检查", "安全生产监督", "环境保护监管"),
    "public_service": ("社会保障卡申领", "户籍证明开具", "不动产登记", "义务教育入学", "公积金提取"),
}
GOV_PROMISES = (
    ("service_quality", "政务服务事项办理", "一次告知、一窗受理、群众满意率不低于95%"),
    ("time_limit", "即办件限时办结", "承诺件在法定期限内缩减一半时间办结"),
    ("guarantee", "惠企政策兑现", "符合条件的惠企资金在申请后30日内拨付到位"),
)
TOWNSHIP = ("就业", "养老", "医保", "就学", "住房", "便民服务")
ENTERPRISE = (("告知承诺", "以告知承诺代替证明材料", "承诺所报材料真实有效，于核查时提供原件"),
              ("容缺受理承诺", "申请材料容缺受理", "承诺在30日内补齐容缺材料"))


def build_promises(session: Session, *, scale: float, seed: int, today: date) -> dict[str, int]:
    rng = random.Random(seed + SEED_OFFSET)
    who = cli_principal("demo")
    bodies: dict[str, list[tuple[str, str]]] = defaultdict(list)
    firms: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for kind, code, name, region in session.execute(
            select(Subject.kind, Subject.code, Subject.name, Subject.region_code)
            .where(Subject.kind.in_(("gov_body", "enterprise")), Subject.code_cipher.is_(None)).order_by(Subject.id)):
        (bodies if kind == "gov_body" else firms)[region].append((code, name))
    per_county = max(4, round(24 * scale ** 0.5))
    serial = 0
    rows: list[dict] = []
    outcomes: list[tuple[str, str, date]] = []  # (code, status, on)
    for county in _counties():
        gov = bodies.get(county.code) or []
        ents = firms.get(county.code) or []
        if not gov:
            continue
        accepting_code, accepting_name = gov[0]
        for i in range(per_county):
            made = today - timedelta(days=rng.randint(60, 540))
            serial += 1
            code = f"{county.code}{made:%Y%m%d}{serial:06d}"
            subject_code, subject_name = rng.choice(gov)
            if i % 5 == 4 and ents:
                subject_code, subject_name = rng.choice(ents)
                kind, matter, content = rng.choice(ENTERPRISE)
                extra = {"list_kind": None, "list_item": None, "service_area": None, "disclosure": "特定范围内公开"}
            elif i % 5 == 3:
                area = rng.choice(TOWNSHIP)
                kind, matter, content = "街道和乡镇公开承诺", f"{area}服务公开承诺", f"{area}服务事项按承诺时限和标准落实"
                extra = {"list_kind": None, "list_item": None, "service_area": area, "disclosure": "可向社会公开"}
            else:
                code_kind, matter, content = GOV_PROMISES[i % 3]
                kind = {"service_quality": "服务质量承诺", "time_limit": "期限承诺", "guarantee": "保障承诺"}[code_kind]
                list_kind = rng.choice(list(LIST_ITEMS))
                extra = {"list_kind": {"power": "权力清单", "responsibility": "责任清单",
                                       "public_service": "公共服务清单"}[list_kind],
                         "list_item": rng.choice(LIST_ITEMS[list_kind]), "service_area": None,
                         "disclosure": "可向社会公开"}
            due = made + timedelta(days=rng.choice((30, 90, 180, 365)))
            rows.append({"code": code, "kind": kind, "subject_code": subject_code, "subject_name": subject_name,
                         "matter": matter, "content": content, "liability": "公开致歉并限期整改",
                         "accepting_unit": accepting_name, "accepting_code": accepting_code,
                         "made_on": made.isoformat(), "due_on": due.isoformat(), "evidence": None, **extra})
            roll = rng.random()
            if due < today and roll < 0.7:
                kept_on = made + timedelta(days=rng.randint(1, max(1, (due - made).days)))
                outcomes.append((code, "fulfilled", kept_on))
            elif due >= today and roll < 0.1:
                outcomes.append((code, "breached", min(today, made + timedelta(days=rng.randint(10, 60)))))
            # the rest: in force, and those past their due date become breaches in the daily run
    result = service.import_rows(session, rows, who=who, today=today)
    out = {"commitments": result.created, "commitments_rejected": result.rejected}
    if result.errors:
        raise ValueError(f"demo commitments refused: {result.errors[:3]}")
    from xinyong.commitments.models import Commitment

    ids = {c: i for c, i in session.execute(select(Commitment.code, Commitment.id))}
    reasons = {"fulfilled": "已按承诺履行，佐证材料已核验", "breached": "群众投诉核实，未按承诺时限办结"}
    for code, status, on in outcomes:
        service.change_status(session, ids[code], status, who=who, reason=reasons[status], on=on)
    out["fulfilled"] = sum(1 for _c, s, _d in outcomes if s == "fulfilled")
    out["reported_breaches"] = sum(1 for _c, s, _d in outcomes if s == "breached")
    out["breaches"] = service.daily_breaches(session, today)["breached"]
    # rectification tasks: the records' hook opened them; date a sample back and walk others on
    tasks = list(session.scalars(select(Rectification.id).order_by(Rectification.id)))
    rng.shuffle(tasks)
    quarter = max(1, len(tasks) // 4)
    late, walked = sorted(tasks[:quarter]), tasks[quarter:quarter * 3]
    if late:
        back = today - timedelta(days=60)
        session.execute(update(Rectification).where(Rectification.id.in_(late)).values(
            opened_on=back, due_on=back + timedelta(days=28)).execution_options(synchronize_session=False))
    session.expire_all()
    steps_done = 0
    for n, task_id in enumerate(walked):
        path = (("explain",), ("explain", "progress"), ("explain", "evidence", "submit"),
                ("explain", "evidence", "submit", "close"))[n % 4]
        for step in path:
            rectification.take_step(session, who, task_id, step, today=today,
                                    note={"explain": "已查明失信原因，制定整改方案并明确责任人",
                                          "progress": "已完成整改方案中的前两项措施",
                                          "close": "整改到位，验收合格"}.get(step),
                                    evidence="整改情况报告及相关凭证" if step == "evidence" else None)
            steps_done += 1
    ran = rectification.daily(session, today)
    out.update({"rectifications": len(tasks), "rectification_steps": steps_done,
                "escalated": ran["escalated"], "person_records": ran["persons"]})
    return out


def _counties():
    return [r for r in regions.all_regions() if r.level == "county"]
