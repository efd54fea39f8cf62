"""/api/v1/me: the account a request is made as."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from un1540.errors import Unauthenticated
from un1540.models import Organisation, State, UserAccount
from un1540.schemas.workflow import AccountRead
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
    if viewer.user_id is None:
        raise Unauthenticated("sign in or send an API token")
    user = session.get(UserAccount, viewer.user_id)
    assert user is not None
    state = session.get(State, user.state_id) if user.state_id else None
    organisation = session.get(Organisation, user.organisation_id) if user.organisation_id else None
    via_token = getattr(request.state, "via_token", False)
    return json_model(
        AccountRead(
            email=user.email,
            display_name=user.display_name,
            role=user.role.value,
            state=state.iso3 if state else None,
            organisation=organisation.code if organisation else None,
            token_scope=("write" if viewer.can_write else "read") if via_token else None,
        )
    )
