"""One set of masking rules for every public or lower-privilege output.

张三 → 张*, 张三丰 → 张*丰, 欧阳娜娜 → 欧**娜; 330106199001011234 → 330106********1234;
13812345678 → 138****5678; an address keeps its first six characters.
Organisations' names and USCCs are public information and are not masked.
"""

from __future__ import annotations


def mask_name(name: str | None) -> str:
    if not name:
        return ""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_ric(ric: str | None) -> str:
    if not ric:
        return ""
    if len(ric) < 10:
        return "*" * len(ric)
    return ric[:6] + "*" * (len(ric) - 10) + ric[-4:]


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_address(address: str | None, keep: int = 6) -> str:
    if not address:
        return ""
    return address[:keep] + ("*" * 4 if len(address) > keep else "")
