"""A body is shown as what its code says it is, in the push inbox and the check answers: a
library is a 事业单位, a village's cooperative a 农村集体经济组织, a 村委会 a 村民委员会."""

from __future__ import annotations

from types import SimpleNamespace

from xinyong.core.codes import make_uscc
from xinyong.push.service import subjects_of
from xinyong.subjects.models import Subject


def test_push_inbox_labels_follow_the_code(session):
    bodies = {
        "事业单位": Subject(kind="gov_body", code=make_uscc("12", "330106", "47005512"),
                         name="杭州市西湖区图书馆", region_code="330106"),
        "村民委员会": Subject(kind="gov_body", code=make_uscc("54", "330382", "MA2H0Q7K"),
                          name="乐清市柳市镇东风村村民委员会", region_code="330382"),
        "农村集体经济组织": Subject(kind="enterprise", code=make_uscc("N2", "330382", "MA2H7702"),
                            name="乐清市柳市镇东风村股份经济合作社", region_code="330382"),
        "机关": Subject(kind="gov_body", code=make_uscc("11", "330100", "00250001"),
                      name="杭州市人民政府", region_code="330100"),
    }
    session.add_all(bodies.values())
    session.flush()
    shown = subjects_of(session, [SimpleNamespace(subject_id=s.id) for s in bodies.values()])
    assert {label: shown[s.id].kind_name for label, s in bodies.items()} == {k: k for k in bodies}
    assert "政府机构" not in {s.kind_name for s in shown.values()}
