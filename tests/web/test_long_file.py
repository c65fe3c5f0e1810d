"""A long credit file is shown a page at a time, by category, newest decision first, with the
counts of the whole file (a public enterprise file of 326 records was one 135 KB page)."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.lists.helpers import body, record
from xinyong.core.clock import today
from xinyong.core.db import session_scope


def test_a_long_file_is_paged_by_category(client):
    with session_scope() as s:
        firm = body(s, "杭州长档案有限公司")
        for n in range(120):
            record(s, firm, "admin_penalty", "general", decided=today() - timedelta(days=n + 1))
        for n in range(30):
            record(s, firm, "admin_licence", decided=today() - timedelta(days=2 * n + 1))
        code = firm.code
    first = client.get(f"/subjects/{code}")
    assert first.status_code == 200
    rows = re.findall(r'<a href="/records/(\d+)">', first.text)
    assert len(rows) == 50  # XINYONG_PAGE_SIZE
    assert "全部（150）" in first.text and "行政处罚（120）" in first.text and "行政许可（30）" in first.text
    assert "第 1 / 3 页" in first.text and f"/subjects/{code}?page=2" in first.text
    dates = re.findall(r"<td>(\d{4}-\d{2}-\d{2})</td>\s*<td>[^<]*</td>\s*<td>\d{4}-\d{2}-\d{2}", first.text)
    assert dates == sorted(dates, reverse=True)  # newest decision first

    last = client.get(f"/subjects/{code}?category=admin_penalty&page=3")
    rows3 = re.findall(r'<a href="/records/(\d+)">', last.text)
    assert len(rows3) == 20 and "行政处罚共 120 条" in last.text and "第 3 / 3 页" in last.text
    assert "行政许可</a>" not in last.text
    assert "上一页" in last.text and "下一页" not in last.text
    assert len(first.content) < 60_000

    empty = client.get(f"/subjects/{code}?category=admin_penalty&page=9")
    assert empty.status_code == 200 and "本页没有信用记录" in empty.text
    assert client.get(f"/subjects/{code}?page=0").status_code == 422
