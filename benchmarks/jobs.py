"""Promise-keeping daily jobs benchmark: the commitments' daily run (breaches, rectification
overdue) and the obligations' (arrears, debt levels, judgments, PPP, findings proposed for the
credit office) over N commitments and N contracts, against a floor measured in the same run.

Fills a fresh database with ``--size`` commitments (default 1,000,000) of government bodies —
``--due`` of them (default 1%) in force past their due date, the rest kept, withdrawn or
due later — and a registered principal per body; as many contracts (``--size``), a share of
them unpaid past their due day (``--arrears``, default 10%), one investment agreement per ten
contracts (2% in force past due, some lawfully terminated) and one debt figure per ten (1% with
overdue repayments); all by bulk inserts. Then:

0. the floor: the jobs' own statements run bare, each in a transaction rolled back — the select
   of the due commitments with their subjects, the update marking them breached, a bulk insert
   of as many rows as the breach records into a scratch table as wide as a record, the insert of
   the tasks, the escalation update — so what the jobs add above their SQL is visible;
1. the day's run (``xinyong jobs daily`` restricted to the commitments' jobs): the breaches
   become records through the records' path, the records open rectification tasks;
2. the same day forced: every job again, changing nothing (idempotence, and its cost);
3. ``--later`` days on (default 40): the tasks are past their 20 working days and are reported
   to the superior body, and the principals get their records;
4. that later day forced again: nothing changes.

The findings are proposals only: no record is written by the daily run (the credit office
confirms them one by one, docs/obligations.md); the run first withdraws the open proposals
whose cause has gone (none do here: the registers do not change between the days), and the
floor has that update too, run over the proposals its insert-select has just made.

For each run: each job's time and the rows it touched.

    python benchmarks/jobs.py                      # 1,000,000 commitments on SQLite
    python benchmarks/jobs.py --size 100000        # smaller
    python benchmarks/jobs.py --size 100000 --pg   # PostgreSQL (XINYONG_BENCH_PG_URL, schema bench_jobs)
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
PG_URL = os.environ.get("XINYONG_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SCHEMA = "bench_jobs"
DAY = date(2026, 12, 4)
CHUNK = 20_000
COUNTIES = ("330102", "330105", "330106", "330108", "330109", "330110", "330203", "330205", "330302", "330402")


def _database(pg: bool, folder: Path) -> str:
    if not pg:
        return f"sqlite:///{folder / 'xinyong.db'}"
    from urllib.parse import quote

    from sqlalchemy import create_engine, text

    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
    admin.dispose()
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options={quote(f'-csearch_path={SCHEMA}')}"


def _fill(engine, size: int, due_share: float, arrears_share: float) -> dict[str, int]:
    """Bodies (one per thousand commitments, at least 50, each under its county's government),
    a principal per body, the commitments. Bulk inserts in chunks."""
    from sqlalchemy import insert, select

    from xinyong.commitments.models import Commitment
    from xinyong.core.codes import make_ric, make_uscc
    from xinyong.core.db import utcnow
    from xinyong.subjects.identity import protect_rows
    from xinyong.subjects.models import Designation, Subject

    rng = random.Random(17)
    n_bodies = max(50, size // 1000)
    now = utcnow()
    with engine.begin() as conn:
        govs = {}
        for i, county in enumerate(COUNTIES):
            row = {"kind": "gov_body", "code": make_uscc("11", county, f"{90000000 + i:08d}"),
                   "name": f"基准测试县{i}人民政府", "region_code": county, "created_at": now, "updated_at": now}
            govs[county] = conn.execute(insert(Subject).values(**row).returning(Subject.id)).scalar_one()
        bodies = [{"kind": "gov_body", "code": make_uscc("11", COUNTIES[i % len(COUNTIES)], f"{10000000 + i:08d}"),
                   "name": f"基准测试单位{i}", "region_code": COUNTIES[i % len(COUNTIES)],
                   "parent_id": govs[COUNTIES[i % len(COUNTIES)]], "created_at": now, "updated_at": now}
                  for i in range(n_bodies)]
        conn.execute(insert(Subject), bodies)
        body_rows = conn.execute(select(Subject.id, Subject.code, Subject.region_code)
                                 .where(Subject.name.like("基准测试单位%")).order_by(Subject.id)).all()
        persons = protect_rows([{"kind": "public_servant", "code": make_ric("330106", date(1970, 1, 1) + timedelta(days=i), i % 1000),
                                 "name": f"负责人{i}", "region_code": "330106", "birth_date": date(1970, 1, 1) + timedelta(days=i),
                                 "created_at": now, "updated_at": now} for i in range(n_bodies)])
        conn.execute(insert(Subject), persons)
        person_ids = conn.execute(select(Subject.id).where(Subject.kind == "public_servant").order_by(Subject.id)) \
            .scalars().all()
        conn.execute(insert(Designation), [
            {"body_id": b.id, "person_id": p, "role": "principal", "start_date": date(2015, 1, 1), "end_date": None,
             "created_by": "bench", "created_at": now} for b, p in zip(body_rows, person_ids, strict=True)])
        accepting = make_uscc("11", "330100", "00270001")
        counts = {"bodies": n_bodies, "due": 0, "fulfilled": 0, "withdrawn": 0, "in_force": 0}
        batch = []
        for i in range(size):
            b = body_rows[i % n_bodies]
            made = DAY - timedelta(days=400 - i // 999_999)
            roll = rng.random()
            if roll < due_share:
                status, due_on, kind = "in_force", DAY - timedelta(days=rng.randint(1, 30)), "due"
            elif roll < 0.45:
                status, due_on, kind = "fulfilled", DAY - timedelta(days=rng.randint(1, 300)), "fulfilled"
            elif roll < 0.47:
                status, due_on, kind = "withdrawn", DAY + timedelta(days=rng.randint(1, 300)), "withdrawn"
            else:
                status, due_on, kind = "in_force", DAY + timedelta(days=rng.randint(0, 365)), "in_force"
            counts[kind] += 1
            batch.append({
                "code": f"330106{made:%Y%m%d}{i % 999_999 + 1:06d}", "kind": "service_quality", "subject_id": b.id,
                "region_code": b.region_code, "matter": "政务服务事项办理", "content": f"承诺事项{i}按时办结",
                "liability": "公开致歉并限期整改", "list_kind": "public_service", "list_item": "社会保障卡申领",
                "accepting_unit": "基准测试信用办", "accepting_code": accepting, "disclosure": "public",
                "made_on": made, "due_on": due_on, "status": status,
                "status_on": due_on if status != "in_force" else None,
                "breach_record_id": None, "created_by": "bench", "created_at": now, "updated_at": now,
            })
            if len(batch) >= CHUNK:
                conn.execute(insert(Commitment), batch)
                batch = []
        if batch:
            conn.execute(insert(Commitment), batch)
    counts.update(_fill_obligations(engine, size, body_rows, rng, arrears_share))
    return counts


def _fill_obligations(engine, size: int, body_rows, rng: random.Random, arrears_share: float = 0.10) -> dict[str, int]:
    """``size`` contracts, ``size // 10`` agreements and debt figures, spread over the bodies."""
    from decimal import Decimal

    from sqlalchemy import insert

    from xinyong.commitments.obligations.models import Agreement, Contract, Debt
    from xinyong.core.codes import make_uscc
    from xinyong.core.db import utcnow

    now = utcnow()
    n_bodies = len(body_rows)
    supplier = make_uscc("91", "330106", "00380001")
    counts = {"contracts": size, "contracts_unpaid_past_due": 0, "agreements": size // 10, "agreements_past_due": 0,
              "debts": 0, "debts_overdue": 0}
    with engine.begin() as conn:
        batch = []
        for i in range(size):
            b = body_rows[i % n_bodies]
            signed = DAY - timedelta(days=rng.randint(90, 700))
            accepted = signed + timedelta(days=rng.randint(10, 60))
            amount = Decimal(rng.randint(5, 5000))
            if rng.random() < arrears_share:
                due = min(accepted + timedelta(days=30), DAY - timedelta(days=rng.randint(1, 120)))
                paid, paid_on = Decimal(0), None
                counts["contracts_unpaid_past_due"] += 1
            else:
                due = accepted + timedelta(days=30)
                paid, paid_on = (amount, due - timedelta(days=rng.randint(0, 20))) if due < DAY else (Decimal(0), None)
            batch.append({"contract_no": f"BJ-HT-{i}", "kind": "政府采购", "name": f"基准采购合同{i}", "supplier_name": "基准供应商",
                          "supplier_code": supplier, "sme": True, "amount": amount, "signed_on": signed,
                          "accepted_on": accepted, "agreed_pay_on": None, "pay_due_on": due, "paid_amount": paid,
                          "paid_on": paid_on, "arrears": 0, "arrears_since": None, "body_id": b.id,
                          "region_code": b.region_code, "created_by": "bench", "created_at": now})
            if len(batch) >= CHUNK:
                conn.execute(insert(Contract), batch)
                batch = []
        if batch:
            conn.execute(insert(Contract), batch)
        batch = []
        for i in range(size // 10):
            b = body_rows[i % n_bodies]
            roll = rng.random()
            status, due = "in_force", DAY + timedelta(days=rng.randint(1, 700))
            if roll < 0.02:
                due = DAY - timedelta(days=rng.randint(31, 400))
                counts["agreements_past_due"] += 1
            elif roll < 0.03:
                status, due = "terminated", DAY - timedelta(days=rng.randint(31, 400))
            elif roll < 0.5:
                status, due = "fulfilled", DAY - timedelta(days=rng.randint(1, 400))
            batch.append({"ref_no": f"BJ-ZS-{i}", "kind": "投资协议", "name": f"基准投资协议{i}", "counterpart_name": "基准投资企业",
                          "counterpart_code": None, "incentives": "土地出让金返还", "incentive_amount": Decimal(100),
                          "signed_on": due - timedelta(days=730), "due_on": due, "status": status, "body_id": b.id,
                          "region_code": b.region_code, "created_by": "bench", "created_at": now,
                          **({"changed_on": due - timedelta(days=10), "change_reason": "规划调整", "legal_ground": "公共利益",
                              "legal_basis": "土地管理法", "compensation": "已补偿"} if status == "terminated" else {})})
            if len(batch) >= CHUNK:
                conn.execute(insert(Agreement), batch)
                batch = []
        if batch:
            conn.execute(insert(Agreement), batch)
        batch = []
        per_body = max(1, (size // 10) // n_bodies)
        for b in body_rows:
            for k in range(per_body):
                overdue = Decimal(rng.randint(1, 50)) if rng.random() < 0.01 else Decimal(0)
                counts["debts"] += 1
                counts["debts_overdue"] += overdue > 0
                balance = Decimal(rng.randint(100, 2000))
                batch.append({"as_of": date(2000, 1, 1) + timedelta(days=k), "balance": balance,
                              "resources": Decimal(1000), "maturing": Decimal(0), "next_maturity": None,
                              "overdue_amount": overdue, "ratio": None, "level": None, "body_id": b.id,
                              "region_code": b.region_code, "created_by": "bench", "created_at": now})
                if len(batch) >= CHUNK:
                    conn.execute(insert(Debt), batch)
                    batch = []
        if batch:
            conn.execute(insert(Debt), batch)
    return counts


def _floor(engine, today: date) -> dict[str, float]:
    """The jobs' own statements, bare, each rolled back."""
    from sqlalchemy import (
        JSON,
        Column,
        Integer,
        MetaData,
        String,
        Table,
        and_,
        exists,
        insert,
        literal,
        select,
        update,
    )

    from xinyong.commitments.models import Commitment
    from xinyong.commitments.rectification_models import Rectification
    from xinyong.commitments.service import _pending
    from xinyong.core.db import utcnow
    from xinyong.records.models import Record
    from xinyong.subjects.models import Subject

    out: dict[str, float] = {}
    pending = _pending(today)
    with engine.connect() as conn:
        with conn.begin() as tx:
            t = time.perf_counter()
            rows = conn.execute(
                select(Commitment.id, Commitment.code, Commitment.kind, Commitment.status, Commitment.matter,
                       Commitment.content, Commitment.liability, Commitment.made_on, Commitment.due_on,
                       Commitment.accepting_unit, Commitment.accepting_code, Subject.name, Subject.code)
                .join(Subject, Subject.id == Commitment.subject_id).where(pending)).all()
            out["breaches: select due with subjects"] = time.perf_counter() - t
            t = time.perf_counter()
            conn.execute(update(Commitment).where(and_(pending, Commitment.status == "in_force"))
                         .values(status="breached", status_on=today))
            out["breaches: update marked breached"] = time.perf_counter() - t
            scratch = Table("bench_floor_records", MetaData(), Column("id", Integer, primary_key=True),
                            Column("subject_name", String(200)), Column("subject_code", String(64)),
                            Column("source_id", String(200)), Column("decision_no", String(200)),
                            Column("facts", JSON), prefixes=["TEMPORARY"])
            scratch.create(conn)
            t = time.perf_counter()
            if rows:
                conn.execute(insert(scratch), [
                    {"subject_name": r.name, "subject_code": r.code, "source_id": f"commitment:{r.code}",
                     "decision_no": f"违诺认定〔{today.year}〕{r.code}",
                     "facts": {"commitment_code": r.code, "commitment_content": r.content, "matter": r.matter}}
                    for r in rows])
            out["breaches: bulk insert of as many record rows"] = time.perf_counter() - t
            tx.rollback()
        with conn.begin() as tx:
            t = time.perf_counter()
            has = exists().where(Rectification.record_id == Record.id)
            q = (select(Record.id, Record.subject_id, Record.region_code, Record.category_code, Record.decision_date,
                        literal(today), literal(today), literal("open"), literal(False), literal(utcnow()),
                        literal(utcnow()))
                 .join(Subject, Subject.id == Record.subject_id)
                 .where(Subject.kind == "gov_body", Record.polarity == "dishonest", Record.status == "active", ~has))
            conn.execute(insert(Rectification).from_select(
                ["record_id", "body_id", "region_code", "category_code", "act_date", "opened_on", "due_on", "status",
                 "persons_done", "created_at", "updated_at"], q))
            out["rectifications: insert-select of tasks"] = time.perf_counter() - t
            t = time.perf_counter()
            conn.execute(update(Rectification).where(Rectification.status.in_(("open", "explained", "submitted")),
                                                     Rectification.escalated_on.is_(None))
                         .values(escalated_on=today))
            out["rectifications: escalation update"] = time.perf_counter() - t
            tx.rollback()
        with conn.begin() as tx:
            from xinyong.commitments.obligations import findings
            from xinyong.commitments.obligations.models import Contract, Finding

            t = time.perf_counter()
            owed = Contract.amount - Contract.paid_amount
            conn.execute(update(Contract).where(Contract.pay_due_on < today, Contract.amount > Contract.paid_amount)
                         .values(arrears=owed, arrears_since=today))
            out["arrears: update of the contracts past due"] = time.perf_counter() - t
            rules = _policy_rules(conn)
            for kind in ("arrears", "debt_overdue", "agreement_overdue"):
                rule = rules.finding(kind)
                if rule is None:
                    continue
                t = time.perf_counter()
                conn.execute(Finding.__table__.insert().from_select(findings._COLUMNS,
                                                                    findings._candidates(kind, rule, today)))
                out[f"findings: insert-select {kind}"] = time.perf_counter() - t
                t = time.perf_counter()  # over the proposals just inserted: the cost of a day with them open
                for stmt in findings._withdrawals(kind, rule, today):
                    conn.execute(stmt).all()
                out[f"findings: withdrawal update {kind}"] = time.perf_counter() - t
            tx.rollback()
    out["rows"] = len(rows)
    return out


def _policy_rules(conn):
    from sqlalchemy.orm import Session

    from xinyong.commitments.obligations import service

    with Session(bind=conn) as session:
        return service.policy_rules(session)


def _tables(engine) -> str:
    """What the runs left: records, rectification tasks (opened by the records' hook inside the
    breach run's batch, so the breach job's time includes them), escalated ones."""
    from sqlalchemy import func, select

    from xinyong.commitments.obligations.models import Contract, Finding
    from xinyong.commitments.rectification_models import Rectification
    from xinyong.records.models import Record

    with engine.connect() as conn:
        arrears = conn.execute(select(func.count()).select_from(Contract).where(Contract.arrears > 0)).scalar_one()
        proposed = conn.execute(select(func.count()).select_from(Finding)).scalar_one()
        records = conn.execute(select(func.count()).select_from(Record)).scalar_one()
        tasks = conn.execute(select(func.count()).select_from(Rectification)).scalar_one()
        escalated = conn.execute(select(func.count()).select_from(Rectification)
                                 .where(Rectification.escalated_on.is_not(None))).scalar_one()
    return (f"  now: {records:,} records, {tasks:,} rectification tasks, {escalated:,} reported upwards, "
            f"{arrears:,} contracts in arrears, {proposed:,} findings proposed")


def _run(title: str, day: date, engine, names: list[str], *, force: bool = False) -> float:
    from xinyong.jobs import service

    started = time.perf_counter()
    result = service.run_daily(day, by="bench", force=force, engine=engine, only=names)
    total = time.perf_counter() - started
    print(f"\n{title} — {day.isoformat()}{'（forced）' if force else ''}: {total:.2f} s, {result.changed:,} rows touched")
    for o in result.outcomes:
        what = o.error if o.state == "failed" else service.describe(o.summary, o.counts)
        print(f"  {o.name:<32} {o.state:<8} {o.seconds:9.3f} s  {what}")
        if o.state == "failed":
            raise SystemExit(f"{o.name} failed: {o.error}")
    print(_tables(engine))
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000,
                        help="How many commitments, and as many contracts (default 1,000,000)")
    parser.add_argument("--due", type=float, default=0.01, help="Share in force past their due date (default 0.01)")
    parser.add_argument("--arrears", type=float, default=0.10, help="Share of contracts unpaid past due (default 0.10)")
    parser.add_argument("--pg", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument("--later", type=int, default=40, help="Days after the first run for the escalation run")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-jobs-"))
    os.environ["XINYONG_VAR_DIR"] = str(folder)
    os.environ["XINYONG_DAILY_ENABLED"] = "false"
    url = _database(args.pg, folder)
    os.environ["XINYONG_DATABASE_URL"] = url

    from xinyong.catalog import service as catalog_service
    from xinyong.core import db, migrate
    from xinyong.core.clock import frozen_today
    from xinyong.core.crypto import ensure_keyring
    from xinyong.jobs.service import load_jobs

    ensure_keyring()
    engine = db.get_engine(url)
    migrate.upgrade(engine)
    with db.session_scope(engine) as session:
        catalog_service.ensure_default(session, user="bench")
    names = [j.name for j in load_jobs() if j.name.startswith("commitments.") or "obligation" in j.name]
    started = time.perf_counter()
    counts = _fill(engine, args.size, args.due, args.arrears)
    print(f"{args.size:,} commitments and {args.size:,} contracts on {engine.dialect.name} ({counts}), {time.perf_counter() - started:.1f} s to fill")
    print(f"jobs: {', '.join(names)}")

    floor = _floor(engine, DAY)
    rows = floor.pop("rows")
    print(f"\n0. floor — the same statements bare ({rows:,} due rows), rolled back:")
    for what, s in floor.items():
        print(f"  {what:<48} {s:9.3f} s")
    print(f"  {'total':<48} {sum(floor.values()):9.3f} s")

    later = DAY + timedelta(days=args.later)
    with frozen_today(DAY):
        first = _run("1. the day's run", DAY, engine, names)
        again = _run("2. the same day, forced", DAY, engine, names, force=True)
    with frozen_today(later):
        third = _run(f"3. {args.later} days later", later, engine, names)
        fourth = _run("4. that day, forced", later, engine, names, force=True)
    print(f"\nfloor {sum(floor.values()):.2f} s; day's run {first:.2f} s; forced again {again:.2f} s; "
          f"escalation day {third:.2f} s; forced again {fourth:.2f} s")
    engine.dispose()


if __name__ == "__main__":
    main()
