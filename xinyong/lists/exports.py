"""The published lists as an XLSX file, written streamed (openpyxl write-only), masked the same
way as the page and the API; names and reasons come from outside, so every text cell is written
inert (:mod:`xinyong.core.xlsx`)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from xinyong.catalog.schemas import PolicySet
from xinyong.core import xlsx
from xinyong.lists import service
from xinyong.lists.schemas import PublishedEntryOut

HEADERS = ["名单", "主体名称", "统一社会信用代码/身份证号码", "主体类别", "地区", "列入事由", "列入方式",
           "决定文书号", "决定机关", "列入日期", "列入期限至"]


def public_kinds(policy: PolicySet) -> list[str]:
    """The lists the policy publishes (``publish: true``)."""
    return [k.code for k in policy.behaviours.list_kinds if k.publish]


def file_name(policy: PolicySet, list_kind: str | None) -> str:
    spec = policy.behaviours.list_kind(list_kind) if list_kind else None
    return f"{spec.name if spec else '信用名单'}.xlsx"


def write_xlsx(session: Session, policy: PolicySet, path: Path, *, list_kind: str | None = None,
               region: str | None = None, tally: dict[str, int] | None = None, with_persons: bool = True) -> int:
    """Write the published list to ``path``; the number of rows. ``tally["persons"]``, when a
    dict is given: how many of them are natural persons (the download's audit entry counts them);
    ``with_persons=False``: natural persons left out (the public's export)."""
    wb = xlsx.streamed_workbook()
    ws = wb.create_sheet("名单")
    xlsx.append(ws, HEADERS)
    n = persons = 0
    for row in service.iter_published(session, list_kind=list_kind, region=region, kinds=public_kinds(policy),
                                       persons=with_persons):
        o = PublishedEntryOut.build(row.entry, row.subject, policy)
        xlsx.append(ws, [o.list_name, o.subject_name, o.subject_code, o.subject_kind_name, o.region_name, o.reason,
                   o.basis, o.decision_no or "", o.decided_by or "", o.listed_from,
                   o.listed_until or "至移出"])
        n += 1
        persons += row.subject.kind == "person"
    wb.save(path)
    if tally is not None:
        tally["persons"] = persons
    return n
