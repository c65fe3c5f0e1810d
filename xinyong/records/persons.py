"""The persons a record's decision names, indexed: ``record_persons``.

A decision names its directly responsible persons (直接责任人员) by identity number; the catalog
holds them in a fact of type ``ric_list``. The import stores that fact masked and keeps the keyed
hashes beside it (:data:`xinyong.records.models.PERSON_KEYS`, made where the key ring is:
:class:`xinyong.records.writer.RowPreparer`); at the end of each import this module writes them
into ``record_persons`` for the records whose current version the batch made — three statements
whatever the batch's size — so that a check finds the records naming a person by an index.
"""

from __future__ import annotations

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from xinyong.catalog.schemas import PolicySet
from xinyong.records.models import PERSON_KEYS, Record, RecordPerson
from xinyong.records.validation import RIC_LIST_SEPARATOR


def person_categories(policy: PolicySet) -> dict[str, tuple[str, ...]]:
    """category → its facts that name persons (type ric_list)."""
    out = {c.code: tuple(f.key for f in c.facts if f.type == "ric_list") for c in policy.catalog.categories}
    return {k: v for k, v in out.items() if v}


def index_batch(session: Session, batch_id: int, policy: PolicySet) -> int:
    """Rewrite ``record_persons`` for the records the batch added or changed; the rows written."""
    cats = person_categories(policy)
    if not cats:
        return 0
    rows = session.execute(select(Record.id, Record.category_code, Record.facts)
                           .where(Record.batch_id == batch_id, Record.category_code.in_(sorted(cats)))).all()
    if not rows:
        return 0
    session.execute(delete(RecordPerson).where(RecordPerson.record_id.in_([r.id for r in rows])))
    out = []
    for rid, category, facts in rows:
        keys = (facts or {}).get(PERSON_KEYS) or {}
        for fact in cats[category]:
            masked = str((facts or {}).get(fact) or "").split(RIC_LIST_SEPARATOR)
            for i, key in enumerate(keys.get(fact) or []):
                out.append({"record_id": rid, "fact": fact, "person_key": key,
                            "person_masked": masked[i] if i < len(masked) else ""})
    if out:
        session.execute(insert(RecordPerson), out)
    return len(out)
