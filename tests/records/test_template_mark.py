"""The platform's own XLSX template is recognised as the category it was made for, whatever its
headers share with other categories; a file that says nothing is still known by its headers,
and one that cannot be placed is refused in words that name no command-line flag."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from xinyong.catalog.loader import DEFAULT_DIR, load_dir
from xinyong.records.pipeline import CategoryResolver
from xinyong.records.readers import FileUnusable, open_source
from xinyong.records.template import template_bytes


@pytest.fixture(scope="module")
def policy():
    loaded, problems = load_dir(DEFAULT_DIR)
    assert loaded is not None, problems
    return loaded


def test_every_categorys_template_is_recognised_without_naming_it(policy, tmp_path):
    for category in policy.catalog.categories:
        path = tmp_path / f"{category.code}.xlsx"
        path.write_bytes(template_bytes(policy, category))
        source = open_source(path)
        assert source.category_hint == category.code
        assert CategoryResolver(policy, source.headers, None, source.category_hint).fixed is category


def test_a_workbook_without_the_mark_falls_back_to_its_headers(policy, tmp_path):
    penalty = policy.category("admin_penalty")
    wb = Workbook()
    wb.active.append(list(penalty.header_signature) + ["主体名称"])
    buf = io.BytesIO()
    wb.save(buf)
    path = tmp_path / "plain.xlsx"
    path.write_bytes(buf.getvalue())
    source = open_source(path)
    assert source.category_hint is None
    assert CategoryResolver(policy, source.headers, None, None).fixed is penalty


def test_an_unplaceable_file_is_explained_without_a_flag(policy):
    with pytest.raises(FileUnusable) as exc:
        CategoryResolver(policy, ["主体名称", "备注"], None, None)
    assert "--" not in exc.value.zh and "记录类别" in exc.value.zh
