"""SQLAlchemy tables: the persistent domain. Imports nothing from services, io, web or cli."""

from un1540.models.accounts import ApiToken, Role, TokenScope, UserAccount, WebSession
from un1540.models.assistance import (
    AssistanceJudgement,
    AssistanceOffer,
    AssistanceProject,
    AssistanceRequest,
    AssistanceRequestItem,
    FundingEntry,
    ProjectFeedback,
    ProjectMilestone,
)
from un1540.models.audit import AuditEvent
from un1540.models.base import Base, Origin, Visibility
from un1540.models.data_version import DataVersion
from un1540.models.documents import Document, DocumentKind, Evidence
from un1540.models.frameworks import (
    CellDefinition,
    ColumnKind,
    FieldDefinition,
    Framework,
    Section,
    WeaponCategory,
)
from un1540.models.incidents import Incident, IncidentState
from un1540.models.indicators import ContextIndicator
from un1540.models.instance import SYNTHETIC_DATA_FLAG, InstanceFlag
from un1540.models.jobs import Build, BuildStatus, UsageCount
from un1540.models.matrix import (
    ApprovalBasis,
    CellEntry,
    EditionStatus,
    EditionSummary,
    EvidenceWaiver,
    Mark,
    MatrixEdition,
)
from un1540.models.notifications import Notification
from un1540.models.organisations import Organisation
from un1540.models.review import CellComment, CellProposal, ProposalStatus
from un1540.models.states import GroupMembership, M49Area, RegionalGroup, State, StateName
from un1540.models.throttle import RateLimit

__all__ = [
    "SYNTHETIC_DATA_FLAG",
    "ApiToken",
    "ApprovalBasis",
    "AssistanceJudgement",
    "AssistanceOffer",
    "AssistanceProject",
    "AssistanceRequest",
    "AssistanceRequestItem",
    "AuditEvent",
    "Base",
    "Build",
    "BuildStatus",
    "CellComment",
    "CellDefinition",
    "CellEntry",
    "CellProposal",
    "ColumnKind",
    "ContextIndicator",
    "DataVersion",
    "Document",
    "DocumentKind",
    "EditionStatus",
    "EditionSummary",
    "Evidence",
    "EvidenceWaiver",
    "FieldDefinition",
    "Framework",
    "FundingEntry",
    "GroupMembership",
    "Incident",
    "IncidentState",
    "InstanceFlag",
    "M49Area",
    "Mark",
    "MatrixEdition",
    "Notification",
    "Organisation",
    "Origin",
    "ProjectFeedback",
    "ProjectMilestone",
    "ProposalStatus",
    "RateLimit",
    "RegionalGroup",
    "Role",
    "Section",
    "State",
    "StateName",
    "TokenScope",
    "UsageCount",
    "UserAccount",
    "Visibility",
    "WeaponCategory",
    "WebSession",
]
