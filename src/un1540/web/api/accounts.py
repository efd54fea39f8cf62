"""/api/v1/me: the account a request is made as."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from un1540.schemas.accounts import AccountRead, SessionsEnded, SignOutEverywhere
from un1540.services.accounts.reads import account_of
from un1540.services.accounts.sessions import sign_out_everywhere
from un1540.services.accounts.shapes import account_read
from un1540.web.api.common import WRITE_ERRORS
from un1540.web.deps import SessionDep, ViewerDep, WriterDep
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


@router.post(
    "/accounts/sign-out-everywhere",
    summary="End every portal session of an account",
    response_model=SessionsEnded,
    responses=WRITE_ERRORS,
)
def accounts_sign_out_everywhere(
    session: SessionDep, viewer: WriterDep, body: SignOutEverywhere
) -> Response:
    """Administrators, for any account; anyone, for their own. The account's browsers are signed
    out at once; its API tokens stay valid (revoke them, or disable the account)."""
    ended = sign_out_everywhere(session, viewer=viewer, email=body.email)
    return json_model(SessionsEnded(email=body.email.strip().lower(), sessions_ended=ended))
