"""A small, known set of subjects and records for the subjects, records and web tests.

Records are imported the way departments send them (``import_source``), so the display periods
and disclosure come from the default policy lists: an ordinary administrative penalty (罚款) is
一般 and shown 12 months, a natural person's penalty is 授权查询 (withheld from the public), a
失信被执行人 entry is public for everyone and shown 24 months.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.core.clock import today
from xinyong.core.codes import make_ric, make_uscc
from xinyong.records.ingest import import_source
from xinyong.records.models import Record
from xinyong.records.readers import rows_from_dicts
from xinyong.subjects.identity import lookup_key
from xinyong.subjects.models import Post, Subject

MARKET_BUREAU = make_uscc("11", "330100", "00250001")
COURT = make_uscc("11", "330100", "00250009")


def penalty(name: str, code: str, decided: date, no: str, *, natural: bool = False, **extra) -> dict:
    row = {
        "行政相对人名称": name,
        "行政相对人类别": "自然人" if natural else "法人及非法人组织",
        "行政相对人代码_1(统一社会信用代码)": "" if natural else code,
        "证件号码": code if natural else "",
        "行政处罚决定书文号": no,
        "违法行为类型": "虚假宣传",
        "违法事实": "发布虚假广告",
        "处罚依据": "《中华人民共和国广告法》第五十五条",
        "处罚类别": "罚款",
        "处罚内容": "罚款人民币一万元",
        "处罚决定日期": decided.isoformat(),
        "数据来源单位": "杭州市市场监督管理局",
        "数据来源单位统一社会信用代码": MARKET_BUREAU,
    }
    row.update(extra)
    return row


def debtor(name: str, code: str, decided: date, no: str, **extra) -> dict:
    row = {
        "被执行人姓名/名称": name,
        "身份证号码/组织机构代码": code,
        "执行案号": no,
        "来源记录编号": no,
        "发布时间": decided.isoformat(),
        "执行依据文号": "（2024）浙01民初1号",
        "生效法律文书确定的义务": "支付货款",
        "被执行人的履行情况": "全部未履行",
        "失信被执行人行为具体情形": "违反财产报告制度",  # a two-year ground (若干规定第二条)
        "执行法院": "杭州市中级人民法院",
        "执行法院统一社会信用代码": COURT,
    }
    row.update(extra)
    return row


def load(session: Session, rows: list[dict], category: str) -> None:
    result = import_source(session, rows_from_dicts(rows), file_name="t", category=category)
    assert result.rejected == 0, result.errors
    session.commit()


@dataclass
class World:
    ent_hz: Subject  # enterprise in 西湖区 with a shown and an expired penalty
    ent_nb: Subject  # enterprise in 宁波 with one shown penalty
    person: Subject  # 张三丰: a withheld penalty and a public 失信被执行人 entry
    servant: Subject  # 欧阳娜娜: public servant with a current and a past post, a debtor entry
    city_gov: Subject
    bureau: Subject  # gov body under city_gov
    person_penalty_id: int
    person_debtor_id: int
    hz_recent_id: int
    hz_old_id: int

    person_ric: str = ""  # the identity numbers in plain (Subject.code holds their keyed hash)
    servant_ric: str = ""

    PERSON_NAME = "张三丰"
    SERVANT_NAME = "欧阳娜娜"


def build_world(session: Session) -> World:
    t = today()
    recent, old = t - timedelta(days=30), t - timedelta(days=800)
    ent_hz = make_uscc("91", "330106", "12345678")
    ent_nb = make_uscc("91", "330203", "23456789")
    person = make_ric("330106", date(1990, 1, 1), 123)
    servant = make_ric("330102", date(1980, 5, 6), 456)

    city_gov = Subject(kind="gov_body", code=make_uscc("11", "330100", "00250000"), name="杭州市人民政府",
                       region_code="330100")
    session.add(city_gov)
    session.flush()
    bureau = Subject(kind="gov_body", code=make_uscc("11", "330100", "00250002"), name="杭州市发展和改革委员会",
                     region_code="330100", parent_id=city_gov.id)
    ps = Subject(kind="public_servant", code=servant, name=World.SERVANT_NAME, region_code="330102",
                 birth_date=date(1980, 5, 6), gender="F")
    session.add_all([bureau, ps])
    session.flush()
    session.add_all([
        Post(person_id=ps.id, body_id=bureau.id, title="处长", start_date=date(2018, 1, 1)),
        Post(person_id=ps.id, body_id=city_gov.id, title="科员", start_date=date(2005, 1, 1),
             end_date=date(2017, 12, 31)),
    ])
    session.commit()

    load(session, [
        penalty("杭州甲科技有限公司", ent_hz, recent, "杭市监罚〔2026〕1号",
                违法事实=f"法定代表人李四光（{make_ric('330106', date(1970, 2, 3), 11)}）指使发布虚假广告"),
        penalty("杭州甲科技有限公司", ent_hz, old, "杭市监罚〔2024〕2号"),
        penalty("宁波乙贸易有限公司", ent_nb, recent, "甬市监罚〔2026〕3号"),
        penalty(World.PERSON_NAME, person, recent, "杭市监罚〔2026〕4号", natural=True),
    ], "admin_penalty")
    load(session, [
        debtor(World.PERSON_NAME, person, recent, "(2026)浙01执5号",
               **{"生效法律文书确定的义务": f"{World.PERSON_NAME}（{person}）支付货款"}),
        debtor(World.SERVANT_NAME, servant, recent, "(2026)浙01执6号"),
    ], "dishonest_judgment_debtor")

    subjects = {s.code: s for s in session.scalars(select(Subject))}  # keyed hashes for persons
    subjects.update({c: subjects[lookup_key(c)] for c in (person, servant)})
    ids = {r.decision_no: r.id for r in session.scalars(select(Record))}
    hz = subjects[ent_hz]
    hz.legal_rep_name = "李四光"
    hz.legal_rep_code = make_ric("330106", date(1970, 2, 3), 11)
    session.commit()
    return World(
        ent_hz=hz, ent_nb=subjects[ent_nb], person=subjects[person], servant=subjects[servant],
        city_gov=subjects[city_gov.code], bureau=subjects[bureau.code],
        person_penalty_id=ids["杭市监罚〔2026〕4号"], person_debtor_id=ids["(2026)浙01执5号"],
        hz_recent_id=ids["杭市监罚〔2026〕1号"], hz_old_id=ids["杭市监罚〔2024〕2号"],
        person_ric=person, servant_ric=servant,
    )


def revise(session: Session, world: World) -> None:
    """Send the Hangzhou enterprise's recent penalty again with new content: version 2."""
    t = today()
    load(session, [
        penalty("杭州甲科技有限公司", world.ent_hz.code, t - timedelta(days=30), "杭市监罚〔2026〕1号",
                违法事实=f"法定代表人李四光（{make_ric('330106', date(1970, 2, 3), 11)}）指使发布虚假广告",
                处罚内容="罚款人民币五万元"),
    ], "admin_penalty")
