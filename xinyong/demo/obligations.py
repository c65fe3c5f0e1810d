"""The demo's government obligations: in every county with government bodies, a few 招商引资
agreements, contracts (some unpaid past due: arrears), one or two PPP projects with the
responsible person of each stage over time (a hand-over in the middle of one), a PPP breach
now and then, a few court judgments (one body listed as a dishonest judgment debtor in some
counties) and the county's debt figures for the last two years.

Deterministic by seed with its own ``random.Random`` (after every other phase), so the subjects
and records of the earlier phases stay as they were. It runs the daily arrears and debt-level
work (no records); the listings' and PPP breaches' records are written by the first
``xinyong jobs daily``, like any day's new breaches.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.commitments.obligations import rules
from xinyong.commitments.obligations import service as obligations
from xinyong.commitments.obligations.models import (
    Agreement,
    Contract,
    Debt,
    Judgment,
    PppBreach,
    PppHolder,
    PppProject,
)
from xinyong.core import regions
from xinyong.core.codes import make_uscc
from xinyong.subjects.models import Subject

SEED_OFFSET = 1717
PROJECTS = ("污水处理厂", "垃圾焚烧发电", "城市停车场", "综合管廊", "体育中心", "养老服务中心", "智慧交通", "保障性住房")
GOODS = (("政府采购", "办公设备采购"), ("工程", "道路提升改造工程"), ("服务", "物业管理服务"), ("政府采购", "信息化系统采购"),
         ("服务", "环境卫生保洁服务"), ("工程", "学校校舍维修工程"))
INCENTIVES = ("土地出让金按约定比例返还", "三年内按地方留成部分给予奖励", "人才公寓优先安排", "设备投资补助10%")
REASONS_OK = ("国土空间规划调整，项目用地依法收回", "国家重大基础设施项目选址")
CREDITORS = ("建设有限公司", "环保工程有限公司", "信息技术有限公司", "建材有限公司")


def _money(rng: random.Random, lo: int, hi: int) -> Decimal:
    return Decimal(rng.randint(lo * 100, hi * 100)) / 100


def build_obligations(session: Session, *, scale: float, seed: int, today: date) -> dict[str, int]:
    rng = random.Random(seed + SEED_OFFSET)
    policy = obligations.policy_rules(session)
    bodies: dict[str, list[Subject]] = defaultdict(list)
    for s in session.scalars(select(Subject).where(Subject.kind == "gov_body").order_by(Subject.id)):
        region = regions.get(s.region_code)
        if region is not None and region.level == "county":
            bodies[s.region_code].append(s)
    servants: dict[str, list[int]] = defaultdict(list)
    for sid, region in session.execute(select(Subject.id, Subject.region_code)
                                       .where(Subject.kind == "public_servant").order_by(Subject.id)):
        servants[region].append(sid)
    firms: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for name, code, region in session.execute(select(Subject.name, Subject.code, Subject.region_code)
                                              .where(Subject.kind == "enterprise").order_by(Subject.id)):
        if len(code) == 18:
            firms[region].append((name, code))
    n_contracts = max(4, round(60 * scale))
    serial = 0
    out = defaultdict(int)
    for county in sorted(bodies):
        local = bodies[county]
        gov = local[0]
        court = make_uscc("11", county, f"{rng.randint(10000000, 99999999):08d}")
        court_name = f"{regions.name_of(county)}人民法院"
        for i in range(rng.randint(2, 3)):
            serial += 1
            body = rng.choice(local)
            signed = today - timedelta(days=rng.randint(200, 900))
            changed = i == 0 and rng.random() < 0.3
            session.add(Agreement(
                ref_no=f"ZS{county}-{serial:05d}", body_id=body.id, region_code=body.region_code,
                kind=rng.choice(("投资协议", "政策承诺")), name=f"{rng.choice(PROJECTS)}项目投资协议",
                counterpart_name=rng.choice(firms[county])[0] if firms[county] else f"某某{rng.choice(CREDITORS)}",
                incentives=rng.choice(INCENTIVES), incentive_amount=_money(rng, 50, 2000), signed_on=signed,
                due_on=signed + timedelta(days=rng.randint(180, 720)), created_by="demo",
                status="changed" if changed else "in_force",
                **({"changed_on": signed + timedelta(days=100), "change_reason": rng.choice(REASONS_OK),
                    "legal_ground": "公共利益", "legal_basis": "土地管理法第五十八条，经县政府常务会议研究决定",
                    "compensation": "按评估价值依法补偿", "compensation_amount": _money(rng, 100, 800)} if changed else {})))
            out["agreements"] += 1
        for _ in range(n_contracts):
            serial += 1
            body = rng.choice(local)
            kind, name = rng.choice(GOODS)
            supplier = rng.choice(firms[county]) if firms[county] else \
                (f"某某{rng.choice(CREDITORS)}", make_uscc("91", county, f"{serial:08d}"))
            amount = _money(rng, 5, 800)
            signed = today - timedelta(days=rng.randint(60, 500))
            accepted = signed + timedelta(days=rng.randint(20, 50)) if rng.random() < 0.9 else None
            sme = rng.random() < 0.8
            due = rules.pay_due(accepted, None, policy.payment_term(sme)) if accepted else None
            late = rng.random() < 0.15
            paid = amount if (due and due < today and not late) else (amount * Decimal("0.3")).quantize(Decimal("0.01")) \
                if late else Decimal(0)
            paid_on = (min(due, today) if paid == amount and due else (accepted or signed)) if paid else None
            session.add(Contract(
                contract_no=f"HT{county}-{serial:05d}", body_id=body.id, region_code=body.region_code, kind=kind,
                name=name, supplier_name=supplier[0], supplier_code=supplier[1], sme=sme, amount=amount,
                signed_on=signed, accepted_on=accepted, pay_due_on=due, paid_amount=paid, paid_on=paid_on,
                arrears=Decimal(0), created_by="demo"))
            out["contracts"] += 1
        for p in range(rng.randint(1, 2)):
            serial += 1
            start = today - timedelta(days=rng.randint(900, 1500))
            reached = rng.randint(3, 4)
            days = [start]
            for _ in range(reached - 1):
                days.append(days[-1] + timedelta(days=rng.randint(90, 200)))
            days = [d for d in days if d <= today] or [start]
            stages = policy.ppp_stages[:len(days)]
            project = PppProject(
                project_code=f"PPP{county}-{serial:04d}", body_id=gov.id, region_code=gov.region_code,
                name=f"{regions.name_of(county)}{rng.choice(PROJECTS)}PPP项目",
                partner_name=rng.choice(firms[county])[0] if firms[county] else "某某投资有限公司",
                investment=_money(rng, 5000, 80000), stage=stages[-1], stage_on=days[-1],
                stages=";".join(f"{s}:{d.isoformat()}" for s, d in zip(stages, days, strict=True)), created_by="demo")
            session.add(project)
            session.flush()
            out["ppp"] += 1
            people = servants[county] or [sid for ids in servants.values() for sid in ids][:5]
            if not people:
                continue
            for i, (stage, since) in enumerate(zip(stages, days, strict=True)):
                until = days[i + 1] - timedelta(days=1) if i + 1 < len(days) else None
                if stage == stages[-1] and until is None and len(people) > 1:  # a hand-over in the last stage
                    middle = since + (today - since) / 2
                    session.add(PppHolder(project_id=project.id, stage=stage, person_id=people[0], post="分管副局长",
                                          start_on=since, end_on=middle - timedelta(days=1), created_by="demo"))
                    session.add(PppHolder(project_id=project.id, stage=stage, person_id=people[1], post="分管副局长",
                                          start_on=middle, created_by="demo"))
                    out["ppp_holders"] += 2
                    if p == 0 and rng.random() < 0.5:
                        breach_on = since + timedelta(days=rng.randint(1, max(1, (middle - since).days - 1)))
                        session.add(PppBreach(project_id=project.id, stage=stage, breach_on=breach_on,
                                              found_on=min(today, breach_on + timedelta(days=60)),
                                              facts="未按合同约定按期支付可行性缺口补助", finding_basis="行政认定",
                                              finding_unit=f"{regions.name_of(county)}财政局",
                                              finding_code=make_uscc("11", county, f"{serial + 50000000:08d}"),
                                              loss_amount=_money(rng, 20, 400), created_by="demo"))
                        out["ppp_breaches"] += 1
                else:
                    session.add(PppHolder(project_id=project.id, stage=stage, person_id=rng.choice(people),
                                          post="项目负责人", start_on=since, end_on=until, created_by="demo"))
                    out["ppp_holders"] += 1
        for i in range(rng.randint(2, 4)):
            serial += 1
            body = rng.choice(local)
            effective = today - timedelta(days=rng.randint(60, 600))
            listed = i == 0 and body.parent_id is not None and rng.random() < 0.4
            status = "listed" if listed else rng.choice(("unperformed", "performed", "performed", "settled"))
            session.add(Judgment(
                case_no=f"（{effective.year}）浙{county[2:]}执{serial}号", body_id=body.id, region_code=body.region_code,
                court_name=court_name, court_code=court, creditor_name=f"某某{rng.choice(CREDITORS)}",
                obligation="支付工程款及逾期付款利息", amount=_money(rng, 10, 900), effective_on=effective,
                perform_by=effective + timedelta(days=30), listed_on=effective + timedelta(days=45) if listed else None,
                status=status, closed_on=effective + timedelta(days=rng.randint(10, 40))
                if status in ("performed", "settled") else None, created_by="demo"))
            out["judgments"] += 1
        resources = _money(rng, 200000, 900000)
        for years in (1, 0):
            as_of = date(today.year - 1 - years, 12, 31)
            balance = (resources * Decimal(str(rng.uniform(0.4, 1.35)))).quantize(Decimal("0.01"))
            session.add(Debt(body_id=gov.id, region_code=gov.region_code, as_of=as_of, balance=balance,
                             resources=resources, maturing=(balance * Decimal("0.12")).quantize(Decimal("0.01")),
                             next_maturity=date(today.year, rng.randint(1, 12), 15),
                             overdue_amount=Decimal(0) if rng.random() < 0.9 else _money(rng, 100, 3000),
                             ratio=rules.debt_ratio(balance, resources),
                             level=rules.debt_level(balance, resources, policy), created_by="demo"))
            out["debts"] += 1
    session.flush()
    out["arrears"] = obligations.daily_arrears(session, today)["arrears"]
    obligations.daily_debt_levels(session, today)
    return dict(out)
