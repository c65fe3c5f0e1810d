"""The demo's fixed stories: cases the law decides one way, seeded the same way at every seed
and scale so that a user (and the tests) can look them up and see the platform check as the law
says (docs/demo.md lists them).

- 平湖市财政局, listed by 平湖市人民法院 as a 失信被执行人 on ground (一) (有履行能力而拒不履行)
  on 2024-04-10 and never removed: the listing has no fixed term (若干规定第二条), so the bureau
  never checks as 通过 while it stands.
- 一名平湖市财政局科员 given a 警告 (政务处分) on 2026-01-15: barred from promotion for the
  sanction's six months (政务处分法第八条、公务员法第六十四条), not for the record's display period.
- 一名自然人 convicted of 寻衅滋事罪 (有期徒刑二年, 2025-03-01 至 2027-02-28): an intentional
  crime, so 保安服务管理条例第十七条 reaches the convict; not an economic one, so 公司法第一百七十八条
  does not.
- 平湖市人民法院's 书记员, whose court 嘉兴市中级人民法院 listed as a 失信被执行人 (违反财产报告制度)
  on 2026-03-18: the listing reaches the court's registered principal, never a clerk whose title
  contains 书记 (a seeded court with a clerk is listed too, :meth:`RecordsPhase._court_debtor_row <xinyong.demo.records.RecordsPhase._court_debtor_row>`,
  where the scale staffs one).

The persons are new subjects with names drawn by a Faker of their own fixed seed and identity
numbers fixed here, added after the seeded records are drawn so that nothing else in the
province changes. A story dated after the demo's day is left out.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from faker import Faker
from sqlalchemy import insert

from xinyong.catalog.schemas import SUBJECT_KIND_NAMES
from xinyong.core.codes import make_ric
from xinyong.demo.base import Body, Subj, _titles
from xinyong.records.columns import COMMON
from xinyong.subjects.models import Post

if TYPE_CHECKING:
    from xinyong.demo.generator import Generator

STORY_SEED = "xinyong-demo-stories"
REGION = "330482"  # 平湖市
BUREAU = "平湖市财政局"
COURT = "平湖市人民法院"
CITY_COURT = "嘉兴市中级人民法院"
COURT_LISTED = date(2026, 3, 18)
LISTED = date(2024, 4, 10)
WARNED = date(2026, 1, 15)
CONVICTED = date(2025, 6, 20)
SENTENCE = (date(2025, 3, 1), date(2027, 2, 28))
# identity numbers fixed here (birth dates and sequence numbers of synthetic persons)
SERVANT_RIC = make_ric(REGION, date(1988, 5, 17), 482)
CONVICT_RIC = make_ric(REGION, date(1991, 9, 23), 731)
CLERK_RIC = make_ric(REGION, date(1995, 2, 8), 246)
SERVANTS = 2  # story subjects the province counts on top of its scale
PERSONS = 1

_H = {k: COMMON[k][0] for k in ("category", "subject_name", "subject_code", "subject_kind", "decision_no",
                                "decision_date", "department_name", "department_code", "source_id")}


def names() -> tuple[str, str, str]:
    """The warned servant's, the convict's and the clerk's synthetic names (a Faker of the
    stories' own seed)."""
    fake = Faker("zh_CN")
    fake.seed_instance(STORY_SEED)
    return fake.name_female(), fake.name_male(), fake.name_female()


def _body(gen: Generator, name: str) -> Body | None:
    return next((b for b in gen.bodies if b.name == name), None)


def _row(gen: Generator, category: str, who: tuple[str, str, str], dept: Body, day: date, doc: str,
         facts: dict) -> dict:
    cat = next(c for c in gen.policy.catalog.categories if c.code == category)
    names_of = {f.key: f.name for f in cat.facts}
    name, code, kind = who
    row = {"_dept": dept, _H["category"]: cat.name, _H["subject_name"]: name, _H["subject_code"]: code,
           _H["subject_kind"]: SUBJECT_KIND_NAMES[kind], _H["decision_no"]: doc,
           _H["decision_date"]: day.isoformat(), _H["department_name"]: dept.name,
           _H["department_code"]: dept.code, _H["source_id"]: f"故事-{category}-{day:%Y%m%d}"}
    for key, value in facts.items():
        row[names_of[key]] = value.isoformat() if isinstance(value, date) else value
    return row


def story_rows(gen: Generator) -> list[dict]:
    """The stories' subjects (inserted here) and their records' rows, as the departments send
    them; each row carries its department under ``_dept`` as the generator's rows do."""
    bureau, court, city_court = _body(gen, BUREAU), _body(gen, COURT), _body(gen, CITY_COURT)
    if bureau is None or court is None or city_court is None:
        return []
    rows: list[dict] = []
    servant_name, convict_name, clerk_name = names()
    ground_one = "有履行能力而拒不履行生效法律文书确定义务"
    if LISTED <= gen.today:
        rows.append(_row(gen, "dishonest_judgment_debtor", (bureau.name, bureau.code, "gov_body"), court, LISTED,
                         "（2024）浙0482执1203号", {
                             "basis_no": "（2023）浙0482民初2817号", "basis_unit": COURT,
                             "obligation": "支付工程款人民币三百二十万元", "performance": "全部未履行",
                             "listing_ground": ground_one, "filing_date": date(2023, 11, 6)}))
    subjects: list[tuple[Subj, str]] = []
    title = _titles(bureau)[0]  # 科员
    if WARNED <= gen.today:
        servant = Subj("public_servant", SERVANT_RIC, servant_name, REGION, birth=date(1988, 5, 17),
                       posts=[(bureau, title, date(2012, 8, 1), None)])
        subjects.append((servant, "F"))
        rows.append(_row(gen, "disciplinary_sanction", (servant.name, servant.code, servant.kind), bureau, WARNED,
                         "平财纪〔2026〕3号", {
                             "sanction_kind": "政务处分", "sanction_type": "警告",
                             "violation_facts": "违反规定报销差旅费用", "employer": bureau.name,
                             "employer_code": bureau.code, "post": title}))
    if COURT_LISTED <= gen.today:
        clerk = Subj("public_servant", CLERK_RIC, clerk_name, REGION, birth=date(1995, 2, 8),
                     posts=[(court, "书记员", date(2019, 9, 2), None)])
        subjects.append((clerk, "F"))
        rows.append(_row(gen, "dishonest_judgment_debtor", (court.name, court.code, "gov_body"), city_court,
                         COURT_LISTED, "（2026）浙04执恢58号", {
                             "basis_no": "（2025）浙04民终1766号", "basis_unit": CITY_COURT,
                             "obligation": "支付房屋租金人民币四十六万元", "performance": "部分未履行",
                             "listing_ground": "违反财产报告制度", "filing_date": date(2026, 1, 9)}))
    if CONVICTED <= gen.today:
        convict = Subj("person", CONVICT_RIC, convict_name, REGION, birth=date(1991, 9, 23))
        subjects.append((convict, "M"))
        rows.append(_row(gen, "judicial_judgment", (convict.name, convict.code, convict.kind), court, CONVICTED,
                         "（2025）浙0482刑初211号", {
                             "crime": "寻衅滋事罪", "sentence_type": "有期徒刑", "sentence_term": "有期徒刑二年",
                             "sentence_start": SENTENCE[0], "sentence_end": SENTENCE[1],
                             "effective_date": date(2025, 7, 5),
                             "judgment_summary": f"被告人{convict.name}犯寻衅滋事罪，判处有期徒刑二年"}))
    if subjects:
        gen._insert_subjects([{"kind": s.kind, "code": s.code, "name": s.name, "region_code": s.region,
                               "birth_date": s.birth, "gender": g} for s, g in subjects])
        ids = gen._ids([s.code for s, _ in subjects])
        posts = [{"person_id": ids[s.code], "body_id": gen.body_ids[b.code], "title": t, "start_date": a, "end_date": e}
                 for s, _ in subjects for b, t, a, e in (s.posts or [])]
        if posts:
            gen.session.connection().execute(insert(Post.__table__), posts)
            gen.summary.posts += len(posts)
        for s, _ in subjects:
            (gen.servants if s.kind == "public_servant" else gen.persons).append(s)
    return rows
