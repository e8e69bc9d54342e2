"""Load and validate a council's configuration (council.yaml).

One file describes a tenant: its accounts on each platform, teams, topics,
response targets and runtime settings. Every model forbids unknown keys so a
typo fails loudly at load time instead of silently falling back to a default.

Importing this package does no I/O; call `load_config()`. Field types live in
`types`, the sections in `sections/`, the whole file in `model`, reading it in `loader`.
"""

from council_social.config.loader import (
    CONFIG_ENV_VAR,
    DATABASE_URL_ENV_VAR,
    ENVIRONMENT_ENV_VAR,
    STORAGE_ROOT_ENV_VAR,
    ConfigError,
    load_config,
    resolve_config_path,
)
from council_social.config.model import CouncilConfig
from council_social.config.paths import default_config_path, project_root
from council_social.config.sections import (
    Account,
    ArchiveRetention,
    ArchiveSettings,
    Baseline,
    CaseSettings,
    Channels,
    ChannelSettings,
    Council,
    CoverShift,
    Feed,
    GovernanceSettings,
    GridSettings,
    HouseRule,
    InfluenceWeights,
    NotificationSettings,
    OfficeHours,
    OutOfHoursRota,
    Person,
    PreElectionPeriod,
    ReportsSettings,
    ResponseTarget,
    SimulatorSettings,
    StorageSettings,
    Team,
    Topic,
    TriageSettings,
    TwitterChannelSettings,
    ValidationSettings,
)
from council_social.config.types import CASE_KINDS, PLATFORMS, RESPONSE_TARGET_KINDS, WEEKDAYS

__all__ = [
    "CASE_KINDS",
    "CONFIG_ENV_VAR",
    "DATABASE_URL_ENV_VAR",
    "ENVIRONMENT_ENV_VAR",
    "STORAGE_ROOT_ENV_VAR",
    "PLATFORMS",
    "RESPONSE_TARGET_KINDS",
    "WEEKDAYS",
    "Account",
    "ArchiveRetention",
    "ArchiveSettings",
    "Baseline",
    "CaseSettings",
    "ChannelSettings",
    "Channels",
    "ConfigError",
    "Council",
    "CouncilConfig",
    "CoverShift",
    "Feed",
    "GovernanceSettings",
    "GridSettings",
    "HouseRule",
    "InfluenceWeights",
    "NotificationSettings",
    "OfficeHours",
    "OutOfHoursRota",
    "Person",
    "PreElectionPeriod",
    "ReportsSettings",
    "ResponseTarget",
    "SimulatorSettings",
    "StorageSettings",
    "Team",
    "Topic",
    "TriageSettings",
    "TwitterChannelSettings",
    "ValidationSettings",
    "default_config_path",
    "load_config",
    "project_root",
    "resolve_config_path",
]
