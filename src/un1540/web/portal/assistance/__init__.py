"""The clearinghouse in the portal, one module per record: requests, offers, projects, funding,
and the views across them (clearinghouse)."""

from fastapi import APIRouter

from un1540.web.portal.assistance import clearinghouse, funding, offers, projects, requests

router = APIRouter(include_in_schema=False)
router.include_router(clearinghouse.router)
router.include_router(requests.router)
router.include_router(projects.router)
router.include_router(funding.router)
router.include_router(offers.router)
