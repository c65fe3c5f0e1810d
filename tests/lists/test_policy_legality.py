"""`xinyong policy check` names each measure or list that breaks the legality rules the lists
and checks rest on (国办发〔2020〕49号; 浙江省公共信用信息管理条例 第二十六条、第二十八条):
a measure following a rights-reducing item of the national basic list must say it restricts
rights (and so cite a law or administrative regulation); a punishment list tells the subject
first and gives it time to state its case; every list and responsible-person role named is
defined."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xinyong.catalog.loader import DEFAULT_DIR, load_dir
from xinyong.cli import app


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "policy"
    shutil.copytree(DEFAULT_DIR, target)
    return target


def edit(folder: Path, name: str, old: str, new: str, after: str | None = None) -> str:
    file = folder / name
    text = file.read_text(encoding="utf-8")
    start = text.index(after) if after else 0
    pos = text.index(old, start)
    text = text[:pos] + new + text[pos + len(old):]
    file.write_text(text, encoding="utf-8")
    return text


def problems(folder: Path) -> list[str]:
    policy, found = load_dir(folder)
    assert policy is None
    return [str(p) for p in found]


def test_the_defaults_pass_the_legality_checks():
    policy, found = load_dir(DEFAULT_DIR)
    assert found == [] and policy is not None
    assert policy.measures.measure("ps_appointment_limit").national_item == "nat_cadre_review"


def test_a_rights_reducing_item_needs_restricts_rights(folder):
    edit(folder, "measures.yaml", "    restricts_rights: true\n", "", after="  - code: bl_procurement_limit")
    [p] = problems(folder)
    assert "bl_procurement_limit" in p and "restricts_rights" in p and p.startswith("measures.yaml:")


def test_a_punishment_list_without_notice(folder):
    edit(folder, "behaviours.yaml", "    notice: true\n", "    notice: false\n", after="  - code: blacklist")
    [p] = problems(folder)
    assert "'blacklist'" in p and "told before a listing" in p


def test_a_rule_listing_needs_time_to_state_a_case(folder):
    edit(folder, "behaviours.yaml", "    notice_workdays: 5\n", "    notice_workdays: 0\n", after="  - code: watchlist")
    [p] = problems(folder)
    assert "'watchlist'" in p and "notice_workdays" in p


def test_a_punishment_triggered_by_the_red_list(folder):
    edit(folder, "measures.yaml", "{kind: list, list: blacklist}", "{kind: list, list: redlist}",
         after="  - code: bl_subsidy_limit")
    [p] = problems(folder)
    assert "bl_subsidy_limit" in p and "list of rewards" in p


def test_an_undefined_responsible_role(folder):
    start = (folder / "measures.yaml").read_text(encoding="utf-8").index("  - role: actual_controller")
    text = (folder / "measures.yaml").read_text(encoding="utf-8")
    end = text.index("\nmeasures:", start)
    (folder / "measures.yaml").write_text(text[:start] + text[end + 1:], encoding="utf-8")
    found = problems(folder)
    assert found and all("actual_controller" in p for p in found)
    assert any("cons_transport_class" in p for p in found)


def test_the_command_names_the_measure(folder):
    edit(folder, "measures.yaml", "    national_item: nat_procurement_limit\n", "    national_item: nat_made_up\n",
         after="  - code: bl_procurement_limit")
    result = CliRunner().invoke(app, ["policy", "check", str(folder)])
    assert result.exit_code == 1
    assert "bl_procurement_limit" in result.output and "national basic measures list" in result.output
