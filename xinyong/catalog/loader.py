"""Read a policy folder and say what is wrong with it, file by file and line by line.

PyYAML gives line numbers only on its node tree, so each file is composed once, turned into
plain Python, and its nodes' lines kept under the same paths pydantic reports errors at. An
official editing a list sees ``catalog.yaml:214 categories[12].display_period.serious:
min_months is larger than max_months`` rather than a stack trace.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from xinyong.catalog import rules
from xinyong.catalog.schemas import FILES, OPTIONAL_FILES, PolicySet

Path_ = tuple[str, ...]


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where} {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


def _lines(node: yaml.Node, path: Path_, out: dict[Path_, int]) -> None:
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, str(key.value))
            out[child] = key.start_mark.line + 1
            _lines(value, child, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _lines(item, (*path, str(i)), out)


def line_for(lines: dict[Path_, int], path: Path_) -> int | None:
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())


def format_path(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
    return out


# libyaml's loader where PyYAML was built with it (the wheels are): the policy files are parsed at
# every start and the pure-Python loader took seconds over them.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(file: Path) -> tuple[Any, dict[Path_, int], list[Problem]]:
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, {}, [Problem(file.name, None, "", f"not UTF-8 text: {exc}")]
    try:
        node = yaml.compose(text, Loader=_LOADER)
        data = yaml.load(text, Loader=_LOADER)  # noqa: S506 (a safe loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        return None, {}, [Problem(file.name, line, "", f"YAML syntax: {exc.problem or exc}")]
    lines: dict[Path_, int] = {}
    if node is not None:
        _lines(node, (), lines)
    return data, lines, []


def load_dir(directory: Path) -> tuple[PolicySet | None, list[Problem]]:
    """Validate every file of a policy folder; the set when it is sound, and every problem."""
    directory = Path(directory)
    problems: list[Problem] = []
    if not directory.is_dir():
        return None, [Problem(str(directory), None, "", "no such folder")]
    parsed: dict[str, Any] = {}
    lines_by_file: dict[str, dict[Path_, int]] = {}
    for name, model in FILES.items():
        file = directory / name
        if not file.exists():
            if name not in OPTIONAL_FILES:
                problems.append(Problem(name, None, "", "file is missing"))
            continue
        data, lines, errs = read_yaml(file)
        lines_by_file[name] = lines
        if errs:
            problems.extend(errs)
            continue
        try:
            parsed[name] = model.model_validate(data if data is not None else {})
        except ValidationError as exc:
            for err in exc.errors():
                path = tuple(str(p) for p in err["loc"])
                msg = err["msg"].removeprefix("Value error, ")
                problems.append(Problem(name, line_for(lines, path), format_path(path), msg))
    for extra in sorted(p.name for p in directory.glob("*.y*ml")):
        if extra not in FILES:
            problems.append(Problem(extra, None, "", "not a policy list file; expected one of " + ", ".join(FILES)))
    if problems:
        return None, problems
    for file, path, message in rules.cross_check(parsed):
        problems.append(
            Problem(file, line_for(lines_by_file.get(file, {}), path), format_path(path), message)
        )
    if problems:
        return None, problems
    policy = PolicySet(
        meta=parsed["policy.yaml"],
        catalog=parsed["catalog.yaml"],
        behaviours=parsed["behaviours.yaml"],
        measures=parsed["measures.yaml"],
        scenarios=parsed["scenarios.yaml"],
        **({"holidays": parsed["holidays.yaml"]} if "holidays.yaml" in parsed else {}),
        **({"evaluation": parsed["evaluation.yaml"]} if "evaluation.yaml" in parsed else {}),
        **({"commitment_kinds": parsed["commitment_kinds.yaml"]} if "commitment_kinds.yaml" in parsed else {}),
        **({"complaints": parsed["complaints.yaml"]} if "complaints.yaml" in parsed else {}),
        **({"rectification": parsed["rectification.yaml"]} if "rectification.yaml" in parsed else {}),
        **({"obligations": parsed["obligations.yaml"]} if "obligations.yaml" in parsed else {}),
        **({"redress": parsed["redress.yaml"]} if "redress.yaml" in parsed else {}),
    )
    return policy, []


DEFAULT_DIR = Path(__file__).resolve().parent.parent / "policy" / "default"
