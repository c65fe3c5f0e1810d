"""The platform's own section providers: identity, the records by their category's group, the
list entries, the grade, and the advice. Each reads only what the report's context allows:
the records of the file as this reader may see it, the lists the policy publishes (every list
to a reader of the full file), the grade only to a reader of the full file (grades are kept
for 分级管理, not published — as the file page does, :func:`xinyong.lists.service.standing_lines`).
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import or_, select

from xinyong.catalog.schemas import SUBJECT_KIND_NAMES
from xinyong.disclosure.sections import SECTION_OF_GROUP, Block, ReportContext, Table, register
from xinyong.lists import service as lists
from xinyong.lists.models import ENTRY_STATUSES, ListEntry

RECORD_HEADERS = ["决定文书号", "决定日期", "认定部门", "性质", "状态", "公示期"]


@register("basic")
def identity(ctx: ReportContext) -> list[Block]:
    f = ctx.file
    s = f.subject
    natural = ctx.subject.is_natural
    lines = [
        ("姓名" if natural else "名称", ctx.identity.get("name", s.name)),
        ("公民身份号码" if natural else "统一社会信用代码", ctx.identity.get("code", s.code)),
        ("主体类别", s.kind_name or SUBJECT_KIND_NAMES.get(s.kind, s.kind)),
        ("所在地区", " ".join(r.name for r in f.region_path) or s.region_name),
    ]
    if f.legal_rep:
        lines.append(("法定代表人", f"{f.legal_rep.name}（{f.legal_rep.code}）" if f.legal_rep.code else f.legal_rep.name))
    if f.parent:
        lines.append(("上级机构", f.parent.name))
    for p in f.posts:
        if p.current:
            lines.append(("现任职务", f"{p.body.name} {p.title}（{p.start_date.isoformat()} 起）"))
    return [Block(lines=lines)]


def _period(r) -> str:
    return f"{r.display_from.isoformat()} 至 {r.display_until.isoformat()}"


def _nature(r) -> str:
    return r.polarity_name + (f"（{r.severity_name}）" if r.severity_name else "")


def _records_by_section(ctx: ReportContext) -> dict[str, list[Block]]:
    """The file's records grouped by section, one table per category (most records first)."""
    by_category: dict[str, list] = defaultdict(list)
    for r in ctx.file.records:
        by_category[r.category_code].append(r)
    out: dict[str, list[Block]] = defaultdict(list)
    for code, records in sorted(by_category.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        category = ctx.policy.category(code)
        group = category.group if category else "其他"
        key = SECTION_OF_GROUP.get(group, "other")
        if key == "basic":
            key = "other"
        caption = records[0].category_name
        if key == "other" and group != "其他":
            caption = f"{group}：{caption}"
        rows = [[r.decision_no, r.decision_date.isoformat(), r.department_name, _nature(r), r.status_name, _period(r)]
                for r in records]
        out[key].append(Block(caption=f"{caption}（{len(records)} 条）", table=Table(RECORD_HEADERS, rows)))
    return out


def _records_provider(key: str):
    def provider(ctx: ReportContext) -> list[Block]:
        if "records" not in ctx.cache:
            ctx.cache["records"] = _records_by_section(ctx)
        cache = ctx.cache["records"]
        blocks = list(cache.get(key, []))
        if key == "other" and ctx.file.withheld:
            blocks.append(Block(note=f"另有 {ctx.file.withheld} 条授权查询或政务共享信息，本报告未予列示。"))
        return blocks

    provider.__name__ = f"records_{key}"
    return provider


for _key in ("administrative", "honours", "serious_lists", "abnormal", "commitments", "judicial",
             "qualifications", "other"):
    register(_key)(_records_provider(_key))

LIST_HEADERS = ["名单", "列入原因", "决定文书号", "列入日期", "期限至", "状态"]


def _list_rows(ctx: ReportContext) -> dict[str, list[list[str]]]:
    """The subject's list entries this reader may see: those in force (only the published lists
    to a reader not of the full file), and to a reader of the full file those proposed too."""
    q = select(ListEntry).where(ListEntry.subject_id == ctx.subject.id)
    q = q.where(or_(lists.in_force(ctx.on), ListEntry.status == "proposed")) if ctx.full else q.where(lists.in_force(ctx.on))
    published = {k.code for k in ctx.policy.behaviours.list_kinds if k.publish}
    out: dict[str, list[list[str]]] = defaultdict(list)
    for e in ctx.session.scalars(q.order_by(ListEntry.effective_from, ListEntry.id)):
        if not ctx.full and e.list_kind not in published:
            continue
        spec = ctx.policy.behaviours.list_kind(e.list_kind)
        key = "honours" if spec is not None and spec.type == "reward" else "serious_lists"
        status = ENTRY_STATUSES.get(e.status, e.status)
        out[key].append([spec.name if spec else "信用名单", e.reason, e.decision_no or "—", e.effective_from.isoformat(),
                         e.listed_until.isoformat() if e.listed_until else "移出前持续有效", status])
    return out


def _lists_provider(key: str):
    def provider(ctx: ReportContext) -> list[Block]:
        if "lists" not in ctx.cache:
            ctx.cache["lists"] = _list_rows(ctx)
        rows = ctx.cache["lists"].get(key, [])
        return [Block(caption=f"信用名单（{len(rows)} 条）", table=Table(LIST_HEADERS, rows))] if rows else []

    provider.__name__ = f"lists_{key}"
    return provider


register("honours")(_lists_provider("honours"))
register("serious_lists")(_lists_provider("serious_lists"))


@register("evaluation")
def grade(ctx: ReportContext) -> list[Block]:
    if not ctx.full:
        return []
    g = lists.grade_of(ctx.session, [ctx.subject.id]).get(ctx.subject.id)
    return [Block(lines=[("信用评价等级", g)])] if g else []


@register("advice")
def advice(ctx: ReportContext) -> list[Block]:
    """Plain advice drawn from the file: dishonest records shown and whether they may be repaired."""
    dishonest = [r for r in ctx.file.records if r.polarity == "dishonest"]
    if not dishonest:
        return []
    repairable = sorted({r.category_name for r in dishonest
                         if (c := ctx.policy.category(r.category_code)) is not None and c.repairable})
    lines = [("失信信息", f"本报告列示失信信息 {len(dishonest)} 条，请及时履行相关义务、纠正失信行为。")]
    if repairable:
        lines.append(("信用修复", f"{'、'.join(repairable)}可按规定申请信用修复；修复后不再公示。"))
    return [Block(lines=lines)]
