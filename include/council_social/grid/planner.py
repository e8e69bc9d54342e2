"""Read a forward planner (CSV or YAML) into validated entries.

CSV header, exactly: title,message,channels,earliest,latest,owner,priority,status
(channels separated by ';'). YAML: a list of mappings (or {entries: [...]})
with the same fields plus optional key, campaign, essential, press_release and
media. A channel is an account key from council.yaml or a platform name, which
means that platform's main council account. Every problem is reported with its
line number, all at once.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from council_social import safe_yaml
from council_social.bounded_read import InputRefused, read_text

CSV_HEADER = ["title", "message", "channels", "earliest", "latest", "owner", "priority",
              "status"]
PRIORITIES = ("essential", "high", "normal", "low")
# `submitted` waits for an approver (grid.approvers); `rejected` was turned down with a reason.
STATUSES = ("draft", "submitted", "approved", "rejected", "scheduled", "published", "withdrawn")
# Statuses the grid places; published entries keep the slot they were posted in.
PLACEABLE = ("approved", "scheduled")
# A year's planner is a few hundred kilobytes.
PLANNER_LIMIT = 16 * 1024 * 1024


class PlannerError(ValueError):
    """The planner file has problems; the message lists each with its line."""


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    key: str | None = Field(default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
    title: str = Field(min_length=1, max_length=200)
    message: str = Field(min_length=1, max_length=4000)
    channels: list[str] = Field(min_length=1)
    earliest: date
    latest: date
    owner: str = Field(min_length=1, max_length=200)
    priority: Literal["essential", "high", "normal", "low"] = "normal"
    status: Literal["draft", "submitted", "approved", "scheduled", "published", "withdrawn"] = "draft"
    campaign: str | None = Field(default=None, max_length=200)
    essential: bool = False
    press_release: str | None = Field(default=None, pattern=r"^https?://\S+$")
    media: list[str] = Field(default_factory=list)

    @field_validator("channels", mode="before")
    @classmethod
    def _split(cls, v: Any) -> Any:
        if isinstance(v, str):
            return [c.strip() for c in v.split(";") if c.strip()]
        return v

    @field_validator("priority", "status", mode="before")
    @classmethod
    def _lower(cls, v: Any) -> Any:
        return v.strip().lower() if isinstance(v, str) else v


@dataclass(frozen=True)
class PlannerEntry:
    key: str
    title: str
    message: str
    channels: tuple[str, ...]  # account keys
    earliest: date
    latest: date
    owner: str
    priority: str
    status: str
    campaign: str
    essential: bool
    press_release_url: str | None = None
    media: tuple[str, ...] = field(default_factory=tuple)

    @property
    def priority_rank(self) -> int:
        return PRIORITIES.index(self.priority)


def natural_key(title: str, owner: str, earliest: date) -> str:
    return hashlib.sha256(f"{title}\x1f{owner}\x1f{earliest.isoformat()}".encode()).hexdigest()[:16]


def resolve_channel(name: str, config) -> str:
    """An account key, or a platform name meaning its main account; ValueError otherwise."""
    keys = [a.key for a in config.accounts]
    if name in keys:
        return name
    from council_social.config import PLATFORMS

    if name.lower() in PLATFORMS:
        main = config.main_account(name.lower())
        if main is None:
            raise ValueError(f"platform {name!r} has no main account in council.yaml")
        return main.key
    raise ValueError(f"unknown channel {name!r}; use an account key ({', '.join(keys)}) "
                     f"or a platform name ({', '.join(PLATFORMS)})")


def _entry(raw: dict[str, Any], config) -> PlannerEntry:
    e = _Entry.model_validate(raw)
    problems = []
    if e.latest < e.earliest:
        problems.append(f"latest {e.latest} is before earliest {e.earliest}")
    channels: list[str] = []
    for name in e.channels:
        try:
            key = resolve_channel(name, config)
        except ValueError as exc:
            problems.append(f"channels: {exc}")
            continue
        if key not in channels:
            channels.append(key)
    if problems:
        raise PlannerError("; ".join(problems))
    return PlannerEntry(
        key=e.key or natural_key(e.title, e.owner, e.earliest), title=e.title, message=e.message,
        channels=tuple(channels), earliest=e.earliest, latest=e.latest, owner=e.owner,
        priority=e.priority, status=e.status, campaign=e.campaign or e.title,
        essential=e.essential or e.priority == "essential", press_release_url=e.press_release,
        media=tuple(e.media),
    )


def _problem(where: str, exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(
            f"{where}: {'.'.join(str(p) for p in err['loc']) or 'entry'}: "
            f"{err['msg'].removeprefix('Value error, ')}" for err in exc.errors())
    return f"{where}: {exc}"


def read_planner_csv(text: str, config, name: str = "planner.csv") -> list[PlannerEntry]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header = next(reader, None)
    if header != CSV_HEADER:
        raise PlannerError(f"{name} line 1: the header must be exactly {','.join(CSV_HEADER)} "
                           f"(got {','.join(header or []) or 'nothing'})")
    entries: list[PlannerEntry] = []
    problems: list[str] = []
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(CSV_HEADER):
            problems.append(f"{name} line {line}: {len(row)} fields, expected {len(CSV_HEADER)}")
            continue
        try:
            entries.append(_entry(dict(zip(CSV_HEADER, row, strict=True)), config))
        except (ValidationError, PlannerError) as exc:
            problems.append(_problem(f"{name} line {line}", exc))
    return _checked(entries, problems, name)


def read_planner_yaml(text: str, config, name: str = "planner.yaml") -> list[PlannerEntry]:
    try:
        root = safe_yaml.compose(text)
        data = safe_yaml.load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise PlannerError(f"{name}{where}: invalid YAML: {getattr(exc, 'problem', exc)}") from None
    nodes = root.value if root is not None and isinstance(root, yaml.SequenceNode) else []
    if isinstance(data, dict) and isinstance(data.get("entries"), list):
        data = data["entries"]
        nodes = next((v.value for k, v in root.value if k.value == "entries"), [])
    if not isinstance(data, list):
        raise PlannerError(f"{name}: expected a list of entries (or a mapping with 'entries')")
    entries: list[PlannerEntry] = []
    problems: list[str] = []
    for i, raw in enumerate(data):
        line = nodes[i].start_mark.line + 1 if i < len(nodes) else "?"
        where = f"{name} line {line} (entry {i + 1})"
        if not isinstance(raw, dict):
            problems.append(f"{where}: an entry must be a mapping")
            continue
        try:
            entries.append(_entry(raw, config))
        except (ValidationError, PlannerError) as exc:
            problems.append(_problem(where, exc))
    return _checked(entries, problems, name)


def _checked(entries: list[PlannerEntry], problems: list[str], name: str) -> list[PlannerEntry]:
    seen: dict[str, str] = {}
    for e in entries:
        if e.key in seen:
            problems.append(f"{name}: entry {e.title!r} repeats key {e.key} "
                            f"(same title, owner and earliest date as {seen[e.key]!r})")
        seen[e.key] = e.title
    if problems:
        raise PlannerError(f"{len(problems)} problem(s) in {name}:\n" + "\n".join(problems))
    return entries


def read_planner(path: str | Path, config) -> list[PlannerEntry]:
    path = Path(path)
    try:
        text = read_text(path, PLANNER_LIMIT)
    except InputRefused as exc:
        raise PlannerError(str(exc)) from None
    if "\x00" in text:  # PostgreSQL text cannot hold it, and no planner means it
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise PlannerError(f"{path} line {line}: contains a NUL character")
    if path.suffix.lower() in (".yaml", ".yml"):
        return read_planner_yaml(text, config, path.name)
    if path.suffix.lower() == ".csv":
        try:
            return read_planner_csv(text, config, path.name)
        except csv.Error as exc:  # e.g. a field over csv's 131,072-character limit
            raise PlannerError(f"{path}: not a readable CSV: {exc}") from None
    raise PlannerError(f"{path}: a planner is a .csv or .yaml file")
