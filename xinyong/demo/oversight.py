"""The demo's oversight and evaluation: supervision inputs for the government of every city and
county (an assessment, NPC suggestions and CPPCC proposals, a judicial suggestion — some replied
late or not at all —, a public appraisal and a third-party rating), then an evaluation run of
``government`` and of ``personal``, so the board, the grade map and the rankings show something
on first run.

Appended after the other phases with its own ``random.Random(seed + OVERSIGHT_SEED)``, so the
subjects and records of the phases before stay as they were. The inputs go through the
supervision import (the same checks and audit entries as an upload); the runs through the
evaluation service (DuckDB, set-based).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.accounts.principal import cli_principal
from xinyong.core import regions
from xinyong.evaluation import service as evaluation
from xinyong.subjects.models import Subject
from xinyong.supervision import service as supervision

OVERSIGHT_SEED = 1919
SYSTEMS = ("government", "personal")
COURTS = "人民法院"
RATERS = ("浙江大学中国政务诚信研究中心", "某信用评级有限公司", "浙江省社会科学院")
TOPICS = ("关于加快推进政务诚信建设的建议", "关于规范招商引资承诺履行的建议", "关于及时清理拖欠企业账款的建议",
          "关于完善失信联合惩戒机制的提案", "关于加强政府采购诚信管理的提案", "关于提升政务服务效率的建议")


def _governments(session: Session) -> list[tuple[str, str]]:
    """(USCC, region code) of every city's and county's 人民政府, in code order."""
    rows = session.execute(select(Subject.code, Subject.region_code)
                           .where(Subject.kind == "gov_body", Subject.name.like("%人民政府"),
                                  ~Subject.region_code.like("%0000"))
                           .order_by(Subject.region_code, Subject.id)).all()
    seen: dict[str, str] = {}
    for code, region in rows:
        seen.setdefault(region, code)  # the region's own government (the first made)
    return [(code, region) for region, code in seen.items()]


def _rows(rng: random.Random, code: str, region: str, today: date) -> dict[str, list[dict]]:
    year = today.year
    upper = "浙江省人民政府" if region.endswith("00") else f"{regions.name_of(regions.city_of(region))}人民政府"
    out: dict[str, list[dict]] = {k: [] for k in supervision.FIELDS}
    score = rng.uniform(70, 98)
    out["inspections"].append({
        "body_code": code, "year": year - 1, "category": "考核", "source": upper,
        "ref_no": f"政务诚信考核〔{year}〕{rng.randint(1, 99)}号", "issued_on": date(year, 3, rng.randint(1, 28)).isoformat(),
        "result": "优秀" if score >= 90 else "良好" if score >= 80 else "合格", "score": round(score, 1)})
    for i in range(2):
        issued = date(year, rng.randint(2, 5), rng.randint(1, 28))
        deadline = issued + timedelta(days=90)
        done = deadline + timedelta(days=rng.randint(-60, 20)) if deadline < today else None
        row = {"body_code": code, "year": year, "category": ("人大代表建议", "政协提案")[i],
               "ref_no": f"第{rng.randint(1, 600)}号", "title": rng.choice(TOPICS), "issued_on": issued.isoformat(),
               "deadline": deadline.isoformat()}
        if done and done <= today:
            row.update(done_on=done.isoformat(), adopted=rng.choice("是是是否"), satisfied=rng.choice("是是是是否"))
        out["proposals"].append(row)
    issued = today - timedelta(days=rng.randint(20, 200))
    deadline = issued + timedelta(days=60)
    row = {"body_code": code, "year": issued.year, "source": f"{regions.name_of(region)}{COURTS}",
           "ref_no": f"（{issued.year}）浙司建{rng.randint(1, 99)}号", "title": "关于依法履行行政协议的司法建议",
           "issued_on": issued.isoformat(), "deadline": deadline.isoformat()}
    answered = rng.random()
    if deadline < today and answered < 0.75 or deadline >= today and answered < 0.3:
        reply = issued + timedelta(days=rng.randint(15, 75))
        if reply <= today:
            row.update(done_on=reply.isoformat(), note="已书面答复，并在行政协议履行中落实")
    out["judicial"].append(row)
    appraisal = rng.uniform(75, 97)
    out["appraisals"].append({"body_code": code, "year": year - 1, "score": round(appraisal, 1),
                              "result": "满意" if appraisal >= 90 else "比较满意" if appraisal >= 82 else "基本满意",
                              "issued_on": date(year, 1, rng.randint(10, 28)).isoformat()})
    out["ratings"].append({"body_code": code, "year": year - 1, "source": rng.choice(RATERS),
                           "title": f"{year - 1}年度政务诚信第三方评价", "score": round(rng.uniform(650, 950)),
                           "result": rng.choice(("A", "AA", "B"))})
    return out


def build_oversight(session: Session, *, seed: int, today: date, progress=None) -> dict[str, int]:
    rng = random.Random(seed + OVERSIGHT_SEED)
    who = cli_principal("demo")
    by_kind: dict[str, list[dict]] = {k: [] for k in supervision.FIELDS}
    for code, region in _governments(session):
        for kind, rows in _rows(rng, code, region, today).items():
            by_kind[kind].extend(rows)
    out: dict[str, int] = {}
    for kind, rows in by_kind.items():
        result = supervision.import_rows(session, kind, rows, who=who, today=today)
        out[f"supervision_{kind}"] = result.created + result.updated
        if progress:
            progress("oversight", len(rows), None)
    for code in SYSTEMS:
        run = evaluation.run_evaluation(session, code, as_of=today, user="示例数据")
        out[f"evaluation_{code}"] = run.subjects
    return out
