"""One Jinja2 environment for every page: ``web/templates`` (the base layout, the home and error
pages) and each capability's own ``templates/`` folder, found by a ChoiceLoader. A capability
keeps its templates in a sub-folder named after it (``records/templates/records/file.html``),
extends ``base.html`` and adds itself to the top navigation with :func:`add_nav`.

It lives in ``core`` so that a capability's ``pages.py`` can render without importing ``web``
(which sits below every capability in DESIGN.md's order). Names that belong to a capability
(subject kinds, polarities …) are passed in each page's context, not kept here; what only the
app knows (whether the npm packages are installed) is added by ``web`` with
:func:`add_context_processor`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from starlette.responses import Response

import xinyong
from xinyong.core import regions
from xinyong.core.clock import CST

PACKAGE_DIR = Path(xinyong.__file__).resolve().parent
WEB_TEMPLATES = PACKAGE_DIR / "web" / "templates"

# Top navigation: (label, path). Later capabilities add theirs with add_nav(). A reader sees
# only the entries whose page admits its role (accounts filters them by each page's access
# rule), so a menu never offers a page that would answer 403 or send the public to the login.
# Entries are kept in the order of their ``order`` (public pages first, then each role's work,
# administration last), whatever the order the capabilities are imported in.
NAV: list[tuple[str, str]] = [("首页", "/"), ("信用主体查询", "/subjects"), ("政策清单", "/policy")]
_NAV_ORDER: dict[tuple[str, str], int] = {("首页", "/"): 0, ("信用主体查询", "/subjects"): 10, ("政策清单", "/policy"): 20}


def add_nav(label: str, path: str, order: int = 50) -> None:
    if (label, path) not in NAV:
        _NAV_ORDER[(label, path)] = order
        NAV.append((label, path))
        NAV.sort(key=lambda entry: _NAV_ORDER.get(entry, 50))


def template_dirs() -> list[Path]:
    """web/templates first, then every capability's templates folder."""
    others = sorted(p for p in PACKAGE_DIR.glob("*/templates") if p.is_dir() and p != WEB_TEMPLATES)
    return [WEB_TEMPLATES, *others]


def _num(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def _ymd(value: Any) -> str:
    """A date as 2026-03-15 (the open end of a period as 长期); a moment as 2026-03-15 08:30 in Beijing time. The platform stores
    moments in UTC without a zone (:func:`xinyong.core.db.utcnow`), and an official reads the
    time of day of an import, a check or an audit entry as Beijing's."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(CST).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        # the end of a period that has none (records.periods.OPEN_END: a listing until removed)
        return "长期" if value == date.max else value.isoformat()
    return "" if value is None else str(value)


# Who did something, where it was not a person with an account: the platform's own processes.
ACTOR_NAMES = {
    "cli": "信用办（命令行）", "import": "数据报送时按规则自动判定", "demo": "演示数据生成", "system": "平台",
    "daily": "每日例行任务", "jobs": "每日例行任务", "scheduler": "每日任务（服务器定时）", "matrix": "测试",
}


_LABELLED = re.compile(r"^(.+)\((?:public|[a-z_]+)\)$")


def _actor(value: Any) -> str:
    """A user name as it stands (without the ``(role)`` a principal's label adds to it), the
    platform's own processes by their Chinese names."""
    text = str(value or "")
    found = _LABELLED.match(text)
    text = found.group(1) if found else text
    return ACTOR_NAMES.get(text, text or "—")


def make_env() -> Environment:
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(d)) for d in template_dirs()]),
        autoescape=select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = _num
    env.filters["ymd"] = _ymd
    env.filters["region_name"] = regions.name_of
    env.filters["actor"] = _actor
    env.globals.update(app_version=xinyong.__version__, nav=NAV)
    return env


def _common(request: Request) -> dict[str, Any]:
    return {
        "policy_label": getattr(request.state, "policy_label", None),
        "request_id": getattr(request.state, "request_id", None),
        "vendor": {},  # which npm packages the app serves: web's processor fills it in
    }


templates = Jinja2Templates(env=make_env(), context_processors=[_common])


def add_context_processor(processor: Callable[[Request], dict[str, Any]]) -> None:
    """Add what every page's context should hold (once, however often it is called)."""
    if processor not in templates.context_processors:
        templates.context_processors.append(processor)


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    return templates.TemplateResponse(request, name, context or {}, status_code=status_code, headers=headers)


def is_htmx(request: Request) -> bool:
    """An htmx request for a fragment (not a history restore, which wants the whole page)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"
