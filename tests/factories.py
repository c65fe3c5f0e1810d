"""Synthetic rows and codes for tests (never real people)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from xinyong.core.codes import make_ric, make_uscc

DEPT = make_uscc("11", "330100", "00250001")
DEPT_NAME = "杭州市市场监督管理局"
OTHER_DEPT = make_uscc("11", "330200", "00250002")


def company(n: int, region: str = "330106") -> str:
    return make_uscc("91", region, f"{n:08d}")


def person(n: int, region: str = "330106", born: date = date(1985, 6, 1)) -> str:
    return make_ric(region, born, n % 1000)


def penalty_row(n: int = 1, **over) -> dict:
    """One row of a national 双公示 administrative-penalty file, for a company."""
    code = over.pop("code", company(n))
    row = {
        "行政相对人名称": f"杭州测试{n}有限公司",
        "行政相对人类别": "法人及非法人组织",
        "行政相对人代码_1(统一社会信用代码)": code,
        "证件号码": "",
        "行政处罚决定书文号": f"杭市监罚〔2025〕{n}号",
        "违法行为类型": "虚假宣传",
        "违法事实": "在网店页面发布虚假广告",
        "处罚依据": "《中华人民共和国广告法》第五十五条",
        "处罚类别": "罚款",
        "处罚内容": "罚款人民币一万元",
        "罚款金额（万元）": "1",
        "处罚决定日期": "2025-06-01",
        "处罚机关": DEPT_NAME,
        "数据来源单位": DEPT_NAME,
        "数据来源单位统一社会信用代码": DEPT,
    }
    row.update(over)
    return row


def person_penalty_row(n: int = 1, **over) -> dict:
    ric = over.pop("ric", person(n))
    return penalty_row(
        n,
        code="",
        **{"行政相对人名称": f"测试人{n}", "行政相对人类别": "自然人", "证件号码": ric, **over},
    )


def write_csv(path: Path, rows: list[dict], encoding: str = "utf-8") -> Path:
    """Rows as a department's CSV file, headers from the first row."""
    with open(path, "w", newline="", encoding=encoding) as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path
