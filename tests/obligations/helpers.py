"""Synthetic obligations for the tests: rows as the templates have them, valid unless told."""

from __future__ import annotations

from datetime import date
from itertools import count

from xinyong.core.codes import make_uscc

_n = count(1)
TODAY = date(2026, 6, 1)  # the tests' fixed "today" (never the wall clock)
COURT = make_uscc("11", "330106", "00370001")
FINDER = make_uscc("11", "330106", "00370002")
SUPPLIER = make_uscc("91", "330106", "00370003")


def serial() -> int:
    return next(_n)


def agreement(body, **kw) -> dict:
    out = {"ref_no": f"ZS-{serial()}", "body_code": body.code, "body_name": body.name, "kind": "投资协议",
           "name": "智能制造产业园投资协议", "counterpart_name": "某某智能装备有限公司", "incentives": "土地出让金返还30%",
           "incentive_amount": "500", "signed_on": "2025-03-01", "due_on": "2026-03-01"}
    out.update(kw)
    return out


def contract(body, **kw) -> dict:
    out = {"contract_no": f"HT-{serial()}", "body_code": body.code, "body_name": body.name, "kind": "政府采购",
           "name": "办公设备采购", "supplier_name": "某某办公用品有限公司", "supplier_code": SUPPLIER, "sme": "是",
           "amount": "100", "signed_on": "2026-01-05", "accepted_on": "2026-03-02", "paid_amount": "0"}
    out.update(kw)
    return out


def ppp(body, **kw) -> dict:
    out = {"project_code": f"PPP-{serial()}", "body_code": body.code, "body_name": body.name, "name": "污水处理厂PPP项目",
           "partner_name": "某某环保有限公司", "investment": "20000", "stage_0": "2023-01-10", "stage_1": "2023-06-01",
           "stage_2": "2024-01-15", "stage_3": "2024-09-01"}
    out.update(kw)
    return out


def judgment(body, **kw) -> dict:
    out = {"case_no": f"（2025）浙0106执{serial()}号", "body_code": body.code, "body_name": body.name,
           "court_name": "某区人民法院", "court_code": COURT, "creditor_name": "某某建设有限公司",
           "obligation": "支付工程款及利息", "amount": "320", "effective_on": "2025-10-01", "perform_by": "2025-12-31"}
    out.update(kw)
    return out


def debt(body, **kw) -> dict:
    out = {"body_code": body.code, "body_name": body.name, "as_of": "2025-12-31", "balance": "900",
           "resources": "1000", "maturing": "120", "overdue_amount": "0"}
    out.update(kw)
    return out
