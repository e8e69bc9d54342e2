"""The whole council.yaml: every section, checked against each other."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import Field, PrivateAttr, model_validator

from council_social.config.paths import default_config_path, project_root
from council_social.config.sections import (
    Account,
    ArchiveSettings,
    CaseSettings,
    Channels,
    Council,
    DeploymentSettings,
    Feed,
    GovernanceSettings,
    GridSettings,
    HouseRule,
    NotificationSettings,
    OfficeHours,
    Person,
    PromotionSettings,
    ReportsSettings,
    ResponseTarget,
    SimulatorSettings,
    StorageSettings,
    Team,
    Topic,
    TriageSettings,
    ValidationSettings,
)
from council_social.config.types import (
    PLATFORMS,
    RESPONSE_TARGET_KINDS,
    NonBlank,
    TargetKind,
    _duplicates,
    _Model,
    _raise_at,
)


class CouncilConfig(_Model):
    council: Council
    accounts: list[Account] = Field(min_length=1)
    channels: Channels = Field(default_factory=Channels)
    feeds: list[Feed] = Field(default_factory=list)
    validation: ValidationSettings = Field(default_factory=ValidationSettings)
    office_hours: OfficeHours = Field(default_factory=OfficeHours)
    teams: list[Team] = Field(min_length=1)
    topics: list[Topic] = Field(default_factory=list)
    places: list[NonBlank] = Field(default_factory=list)
    response_targets: dict[TargetKind, ResponseTarget]
    cases: CaseSettings = Field(default_factory=CaseSettings)
    notifications: NotificationSettings = Field(default_factory=NotificationSettings)
    simulator: SimulatorSettings = Field(default_factory=SimulatorSettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)
    deployment: DeploymentSettings = Field(default_factory=DeploymentSettings)
    grid: GridSettings = Field(default_factory=GridSettings)
    archive: ArchiveSettings = Field(default_factory=ArchiveSettings)
    triage: TriageSettings = Field(default_factory=TriageSettings)
    reports: ReportsSettings = Field(default_factory=ReportsSettings)
    governance: GovernanceSettings = Field(default_factory=GovernanceSettings)
    house_rules: list[HouseRule] = Field(default_factory=list)
    promotion: PromotionSettings = Field(default_factory=PromotionSettings)

    _source_path: Path | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _cross_check(self) -> CouncilConfig:
        problems: list[tuple[tuple[str | int, ...], str, Any]] = []
        team_keys = [t.key for t in self.teams]
        for i, key in _duplicates(team_keys).items():
            problems.append((("teams", i, "key"), f"duplicate team key {key!r}", key))
        for i, key in _duplicates([a.key for a in self.accounts]).items():
            problems.append((("accounts", i, "key"), f"duplicate account key {key!r}", key))
        for i, key in _duplicates([f.key for f in self.feeds]).items():
            problems.append((("feeds", i, "key"), f"duplicate feed key {key!r}", key))
        for i, key in _duplicates([t.key for t in self.topics]).items():
            problems.append((("topics", i, "key"), f"duplicate topic key {key!r}", key))
        for i, place in _duplicates([p.casefold() for p in self.places]).items():
            problems.append((("places", i), f"duplicate place {self.places[i]!r}", place))
        known = set(team_keys)
        choices = ", ".join(sorted(known))
        for i, a in enumerate(self.accounts):
            if a.team not in known:
                problems.append(
                    (("accounts", i, "team"), f"unknown team {a.team!r}; teams are: {choices}",
                     a.team)
                )
        for i, t in enumerate(self.topics):
            if t.service not in known:
                problems.append(
                    (("topics", i, "service"),
                     f"unknown team {t.service!r}; teams are: {choices}", t.service)
                )
        if self.cases.foi_team is not None and self.cases.foi_team not in known:
            problems.append(
                (("cases", "foi_team"), f"unknown team {self.cases.foi_team!r}; teams are: {choices}",
                 self.cases.foi_team)
            )
        for i, saved in enumerate(self.cases.saved_replies):
            if saved.service not in known:
                problems.append((("cases", "saved_replies", i, "service"),
                                 f"unknown team {saved.service!r}; teams are: {choices}",
                                 saved.service))
        main_seen: dict[str, str] = {}
        for i, a in enumerate(self.accounts):
            if not a.main:
                continue
            if a.platform in main_seen:
                problems.append(
                    (("accounts", i, "main"),
                     f"{a.platform} already has a main account ({main_seen[a.platform]!r})",
                     a.main)
                )
            else:
                main_seen[a.platform] = a.key
        account_keys = {a.key for a in self.accounts}
        for key in self.grid.posts_per_day_by_account:
            if key not in account_keys:
                problems.append((("grid", "posts_per_day_by_account", key),
                                 f"unknown account {key!r}", key))
        for i, c in enumerate(self.promotion.campaigns):
            if c.service not in known:
                problems.append((("promotion", "campaigns", i, "service"),
                                 f"unknown team {c.service!r}; teams are: {choices}", c.service))
        for i, key in _duplicates([r.key for r in self.house_rules]).items():
            problems.append((("house_rules", i, "key"), f"duplicate house rule {key!r}", key))
        for i, shift in enumerate(self.grid.cover_rota):
            if shift.team not in known:
                problems.append((("grid", "cover_rota", i, "team"),
                                 f"unknown team {shift.team!r}; teams are: {choices}", shift.team))
        missing = [k for k in RESPONSE_TARGET_KINDS if k not in self.response_targets]
        if missing:
            problems.append(
                (("response_targets",), f"missing targets for: {', '.join(missing)}",
                 sorted(self.response_targets))
            )
        _raise_at("CouncilConfig", problems)
        if self.office_hours.timezone is None:
            self.office_hours.timezone = self.council.timezone
        self.office_hours.close_on_holidays_of(self.cases.holiday_country,
                                               self.cases.holiday_subdivision)
        return self

    # --- helpers -------------------------------------------------------------------------

    def accounts_for(self, platform: str) -> list[Account]:
        if platform not in PLATFORMS:
            raise KeyError(f"unknown platform {platform!r}; expected one of {', '.join(PLATFORMS)}")
        return [a for a in self.accounts if a.platform == platform]

    def feed(self, key: str) -> Feed:
        for f in self.feeds:
            if f.key == key:
                return f
        raise KeyError(f"no feed {key!r}; feeds are: {', '.join(f.key for f in self.feeds)}")

    def sources_for(self, platform: str) -> list:
        """What a channel's ingest maps over: the platform's accounts, or the feeds."""
        return list(self.feeds) if platform == "feed" else self.accounts_for(platform)

    def source(self, platform: str, key: str):
        return self.feed(key) if platform == "feed" else self.account(key)

    def main_account(self, platform: str) -> Account | None:
        return next((a for a in self.accounts_for(platform) if a.main), None)

    def account(self, key: str) -> Account:
        for a in self.accounts:
            if a.key == key:
                return a
        raise KeyError(
            f"no account {key!r}; accounts are: {', '.join(a.key for a in self.accounts)}"
        )

    def team(self, key: str) -> Team:
        for t in self.teams:
            if t.key == key:
                return t
        raise KeyError(f"no team {key!r}; teams are: {', '.join(t.key for t in self.teams)}")

    def topic(self, key: str) -> Topic:
        for t in self.topics:
            if t.key == key:
                return t
        raise KeyError(f"no topic {key!r}; topics are: {', '.join(t.key for t in self.topics)}")

    def teams_of_kind(self, kind: str) -> list[Team]:
        return [t for t in self.teams if t.kind == kind]

    def web_team_officers(self) -> list[str]:
        """Names of the web team's lead officers and members."""
        return [p.name for t in self.teams_of_kind("web_team") for p in (t.lead_officer, *t.members)]

    def officers(self) -> list[tuple[Person, Team]]:
        """Every officer named in council.yaml (team leads and members) with their team."""
        seen: dict[str, tuple[Person, Team]] = {}
        for t in self.teams:
            for p in (t.lead_officer, *t.members):
                seen.setdefault(p.email.lower(), (p, t))
        return list(seen.values())

    def officer(self, who: str) -> tuple[Person, Team]:
        """An officer by name or e-mail address (any case); KeyError naming the choices."""
        wanted = " ".join((who or "").split()).casefold()
        for person, team in self.officers():
            if wanted in (person.name.casefold(), person.email.casefold()):
                return person, team
        raise KeyError(f"no officer {who!r} in council.yaml's teams; officers are: "
                       + ", ".join(p.name for p, _ in self.officers()))

    def officer_names(self) -> list[str]:
        """Everyone council.yaml names as an officer: the head of communications, teams' leads
        and members, grid and reply approvers and the grid's cover rota."""
        names = [self.council.head_of_communications.name]
        names += [p.name for t in self.teams for p in (t.lead_officer, *t.members)]
        names += [*self.grid.approvers, *self.cases.replies.approvers]
        names += [shift.officer for shift in self.grid.cover_rota]
        return list(dict.fromkeys(n.strip() for n in names))

    def officer_name(self, name: str) -> str:
        """The officer's name as council.yaml spells it (case-insensitive); KeyError if none."""
        wanted = " ".join(name.split()).casefold()
        for known in self.officer_names():
            if " ".join(known.split()).casefold() == wanted:
                return known
        raise KeyError(f"{name!r} is not an officer in council.yaml (teams, approvers, "
                       "head of communications, cover rota)")

    def house_rule(self, key: str) -> HouseRule:
        for r in self.house_rules:
            if r.key == key:
                return r
        raise KeyError(f"no house rule {key!r}; rules are: {', '.join(r.key for r in self.house_rules)}")

    def is_office_hours(self, moment: datetime) -> bool:
        return self.office_hours.contains(moment, self.council.timezone)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.council.timezone)

    @property
    def source_path(self) -> Path | None:
        """The file this config was loaded from (None if built in code)."""
        return self._source_path

    @property
    def project_root(self) -> Path:
        return project_root()

    @property
    def base_dir(self) -> Path:
        """Where relative paths in the file resolve: the file's own folder; the packaged
        file's are relative to the project (its `.data` and `out`)."""
        source = self._source_path
        if source is None or source == default_config_path():
            return project_root()
        return source.parent

    def _resolve(self, value: str) -> Path:
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.base_dir / path

    def resolve_location(self, value: str):
        """A path (relative to base_dir), or an fsspec URL opened with universal_pathlib
        (the base of Airflow's ObjectStoragePath)."""
        if "://" in value:
            from upath import UPath

            return UPath(value)
        return self._resolve(value)

    @property
    def storage_root(self):
        """The shared storage root (Path or UPath), or None for the one-machine layout."""
        return None if self.storage.root is None else self.resolve_location(self.storage.root)

    @property
    def storage_base(self):
        """storage.root, else data_dir: the folder holding archive/, models/ and outbox/."""
        root = self.storage_root
        return self.data_dir_path if root is None else root

    def _stored(self, name: str, legacy: Path):
        root = self.storage_root
        return legacy if root is None else root / name

    @property
    def data_dir_path(self) -> Path:
        return self._resolve(self.storage.data_dir)

    @property
    def output_dir_path(self) -> Path:
        return self._resolve(self.storage.output_dir)

    @property
    def archive_default_path(self):
        return self.storage_base / "archive"

    @property
    def archive_anchor_default_path(self) -> Path:
        """The anchor log when none is configured: outside the archive root and outside
        data_dir, so the files, the database and the log are not one folder's to rewrite:
        <storage.root>/anchor/ on shared storage, else a folder beside data_dir."""
        root = self.storage_root
        if isinstance(root, Path):
            return root / "anchor" / "archive-anchor.log"
        data = self.data_dir_path
        return data.with_name(data.name + "-anchor") / "archive-anchor.log"

    @property
    def models_path(self):
        """The model registry: promoted criticality models and the retrain log."""
        return self.storage_base / "models"

    @property
    def outbox_path(self):
        """Mail written as .eml files when no SMTP Connection exists."""
        return self.storage_base / "outbox"

    @property
    def reports_output_path(self):
        if self.reports.output_dir:
            return self.resolve_location(self.reports.output_dir)
        return self._stored("reports", self.output_dir_path / "reports")

    @property
    def grid_output_path(self):
        if self.grid.output_dir:
            return self.resolve_location(self.grid.output_dir)
        return self._stored("grid", self.output_dir_path / "grid")
