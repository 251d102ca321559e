"""Every table, imported here so SQLModel.metadata (and Alembic) sees them all."""

from vru_core.models.audit import AppMeta, AuditEntry
from vru_core.models.budgets import AwardVariation, BudgetLine, BudgetOverride, Instalment, PaymentSchedule
from vru_core.models.framework import Aim, Commitment, FundingStream, Objective, ObjectiveAim, PriorityArea
from vru_core.models.geo import Borough, Ward
from vru_core.models.indicators import Indicator, IndicatorValue, RagSettings
from vru_core.models.measures import MeasureDefinition, MeasureValue
from vru_core.models.profiles import ScoringProfile
from vru_core.models.register import (
    Award,
    AwardArea,
    AwardNeedEvidence,
    AwardObjective,
    MonitoringReturn,
    Organisation,
    Payment,
)
from vru_core.models.rounds import Application, Assessment, ConflictOfInterest, FundingRound, RoundAssessor
from vru_core.models.sessions import SignInThrottle, WebSession
from vru_core.models.users import User

__all__ = [
    "Aim",
    "AppMeta",
    "Application",
    "Assessment",
    "AuditEntry",
    "Award",
    "AwardArea",
    "AwardNeedEvidence",
    "AwardObjective",
    "AwardVariation",
    "Borough",
    "BudgetLine",
    "BudgetOverride",
    "Commitment",
    "ConflictOfInterest",
    "FundingRound",
    "FundingStream",
    "Indicator",
    "IndicatorValue",
    "Instalment",
    "MeasureDefinition",
    "MeasureValue",
    "MonitoringReturn",
    "Objective",
    "ObjectiveAim",
    "Organisation",
    "Payment",
    "PaymentSchedule",
    "PriorityArea",
    "RagSettings",
    "RoundAssessor",
    "ScoringProfile",
    "SignInThrottle",
    "User",
    "Ward",
    "WebSession",
]
