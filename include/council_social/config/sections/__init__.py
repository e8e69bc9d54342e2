"""The sections of council.yaml, one module per capability."""

from council_social.config.sections.archive import ArchiveRetention, ArchiveSettings
from council_social.config.sections.cases import CaseSettings, NotificationSettings
from council_social.config.sections.channels import (
    Channels,
    ChannelSettings,
    Feed,
    TwitterChannelSettings,
    ValidationSettings,
)
from council_social.config.sections.council import (
    Account,
    Baseline,
    Council,
    OfficeHours,
    OutOfHoursRota,
    Person,
    ResponseTarget,
    Team,
    Topic,
)
from council_social.config.sections.governance import GovernanceSettings, HouseRule
from council_social.config.sections.grid import CoverShift, GridSettings, PreElectionPeriod
from council_social.config.sections.promotion import Campaign, PromotionSettings
from council_social.config.sections.reports import ReportsSettings
from council_social.config.sections.runtime import (
    DeploymentSettings,
    SimulatorSettings,
    StorageSettings,
)
from council_social.config.sections.triage import InfluenceWeights, TriageSettings

__all__ = [
    "Account",
    "ArchiveRetention",
    "ArchiveSettings",
    "Baseline",
    "Campaign",
    "CaseSettings",
    "ChannelSettings",
    "Channels",
    "Council",
    "CoverShift",
    "DeploymentSettings",
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
    "PromotionSettings",
    "ReportsSettings",
    "ResponseTarget",
    "SimulatorSettings",
    "StorageSettings",
    "Team",
    "Topic",
    "TriageSettings",
    "TwitterChannelSettings",
    "ValidationSettings",
]
