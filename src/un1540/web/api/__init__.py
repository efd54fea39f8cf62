"""The JSON API under /api/v1 (stable: see docs/api.md), one router per resource."""

from fastapi import APIRouter

from un1540.web.api import (
    accounts,
    action_plans,
    activities,
    assistance_matching,
    assistance_offers,
    assistance_overview,
    assistance_projects,
    assistance_requests,
    builds,
    commitments,
    contacts,
    coverage,
    documents,
    downloads,
    editions,
    events,
    evidence,
    exports,
    fields,
    frameworks,
    funding,
    history,
    inbox,
    incidents,
    library,
    notifications,
    priorities,
    profiles,
    reporting,
    reports,
    risks,
    states,
    visits,
)

api_router = APIRouter(prefix="/api/v1")
api_router.include_router(states.router)
api_router.include_router(frameworks.router)
api_router.include_router(fields.router)
api_router.include_router(coverage.router)
api_router.include_router(priorities.router)
api_router.include_router(downloads.router)
api_router.include_router(builds.router)
api_router.include_router(reports.router)
api_router.include_router(editions.router)
api_router.include_router(history.router)
api_router.include_router(documents.router)
api_router.include_router(reporting.router)
api_router.include_router(library.router)
api_router.include_router(evidence.router)
api_router.include_router(exports.router)
api_router.include_router(accounts.router)
api_router.include_router(assistance_requests.router)
api_router.include_router(assistance_matching.router)
api_router.include_router(assistance_offers.router)
api_router.include_router(assistance_projects.router)
api_router.include_router(funding.router)
api_router.include_router(assistance_overview.router)
api_router.include_router(notifications.router)
api_router.include_router(inbox.router)
api_router.include_router(contacts.router)
api_router.include_router(action_plans.router)
api_router.include_router(visits.router)
api_router.include_router(profiles.router)
api_router.include_router(incidents.router)
api_router.include_router(activities.router)
api_router.include_router(risks.router)
api_router.include_router(events.router)
api_router.include_router(commitments.router)

TAGS = [
    {
        "name": "States",
        "description": "The 193 UN Member States, their profiles and their matrices.",
    },
    {"name": "Frameworks", "description": "Matrix framework versions: sections, fields and cells."},
    {"name": "Fields", "description": "One matrix field across all States."},
    {
        "name": "Coverage",
        "description": "How much the matrix records, by group, region, section, weapon.",
    },
    {
        "name": "Priorities",
        "description": "An aid for focusing dialogue and assistance; not a compliance measure.",
    },
    {
        "name": "Open data",
        "description": "The full public dataset: Frictionless Data Package, bulk JSON, CSVs.",
    },
    {"name": "Workflow", "description": "Drafts, cell edits, State review, approval (signed in)."},
    {"name": "History", "description": "Differences between editions and each cell's history."},
    {
        "name": "Documents",
        "description": "National reports and the other sources the matrix cites.",
    },
    {
        "name": "Reporting",
        "description": "National reports on the resolution and every State's reporting status.",
    },
    {
        "name": "Evidence suggestions",
        "description": "Which matrix fields a provision of national law is evidence for.",
    },
    {
        "name": "Import and export",
        "description": "Matrices as CSV, JSON, XLSX, DOCX, PDF; importing.",
    },
    {"name": "Accounts", "description": "Who you are signed in as."},
    {
        "name": "Assistance",
        "description": "Requests for assistance, their lifecycle, and offers (the clearinghouse).",
    },
    {
        "name": "Points of contact",
        "description": "Points of contact designated by States and organisations, their "
        "freshness, and the Committee's training courses (reference data).",
    },
    {
        "name": "Action plans",
        "description": "National implementation action plans: measures, milestones, progress.",
    },
    {
        "name": "Commitments",
        "description": "Commitments announced at events, tracked to delivery; outcome documents.",
    },
    {
        "name": "Visits",
        "description": "Country visits at a State's invitation, their findings and briefing.",
    },
    {
        "name": "Incidents",
        "description": "CBRN incidents (restricted ones counted in trends, shown only to those "
        "entitled) and their trends.",
    },
    {
        "name": "Activities",
        "description": "What organisations do in States besides the projects brokered here, "
        "and the duplication warnings across projects and activities.",
    },
    {
        "name": "Events",
        "description": "Events of the regime (open debates, meetings, workshops), the statements "
        "made at them, their publication and search.",
    },
    {"name": "Health", "description": "Is the service up and its database reachable."},
]
