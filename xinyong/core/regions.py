"""行政区划: GB/T 2260 region codes, their names and the province → city → county tree.

Zhejiang's current codes ship as data (``regions.csv``) together with the codes abolished since
2000 (``regions_historical.csv``): identity numbers keep the code of the place that issued them,
so 330103 下城区 stays valid for people although the district is gone. Codes of other provinces
are accepted when python-stdnum's table knows them. The tree is by prefix, as the standard
defines it: ``3301xx`` lies in ``330100`` which lies in ``330000``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

HERE = Path(__file__).parent
LEVELS = ("province", "city", "county")
LEVEL_NAMES = {"province": "省", "city": "市", "county": "县（市、区）"}


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str
    parent: str | None
    abolished: int | None = None  # year the code went out of use, for historical codes

    @property
    def current(self) -> bool:
        return self.abolished is None


@cache
def _table() -> dict[str, Region]:
    out: dict[str, Region] = {}
    for fname in ("regions.csv", "regions_historical.csv"):
        with open(HERE / fname, encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                out[row["code"]] = Region(
                    code=row["code"],
                    name=row["name"],
                    level=row["level"],
                    parent=row["parent"] or None,
                    abolished=int(row["abolished"]) if row.get("abolished") else None,
                )
    return out


def all_regions(*, include_historical: bool = False) -> list[Region]:
    return [r for r in _table().values() if include_historical or r.current]


@lru_cache(maxsize=16384)
def get(code: str) -> Region | None:
    """The region for a code, from the shipped table or, failing that, python-stdnum's."""
    region = _table().get(code)
    if region is not None:
        return region
    name = _stdnum_name(code)
    if name is None:
        return None
    level = "province" if code.endswith("0000") else "city" if code.endswith("00") else "county"
    parent = None if level == "province" else (code[:2] + "0000" if level == "city" else code[:4] + "00")
    return Region(code=code, name=name, level=level, parent=parent)


@lru_cache(maxsize=8192)
def _stdnum_name(code: str) -> str | None:
    if len(code) != 6 or not code.isdigit():
        return None
    from stdnum import numdb

    try:
        results = numdb.get("cn/loc").info(code)
    except Exception:  # numdb raises KeyError-like errors on odd input; treat as unknown
        return None
    info = {k: v for _part, props in results for k, v in props.items()}
    if not info:
        return None
    county = info.get("county", "")
    if county.startswith("["):
        county = county.split("]", 1)[1].split(",")[0]
    return county or info.get("prefecture") or info.get("province")


def is_known(code: str) -> bool:
    return get(code) is not None


def name_of(code: str | None) -> str:
    if not code:
        return ""
    region = get(code)
    return region.name if region else code


def city_of(code: str) -> str:
    """The city (地级) code a county code belongs to; a city or province code is returned as is."""
    if code.endswith("0000"):
        return code
    return code[:4] + "00"


def province_of(code: str) -> str:
    return code[:2] + "0000"


def children(code: str) -> list[Region]:
    return [r for r in _table().values() if r.parent == code and r.current]


def cities(province: str = "330000") -> list[Region]:
    return [r for r in children(province) if r.level == "city"]


def counties(city: str) -> list[Region]:
    return [r for r in children(city) if r.level == "county"]


def scope_prefix(code: str) -> str:
    """The code prefix that every region inside ``code`` shares (for ``LIKE 'prefix%'``)."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def path(code: str) -> list[Region]:
    """Province, city and county for a code, top first (only those that exist)."""
    out = []
    for candidate in (province_of(code), city_of(code), code):
        region = get(candidate)
        if region and region not in out:
            out.append(region)
    return out
