"""Authorisation-matrix cases for the obligations' registers (format: tests/accounts/matrix.py).

The credit office and reporting departments import the registers and change their rows within
their region (a body outside it: the row is refused; a row outside it: 403); every official reads
them within the region. Only the credit office (admin) confirms or refuses a proposed finding."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import count

from tests.accounts.matrix import OFFICIALS, Case, only
from xinyong.core.codes import make_uscc

REGISTRARS = ("admin", "reporter")
NOBODY = only((), public=401)
_serial = count(1)


def _body(w, where):
    def make():
        from xinyong.subjects.models import Subject

        region = "330106" if where == "in" else "330203"
        s = Subject(kind="gov_body", code=make_uscc("11", region, f"{next(_serial) + 77000000:08d}"),
                    name=f"矩阵测试局{where}", region_code=region)
        w.db.add(s)
        w.db.commit()
        return s.id

    return w.once(f"obligations-body-{where}", make)


def _region(w, where):
    return "330106" if where == "in" else "330203"


def _agreement(w, where):
    from xinyong.commitments.obligations.models import Agreement

    a = Agreement(ref_no=f"MX-{next(_serial)}", body_id=_body(w, where), region_code=_region(w, where), kind="投资协议",
                  name="矩阵测试协议", counterpart_name="矩阵测试企业", incentives="税收奖励", signed_on=date(2020, 1, 1),
                  status="in_force", created_by="matrix")
    w.db.add(a)
    w.db.commit()
    return {"agreement_id": a.id}


def _project(w, where):
    from xinyong.commitments.obligations.models import PppProject

    p = PppProject(project_code=f"MX-{next(_serial)}", body_id=_body(w, where), region_code=_region(w, where),
                   name="矩阵测试PPP", stage="识别", stage_on=date(2020, 1, 1), stages="识别:2020-01-01", created_by="matrix")
    w.db.add(p)
    w.db.commit()
    return {"project_id": p.id}


def _judgment(w, where):
    from xinyong.commitments.obligations.models import Judgment

    j = Judgment(case_no=f"MX-{next(_serial)}", body_id=_body(w, where), region_code=_region(w, where),
                 court_name="矩阵法院", court_code=make_uscc("11", "330106", "00370001"), creditor_name="矩阵企业",
                 obligation="支付款项", amount=Decimal(1), effective_on=date(2020, 1, 1), status="unperformed",
                 created_by="matrix")
    w.db.add(j)
    w.db.commit()
    return {"judgment_id": j.id}


def _finding(w, where):
    from xinyong.commitments.obligations.models import Finding

    f = Finding(kind="arrears", row_id=next(_serial) + 900000, body_id=_body(w, where), region_code=_region(w, where),
                category="arrears_to_enterprises", amount=Decimal(1), status="proposed", proposed_on=date(2020, 1, 1))
    w.db.add(f)
    w.db.commit()
    return {"finding_id": f.id}


def _body_ref(w, where):
    from xinyong.subjects.models import Subject

    return {"ref": w.db.get(Subject, _body(w, where)).code}


def _region_q(w, where):
    return {"region": w.region(where)}


REG = lambda w, where: {"register": "contracts"}  # noqa: E731
CLOSE = lambda w, where: {"status": "performed"}  # noqa: E731
STAGE = lambda w, where: {"stage": "准备"}  # noqa: E731
FULFIL = lambda w, where: {"status": "fulfilled"}  # noqa: E731
BAD_UNIT = lambda w, where: {"unit": "矩阵信用办", "unit_code": "123"}  # noqa: E731
REFUSE = lambda w, where: {"note": "经核实已付款"}  # noqa: E731

CASES = [
    Case("GET", "/api/v1/obligations/findings", query=_region_q, expect=only(OFFICIALS), out=NOBODY),
    Case("POST", "/api/v1/obligations/findings/{finding_id}/confirm", params=_finding, json=BAD_UNIT,
         expect=only(("admin",), 422), out=NOBODY, note="a bad unit code: 422 once admitted"),
    Case("POST", "/api/v1/obligations/findings/{finding_id}/refuse", params=_finding, json=REFUSE,
         expect=only(("admin",)), out=NOBODY),
    Case("GET", "/api/v1/obligations/arrears", expect=only(OFFICIALS)),
    Case("GET", "/api/v1/obligations/bodies/{body_id}/summary", params=lambda w, where: {"body_id": _body(w, where)},
         expect=only(OFFICIALS), out=NOBODY),
    Case("GET", "/api/v1/obligations/{register}", params=REG, query=_region_q, expect=only(OFFICIALS), out=NOBODY),
    Case("GET", "/api/v1/obligations/{register}/template.xlsx", params=REG, expect=only(REGISTRARS)),
    Case("POST", "/api/v1/obligations/{register}/import", params=REG, expect=only(REGISTRARS, 422),
         note="no file: 422 once admitted"),
    Case("GET", "/api/v1/obligations/{register}/export.xlsx", params=REG, query=_region_q, expect=only(OFFICIALS),
         out=NOBODY),
    Case("POST", "/api/v1/obligations/agreements/{agreement_id}/status", params=_agreement, json=FULFIL,
         expect=only(REGISTRARS), out=NOBODY),
    Case("POST", "/api/v1/obligations/ppp/{project_id}/stage", params=_project, json=STAGE,
         expect=only(REGISTRARS), out=NOBODY),
    Case("POST", "/api/v1/obligations/judgments/{judgment_id}/status", params=_judgment, json=CLOSE,
         expect=only(REGISTRARS), out=NOBODY),
    Case("GET", "/obligations", expect=only(OFFICIALS)),
    Case("GET", "/obligations/bodies/{ref}", params=_body_ref, expect=only(OFFICIALS), out=NOBODY),
    Case("GET", "/obligations/{register}", params=REG, query=_region_q, expect=only(OFFICIALS), out=NOBODY),
    Case("POST", "/obligations/{register}", params=REG, expect=only(REGISTRARS, 422), note="no file: 422 once admitted"),
    Case("POST", "/obligations/agreements/{agreement_id}/status", params=_agreement, form=FULFIL,
         expect=only(REGISTRARS, 303), out=NOBODY),
    Case("POST", "/obligations/ppp/{project_id}/stage", params=_project, form=STAGE,
         expect=only(REGISTRARS, 303), out=NOBODY),
    Case("POST", "/obligations/judgments/{judgment_id}/status", params=_judgment, form=CLOSE,
         expect=only(REGISTRARS, 303), out=NOBODY),
    Case("GET", "/obligations/findings", query=_region_q, expect=only(OFFICIALS), out=NOBODY),
    Case("POST", "/obligations/findings/{finding_id}/confirm", params=_finding, form=BAD_UNIT,
         expect=only(("admin",), 422), out=NOBODY, note="a bad unit code: 422 (the page with the error) once admitted"),
    Case("POST", "/obligations/findings/{finding_id}/refuse", params=_finding, form=REFUSE,
         expect=only(("admin",), 303), out=NOBODY),
]
