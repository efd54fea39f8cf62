"""SQLAlchemy tables: the persistent domain. Imports nothing from services, io, web or cli."""

from un1540.models.accounts import (
    ApiToken,
    PasswordResetToken,
    Role,
    TokenScope,
    UserAccount,
    WebSession,
)
from un1540.models.action_plans import ActionPlan, ActionPlanMeasure, ActionPlanMilestone
from un1540.models.activities import OrganisationActivity
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
from un1540.models.contacts import ContactRole, PointOfContact, TrainingParticipation
from un1540.models.data_version import DataVersion
from un1540.models.documents import Document, DocumentKind, Evidence
from un1540.models.engagement import (
    Commitment,
    CommitmentFulfilment,
    CommitmentStatusChange,
    Event,
    EventDocument,
    EventParticipant,
    Statement,
)
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
from un1540.models.library import DocumentText, Provision, ProvisionLink, SearchPassage, TextStatus
from un1540.models.matrix import (
    ApprovalBasis,
    CellEntry,
    EditionStatus,
    EditionSummary,
    EvidenceWaiver,
    Mark,
    MatrixEdition,
)
from un1540.models.notifications import DeadlineReminder, EmailOptOut, Notification
from un1540.models.organisations import Organisation
from un1540.models.review import CellComment, CellProposal, ProposalStatus
from un1540.models.states import GroupMembership, M49Area, RegionalGroup, State, StateName
from un1540.models.suggestions import SuggestionDecision, SuggestionVerdict
from un1540.models.throttle import RateLimit
from un1540.models.visits import Visit, VisitFinding, VisitFollowUp, VisitParticipant

__all__ = [
    "SYNTHETIC_DATA_FLAG",
    "ActionPlan",
    "ActionPlanMeasure",
    "ActionPlanMilestone",
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
    "Commitment",
    "CommitmentFulfilment",
    "CommitmentStatusChange",
    "ContactRole",
    "ContextIndicator",
    "DataVersion",
    "DeadlineReminder",
    "Document",
    "DocumentKind",
    "DocumentText",
    "EditionStatus",
    "EditionSummary",
    "EmailOptOut",
    "Event",
    "EventDocument",
    "EventParticipant",
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
    "OrganisationActivity",
    "Origin",
    "PasswordResetToken",
    "PointOfContact",
    "ProjectFeedback",
    "ProjectMilestone",
    "ProposalStatus",
    "Provision",
    "ProvisionLink",
    "RateLimit",
    "RegionalGroup",
    "Role",
    "SearchPassage",
    "Section",
    "State",
    "StateName",
    "Statement",
    "SuggestionDecision",
    "SuggestionVerdict",
    "TextStatus",
    "TokenScope",
    "TrainingParticipation",
    "UsageCount",
    "UserAccount",
    "Visibility",
    "Visit",
    "VisitFinding",
    "VisitFollowUp",
    "VisitParticipant",
    "WeaponCategory",
    "WebSession",
]
