"""Store policy versions and hand out the active one.

A version is stored once per distinct content (the hash of its validated JSON); loading the
same lists again makes that version active without a copy. The active set is cached by version
id, so looking it up costs one indexed query.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from xinyong.catalog.loader import DEFAULT_DIR, Problem, load_dir
from xinyong.catalog.models import PolicyVersion
from xinyong.catalog.schemas import PolicySet
from xinyong.core import workdays
from xinyong.core.errors import NotFound, PolicyError

_cache: dict[str, PolicySet] = {}  # by content hash: ids differ between databases


class PolicyProblems(PolicyError):
    def __init__(self, problems: list[Problem]):
        super().__init__(
            f"政策清单有 {len(problems)} 处错误", f"the policy lists have {len(problems)} problem(s)"
        )
        self.problems = problems


def content_of(policy: PolicySet) -> dict:
    return policy.model_dump(mode="json")


def hash_of(content: dict) -> str:
    blob = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def store_version(session: Session, policy: PolicySet, *, source: str, user: str) -> tuple[PolicyVersion, bool]:
    """Store ``policy`` and make it active; (version, whether it was new)."""
    content = content_of(policy)
    digest = hash_of(content)
    version = session.scalar(select(PolicyVersion).where(PolicyVersion.content_hash == digest))
    created = version is None
    if created:
        version = PolicyVersion(
            label=policy.meta.label,
            title=policy.meta.title,
            content_hash=digest,
            content=content,
            source=source,
            loaded_by=user,
        )
        session.add(version)
        session.flush()
    session.execute(update(PolicyVersion).where(PolicyVersion.id != version.id).values(active=False))
    version.active = True
    session.flush()
    _register_holidays(policy)
    return version, created


def load_from_dir(session: Session, directory: Path, *, user: str) -> tuple[PolicyVersion, bool]:
    policy, problems = load_dir(directory)
    if problems:
        raise PolicyProblems(problems)
    assert policy is not None
    return store_version(session, policy, source=str(directory), user=user)


def ensure_default(session: Session, *, user: str = "system") -> PolicyVersion:
    """The active version, loading ``XINYONG_POLICY_DIR`` (or the shipped defaults) when none
    was ever loaded."""
    version = session.scalar(select(PolicyVersion).where(PolicyVersion.active.is_(True)))
    if version is not None:
        return version
    from xinyong.core.settings import get_settings

    version, _ = load_from_dir(session, get_settings().policy_dir or DEFAULT_DIR, user=user)
    return version


# Every request that shows or applies policy asks this: the statement is built once.
_ACTIVE = select(PolicyVersion.id, PolicyVersion.content_hash).where(PolicyVersion.active.is_(True))


class NoPolicy(NotFound):
    def __init__(self) -> None:
        super().__init__("尚未加载政策清单，请先运行 xinyong init", "no policy version is loaded: run `xinyong init`")


def active_version(session: Session) -> tuple[int, PolicySet]:
    row = session.execute(_ACTIVE).first()
    if row is None:
        raise NoPolicy()
    vid, digest = row
    return vid, policy_of(session, vid, digest)


def policy_of(session: Session, version_id: int, digest: str) -> PolicySet:
    """The lists of a version whose id and content hash the caller has read (a hot path reads
    them in a statement of its own): from memory, as versions are immutable, else loaded."""
    policy = _cache.get(digest)
    return policy if policy is not None else policy_by_id(session, version_id)


def policy_by_id(session: Session, version_id: int) -> PolicySet:
    digest = session.scalar(select(PolicyVersion.content_hash).where(PolicyVersion.id == version_id))
    if digest is None:
        raise NotFound(f"政策版本 {version_id} 不存在", f"policy version {version_id} does not exist")
    policy = _cache.get(digest)
    if policy is None:
        content = session.scalar(select(PolicyVersion.content).where(PolicyVersion.id == version_id))
        policy = PolicySet.model_validate(content)
        _cache[digest] = policy
        _register_holidays(policy)
    return policy


def list_versions(session: Session) -> list[PolicyVersion]:
    return list(session.scalars(select(PolicyVersion).order_by(PolicyVersion.id.desc())))


def _register_holidays(policy: PolicySet) -> None:
    for year, sched in policy.holidays.years.items():
        workdays.register_year(year, set(sched.holidays), set(sched.workdays))
