"""Who is asking: the one object every route receives from :func:`xinyong.accounts.access.allow`.

A :class:`Principal` is resolved per request from the session cookie (web pages), an API token
(``Authorization: Bearer …``), or stands for the command line (:func:`cli_principal`) or the
anonymous public (:data:`PUBLIC`). It holds no database objects, so it can be passed to any
service and logged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xinyong.accounts.roles import region_covers


@dataclass(frozen=True)
class Principal:
    user_id: int | None
    username: str
    role: str | None  # None: the public, not logged in
    region_code: str | None  # None with a role: the whole platform (the command line)
    department_code: str | None = None
    categories: frozenset[str] = field(default_factory=frozenset)  # what a reporter may report
    subject_id: int | None = None  # role "subject": the subject whose file this is
    via: str = "public"  # "session", "token", "cli" or "public"

    @property
    def is_public(self) -> bool:
        return self.role is None

    @property
    def is_official(self) -> bool:
        return self.role is not None and self.role != "subject"

    @property
    def label(self) -> str:
        return f"{self.username}({self.role or 'public'})"

    def covers(self, region_code: str | None) -> bool:
        """Whether this principal's region scope includes ``region_code``. The public and a
        subject cover no region (a subject sees only its own file, by ``subject_id``); the
        command line covers every region."""
        if self.role is None or self.role == "subject":
            return False
        if self.region_code is None:
            return self.via == "cli"
        return region_covers(self.region_code, region_code)

    def owns(self, subject_id: int | None) -> bool:
        """A subject user reading its own file."""
        return self.role == "subject" and subject_id is not None and self.subject_id == subject_id


PUBLIC = Principal(user_id=None, username="public", role=None, region_code=None, via="public")


def cli_principal(username: str = "cli") -> Principal:
    """The command line: an administrator of the whole platform (whoever can run the CLI on the
    server can read the database anyway); its actions are logged under ``username``."""
    return Principal(user_id=None, username=username, role="admin", region_code=None, via="cli")
