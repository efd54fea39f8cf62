"""The JSON API under /api/v1 (stable: see docs/api.md), one router per resource."""

from fastapi import APIRouter

from un1540.web.api import coverage, fields, frameworks, states

api_router = APIRouter(prefix="/api/v1")
api_router.include_router(states.router)
api_router.include_router(frameworks.router)
api_router.include_router(fields.router)
api_router.include_router(coverage.router)

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
    {"name": "Health", "description": "Is the service up and its database reachable."},
]
