"""Category hooks: a record's values that must agree with each other (a sentence and its dates, a
sanction and its kind, a listing's term and its ground), drawn as the law has them."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from xinyong.demo import words as W
from xinyong.demo.base import (
    _add_months,
    _cn_number,
    _months_text,
    _Row,
    _who,
)

if TYPE_CHECKING:
    from xinyong.demo.generator import Generator


# --- category hooks: values that must agree with each other ----------------------------------------

_THEMED_BY_HOOK = {"judicial_judgment", "safety_accident_liability", "exam_cheating"}


def _set(facts: dict, specs: dict, key: str, value) -> bool:
    if key in specs and key not in facts and value is not None:
        facts[key] = value
        return True
    return False


def _hook_admin_penalty(gen: Generator, row: _Row, rng: random.Random, specs: dict) -> None:
    facts = row.facts
    pt = str(facts.get("penalty_type", ""))
    fine = conf = None
    if "罚款" in pt:
        fine = f"{math.exp(rng.uniform(math.log(0.05), math.log(100))):.2f}"
        _set(facts, specs, "fine_amount", fine)
    else:
        row.skip.add("fine_amount")
    if "没收" in pt:
        conf = f"{math.exp(rng.uniform(math.log(0.01), math.log(30))):.2f}"
        _set(facts, specs, "confiscated_amount", conf)
    else:
        row.skip.add("confiscated_amount")
    if "吊销" in pt or "暂扣" in pt:
        cert = _LICENCES.get(row.dept_key, "营业执照")
        _set(facts, specs, "licence_revoked", f"{cert}（编号{rng.randrange(10 ** 8):08d}）")
    else:
        row.skip.add("licence_revoked")
    if pt:
        content = f"给予{pt}的行政处罚"
        if fine:
            content += f"，罚款人民币{fine}万元"
        if conf:
            content += f"，没收违法所得人民币{conf}万元"
        _set(facts, specs, "penalty_content", content)


_LICENCES = {
    "market": "食品经营许可证", "eco": "排污许可证", "emergency": "安全生产许可证", "transport": "道路运输经营许可证",
    "housing": "建筑业企业资质证书", "health": "医疗机构执业许可证", "land": "采矿许可证", "police": "特种行业许可证",
}


def _hook_admin_licence(gen: Generator, row: _Row, rng: random.Random, specs: dict) -> None:
    if "current_status" in specs and "valid_to" in specs:
        gen._fill_dates(row, rng, specs, ("valid_from", "valid_to"))
        valid_to = row.facts.get("valid_to")
        if valid_to is not None:
            row.facts["current_status"] = "有效" if valid_to >= gen.today else rng.choice(["有效期届满", "注销"])


def _hook_judicial(gen: Generator, row: _Row, rng: random.Random, specs: dict) -> None:
    facts, subj = row.facts, row.subject
    st = str(facts.get("sentence_type") or "")
    who = _who(subj)
    themes = [t for t in W.THEMES["judicial_judgment"] if t["_who"] in who]
    fit = [t for t in themes if st in t["_sentences"]] or themes
    theme = rng.choice(fit)
    if not st:
        st = rng.choice(theme["_sentences"])
        _set(facts, specs, "sentence_type", st)
    _set(facts, specs, "crime", theme["crime"])
    # 缓刑 and 剥夺政治权利 (公司法第一百七十八条) are not drawn: a suspended sentence or an added
    # deprivation would have to agree with the term and the dates below
    row.skip.update({"probation_end", "deprivation_end"})
    if theme["crime"] == "诈骗罪" and "fraud_means" in specs:  # 电信网络诈骗 is a way of 诈骗罪, not a 罪名
        _set(facts, specs, "fraud_means", _side_rng(row).choice(["电信网络诈骗", "其他"]))
    else:
        row.skip.add("fraud_means")
    if "in_duty" in theme:
        _set(facts, specs, "in_duty", theme["in_duty"])
    months = {"有期徒刑": rng.randint(6, 120), "拘役": rng.randint(1, 6), "管制": rng.randint(3, 24)}.get(st)
    fine = f"{math.exp(rng.uniform(math.log(0.2), math.log(50))):.2f}"
    if months:
        term = f"{st}{_months_text(months)}"
        _set(facts, specs, "sentence_term", term)
        if st != "管制":
            start = row.decision - timedelta(days=rng.randint(30, 240))
            _set(facts, specs, "sentence_start", start)
            _set(facts, specs, "sentence_end", _add_months(start, months) - timedelta(days=1))
        else:
            row.skip.update({"sentence_start", "sentence_end"})
        if rng.random() < 0.5:
            _set(facts, specs, "fine_amount", fine)
            term += f"，并处罚金人民币{fine}万元"
        else:
            row.skip.add("fine_amount")
    else:
        row.skip.update({"sentence_term", "sentence_start", "sentence_end"})
        if st == "罚金":
            _set(facts, specs, "fine_amount", fine)
            term = f"罚金人民币{fine}万元"
        else:
            row.skip.add("fine_amount")
            term = st
    who_word = "被告人" if subj.natural else "被告单位"
    _set(facts, specs, "judgment_summary", f"{who_word}{subj.name}犯{theme['crime']}，判处{term}")


_PARTY_SANCTIONS = ("严重警告", "撤销党内职务", "留党察看", "开除党籍")
_SANCTION_MONTHS = {"警告": 6, "记过": 12, "记大过": 18, "降级": 24, "撤职": 24, "严重警告": 18, "撤销党内职务": 24}


def _hook_disciplinary(gen: Generator, row: _Row, rng: random.Random, specs: dict) -> None:
    facts = row.facts
    st = str(facts.get("sanction_type") or "")
    choices = specs["sanction_kind"].choices if "sanction_kind" in specs else []
    employer = row.subject.posts[-1][0] if row.subject.posts else None
    if st in _PARTY_SANCTIONS:
        kind = "党纪处分"
    elif employer is not None and employer.code.startswith("12") and st in ("警告", "记过", "开除"):
        kind = "事业单位工作人员处分"
    else:
        kind = "政务处分"
    if kind in (choices or []):
        _set(facts, specs, "sanction_kind", kind)
    basis = {"党纪处分": "《中国共产党纪律处分条例》", "事业单位工作人员处分": "《事业单位工作人员处分规定》"}.get(
        kind, "《中华人民共和国公职人员政务处分法》")
    _set(facts, specs, "sanction_basis", f"{basis}第{_cn_number(rng.randint(7, 60))}条")
    months = _SANCTION_MONTHS.get(st)
    if months:
        _set(facts, specs, "sanction_end", _add_months(row.decision, months))
    else:
        row.skip.add("sanction_end")


_ACCIDENT = {"一般事故": (0, 2, 10, 900), "较大事故": (3, 9, 300, 4000), "重大事故": (10, 29, 2000, 9000),
             "特别重大事故": (30, 40, 10000, 30000)}


def _hook_safety(gen: Generator, row: _Row, rng: random.Random, specs: dict) -> None:
    facts = row.facts
    level = str(facts.get("accident_level") or "一般事故")
    dmin, dmax, lmin, lmax = _ACCIDENT.get(level, _ACCIDENT["一般事故"])
    _set(facts, specs, "deaths", rng.randint(dmin, dmax))
    _set(facts, specs, "serious_injuries", rng.randint(0, max(2, dmax // 2)))
    _set(facts, specs, "direct_loss", f"{rng.uniform(lmin, lmax):.2f}")
    accident_day = row.decision - timedelta(days=rng.randint(30, 300))
    _set(facts, specs, "accident_date", accident_day)
    kind = rng.choice(W.THEMES["safety_accident_liability"][0]["_kinds"])
    where = row.subject.name if row.subject.kind == "enterprise" else gen._format("{county}{place}{company_word}", row)
    _set(facts, specs, "accident_name", f"{where}“{accident_day.month}·{accident_day.day}”{kind}事故")
    if row.subject.kind in ("gov_body", "public_servant"):
        _set(facts, specs, "liability", rng.choice(["监管责任", "领导责任"]))
    else:
        _set(facts, specs, "liability", rng.choice(["主要责任", "直接责任", "次要责任"]))


def _hook_exam(gen: Generator, row: _Row, rng: random.Random, specs: dict) -> None:
    # 公务员考试录用违纪违规行为处理办法: 替考、串通、有组织作弊 are 特别严重, other cheating 严重
    _set(row.facts, specs, "gravity", "特别严重" if row.severity == "serious" else "严重")
    exam_day = row.decision - timedelta(days=rng.randint(7, 60))
    _set(row.facts, specs, "exam_date", exam_day)
    theme = rng.choice(W.THEMES["exam_cheating"])
    for key, value in theme.items():
        if key in specs and key not in row.facts:
            row.facts[key] = gen._format(value.replace("{year}", str(exam_day.year)), row)


def _side_rng(row: _Row) -> random.Random:
    """Draws for facts added to the catalog after a demo was published, from a stream of their
    own (seeded by the row), so the province's other values stay what they were for its seed."""
    return random.Random(f"{row.subject.code}|{row.decision.isoformat()}|{row.category.code}")


def _hook_debtor(gen: Generator, row: _Row, rng: random.Random, specs: dict) -> None:
    """The demo's courts have removed nobody yet (no 删除日期)."""
    row.skip.add("removal_date")


def _after_debtor(gen: Generator, row: _Row, rng: random.Random, specs: dict) -> None:
    """The term the listing's ground carries (若干规定第二条): grounds (二)–(六) two years, which
    the court states as 失信期限届满日期 where it states one; ground (一) none, until removed."""
    spec = specs.get("listing_ground")
    if spec is not None and row.facts.get("listing_ground") == (spec.choices or [None])[0]:
        row.facts.pop("listing_end", None)


_STARS = ((1500, "五星"), (1000, "四星"), (600, "三星"), (300, "二星"), (100, "一星"))


def _hook_volunteer(gen: Generator, row: _Row, rng: random.Random, specs: dict) -> None:
    hours = math.exp(rng.uniform(math.log(4), math.log(3000)))
    _set(row.facts, specs, "service_hours", f"{hours:.1f}")
    star = next((s for h, s in _STARS if hours >= h), None)
    choices = specs["star_level"].choices if "star_level" in specs else None
    if star and choices and star in choices:
        _set(row.facts, specs, "star_level", star)
    else:
        row.skip.add("star_level")


def _hook_blood(gen: Generator, row: _Row, rng: random.Random, specs: dict) -> None:
    facts = row.facts
    times = rng.choices((1, 2, 5, 10, 20, 30, 45), weights=(30, 20, 20, 15, 8, 5, 2))[0] + rng.randint(0, 4)
    _set(facts, specs, "total_times", times)
    _set(facts, specs, "volume_ml", rng.choice((200, 300, 400)))
    award = "金奖" if times >= 40 else "银奖" if times >= 30 else "铜奖" if times >= 20 else "无"
    if "award" in specs and award in (specs["award"].choices or [award]):
        facts["award"] = award


def _hook_commitment(gen: Generator, row: _Row, rng: random.Random, specs: dict) -> None:
    facts = row.facts
    gen._fill_dates(row, rng, specs, ("valid_to",))
    valid_to = facts.get("valid_to")
    choices = specs["performance"].choices if "performance" in specs else []
    if valid_to is None or not choices:
        return
    if valid_to >= gen.today:
        state = "履行中"
    else:
        state = rng.choices(["全部履行", "部分履行", "全部未履行"], weights=(0.9, 0.07, 0.03))[0]
    if state in choices:
        facts["performance"] = state
    if state == "履行中":
        row.skip.update({"performance_date", "performance_unit"})
    else:
        _set(facts, specs, "performance_date", min(valid_to, gen.today))


def _hook_honour(gen: Generator, row: _Row, rng: random.Random, specs: dict) -> None:
    word = {"province": "省部级", "city": "市级", "county": "县级"}[row.dept.level]
    if "honour_level" in specs and word in (specs["honour_level"].choices or []):
        row.facts.setdefault("honour_level", word)


# Coherence that needs the facts step 5 filled (a listing's term follows its ground).
_AFTER: dict[str, Callable] = {"dishonest_judgment_debtor": _after_debtor}

_HOOKS: dict[str, Callable] = {
    "admin_penalty": _hook_admin_penalty,
    "admin_licence": _hook_admin_licence,
    "judicial_judgment": _hook_judicial,
    "disciplinary_sanction": _hook_disciplinary,
    "safety_accident_liability": _hook_safety,
    "exam_cheating": _hook_exam,
    "dishonest_judgment_debtor": _hook_debtor,
    "volunteer_service": _hook_volunteer,
    "blood_donation": _hook_blood,
    "credit_commitment": _hook_commitment,
    "honour": _hook_honour,
}
