"""/api/v1/me: the account a request is made as."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from un1540.schemas.accounts import AccountRead
from un1540.services.accounts.reads import account_of
from un1540.services.accounts.shapes import account_read
from un1540.web.api.common import WRITE_ERRORS
from un1540.web.deps import SessionDep, ViewerDep
from un1540.web.responses import json_model

router = APIRouter(tags=["Accounts"])


@router.get(
    "/me",
    summary="The current account",
    response_model=AccountRead,
    responses={401: WRITE_ERRORS[401]},
)
def me(request: Request, session: SessionDep, viewer: ViewerDep) -> Response:
    user = account_of(session, viewer)
    via_token = getattr(request.state, "via_token", False)
    scope = ("write" if viewer.can_write else "read") if via_token else None
    return json_model(account_read(user, token_scope=scope))
