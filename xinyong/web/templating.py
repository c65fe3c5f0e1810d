"""One Jinja2 environment for every page: ``web/templates`` (the base layout, the home and error
pages) and each capability's own ``templates/`` folder, found by a ChoiceLoader. A capability
keeps its templates in a sub-folder named after it (``subjects/templates/subjects/file.html``),
extends ``base.html`` and adds itself to the top navigation with :func:`add_nav`.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from starlette.responses import Response

import xinyong
from xinyong.catalog.schemas import DISCLOSURE_NAMES, POLARITY_NAMES, SUBJECT_KIND_NAMES
from xinyong.core import regions

WEB_DIR = Path(__file__).resolve().parent
PACKAGE_DIR = WEB_DIR.parent
PROJECT_ROOT = PACKAGE_DIR.parent
NODE_MODULES = PROJECT_ROOT / "node_modules"
STATIC_DIR = WEB_DIR / "static"

# npm packages served under /vendor: URL folder → dist folder (installed by `npm install`).
VENDOR_DIRS = {
    "echarts": NODE_MODULES / "echarts" / "dist",
    "htmx": NODE_MODULES / "htmx.org" / "dist",
}
VENDOR_FILES = {"echarts": "echarts.min.js", "htmx": "htmx.min.js"}


@cache
def vendor_available() -> dict[str, bool]:
    """Which npm packages are installed (checked once; ``create_app`` checks again)."""
    return {name: (VENDOR_DIRS[name] / f).is_file() for name, f in VENDOR_FILES.items()}


# Top navigation: (label, path). Later capabilities add theirs with add_nav().
NAV: list[tuple[str, str]] = [("首页", "/"), ("信用主体查询", "/subjects"), ("政策清单", "/policy")]


def add_nav(label: str, path: str) -> None:
    if (label, path) not in NAV:
        NAV.append((label, path))


def template_dirs() -> list[Path]:
    """web/templates first, then every capability's templates folder."""
    others = sorted(p for p in PACKAGE_DIR.glob("*/templates") if p.is_dir() and p.parent != WEB_DIR)
    return [WEB_DIR / "templates", *others]


def _num(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def _ymd(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


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
    env.globals.update(
        app_version=xinyong.__version__,
        nav=NAV,
        kind_names=SUBJECT_KIND_NAMES,
        polarity_names=POLARITY_NAMES,
        disclosure_names=DISCLOSURE_NAMES,
    )
    return env


def _common(request: Request) -> dict[str, Any]:
    return {
        "policy_label": getattr(request.state, "policy_label", None),
        "request_id": getattr(request.state, "request_id", None),
        "vendor": vendor_available(),
    }


templates = Jinja2Templates(env=make_env(), context_processors=[_common])


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    return templates.TemplateResponse(request, name, context or {}, status_code=status_code, headers=headers)


def is_htmx(request: Request) -> bool:
    """An htmx request for a fragment (not a history restore, which wants the whole page)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"
