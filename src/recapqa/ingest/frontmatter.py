"""Front matter as people write it: YAML between `---` lines, read tolerantly.

Real notes carry front matter that is not valid YAML (`title: Foo: Bar`, tabs). Such a block
is read line by line as `key: value` pairs, with a warning; the file is never skipped for it.
The block ends at the first closing `---`/`...`: later `---` lines are thematic breaks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import yaml

MAX_FRONT_MATTER_LINES = 200
_KEY_VALUE = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$")


@dataclass
class FrontMatter:
    data: dict[str, Any] = field(default_factory=dict)
    end: int = 0  # 0-based index of the first line after the block (0: no front matter)
    warning: str | None = None


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _line_wise(lines: list[str]) -> dict[str, Any]:
    """`key: value` per line; indented lines and list items continue the previous key."""
    data: dict[str, Any] = {}
    key = None
    for line in lines:
        match = _KEY_VALUE.match(line)
        if match and not line[:1].isspace():
            key, value = match.group(1), match.group(2).strip()
            data[key] = value.strip("'\"") if value else []
        elif key and line.strip().startswith("- ") and isinstance(data.get(key), list):
            data[key].append(line.strip()[2:].strip().strip("'\""))
    return data


def read_front_matter(lines: list[str]) -> FrontMatter:
    if not lines or lines[0].strip() != "---":
        return FrontMatter()
    for end in range(1, min(len(lines), MAX_FRONT_MATTER_LINES)):
        if lines[end].strip() not in ("---", "..."):
            continue
        block = lines[1:end]
        if not any(line.strip() for line in block):
            return FrontMatter({}, end + 1)
        for text in ("\n".join(block), "\n".join(block).expandtabs(2)):
            try:
                data = yaml.safe_load(text)
            except yaml.YAMLError:
                continue
            if isinstance(data, dict):
                return FrontMatter(_plain(data), end + 1)
        data = _line_wise([line.expandtabs(2) for line in block])
        if not data:
            return FrontMatter()  # a leading '---' rule, not front matter
        return FrontMatter(data, end + 1, "front matter is not valid YAML; read it line by line as 'key: value'")
    return FrontMatter()
