"""/api/v1/me: the account a request is made as; /api/v1/accounts: administrators manage
accounts; /api/v1/account/tokens: every account's own API tokens (docs/api.md)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from un1540.models import UserAccount
from un1540.schemas.accounts import (
    ROLES,
    AccountCreate,
    AccountRead,
    AccountSessionsEnded,
    AccountUpdate,
    ManagedAccountDetail,
    ManagedAccountList,
    SessionsEnded,
    SignOutEverywhere,
    TokenCreate,
    TokenIssued,
    TokenList,
    TokenRead,
)
from un1540.schemas.common import MAX_RECORD_ID, ErrorResponse
from un1540.schemas.text import SEARCH_QUERY
from un1540.schemas.vocabularies import enum
from un1540.services.accounts.actions import issue_own_token, own_tokens, revoke_token_of_viewer
from un1540.services.accounts.management import (
    AccountFilters,
    Invitation,
    account_by_id,
    create_account,
    list_accounts,
    sign_out_account,
    update_account,
)
from un1540.services.accounts.reads import account_of
from un1540.services.accounts.sessions import count_sessions, sign_out_everywhere
from un1540.services.accounts.shapes import account_read, managed_account_read, token_read
from un1540.services.kernel.envelope import envelope
from un1540.web.api.common import WRITE_ERRORS, page_response
from un1540.web.deps import PagingDep, SessionDep, SettingsDep, ViewerDep, WriterDep
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


# Administrators manage accounts (docs/accounts.md, docs/api.md): the rules of the portal's
# accounts pages (services/accounts/management.py); anyone else is refused (403, 401).
AccountPath = Annotated[int, Path(ge=1, le=MAX_RECORD_ID, description="Account number.")]
TokenPath = Annotated[int, Path(ge=1, le=MAX_RECORD_ID, description="Token number.")]
ADMIN_ERRORS: dict[int | str, dict[str, Any]] = {
    **WRITE_ERRORS,
    403: {"model": ErrorResponse, "description": "Administrators only (with a write scope)."},
    409: {
        "model": ErrorResponse,
        "description": "The e-mail has an account already; no e-mail server to send the "
        "invitation; or the last active administrator would be demoted or disabled.",
    },
}


def _managed(session: Session, user: UserAccount, status: int = 200) -> Response:
    detail = ManagedAccountDetail(
        **envelope(False),
        account=managed_account_read(user),
        sessions=count_sessions(session, user.id),
    )
    return json_model(detail, status_code=status)


@router.get(
    "/accounts",
    summary="Accounts (administrators)",
    response_model=ManagedAccountList,
    responses=ADMIN_ERRORS,
)
def accounts_list(
    session: SessionDep,
    viewer: ViewerDep,
    paging: PagingDep,
    q: Annotated[
        str, Query(description="Part of the e-mail address or the name."), SEARCH_QUERY
    ] = "",
    role: Annotated[
        str | None, Query(description="Only this role.", json_schema_extra={"enum": list(ROLES)})
    ] = None,
    state: Annotated[
        str | None,
        Query(description="Only this State's accounts (ISO3).", json_schema_extra=enum("state")),
    ] = None,
    organisation: Annotated[
        str | None,
        Query(
            description="Only this organisation's accounts (code).",
            json_schema_extra=enum("organisation"),
        ),
    ] = None,
    active: Annotated[
        bool | None, Query(description="Only active (true) or disabled (false) accounts.")
    ] = None,
) -> Response:
    """Every account, by e-mail address, a page at a time: its role, its State or
    organisation, whether it is active, when it last signed in. Administrators only."""
    found = list_accounts(
        session,
        viewer=viewer,
        query=q,
        paging=paging,
        filters=AccountFilters(role=role, state=state, organisation=organisation, active=active),
    )
    items = [managed_account_read(user) for user in found.accounts]
    return page_response(
        ManagedAccountList, items, total=found.total, paging=paging, synthetic=False
    )


@router.post(
    "/accounts",
    summary="Create an account (administrators)",
    status_code=201,
    response_model=ManagedAccountDetail,
    responses=ADMIN_ERRORS,
)
def accounts_create(
    request: Request,
    session: SessionDep,
    viewer: WriterDep,
    settings: SettingsDep,
    body: AccountCreate,
) -> Response:
    """As the portal does: the account gets a password nobody knows, and its owner an e-mail
    with a link to choose theirs (valid UN1540_PASSWORD_RESET_MINUTES); without an e-mail server
    (UN1540_SMTP_HOST) nothing is written (409). A point of contact needs its `state`, a
    provider its `organisation` (or `state`); the Committee side neither (422 otherwise)."""
    user = create_account(
        session,
        viewer=viewer,
        email=body.email,
        role=body.role,
        state_iso3=body.state,
        organisation_code=body.organisation,
        display_name=body.display_name,
        language=body.language,
        invite=Invitation(
            settings.public_url or str(request.base_url), settings.password_reset_minutes
        ),
    )
    return _managed(session, user, status=201)


@router.get(
    "/accounts/{account_id:int}",
    summary="One account (administrators)",
    response_model=ManagedAccountDetail,
    responses=ADMIN_ERRORS,
)
def accounts_detail(session: SessionDep, viewer: ViewerDep, account_id: AccountPath) -> Response:
    """The account and how many portal sessions it has open."""
    return _managed(session, account_by_id(session, viewer, account_id))


@router.patch(
    "/accounts/{account_id:int}",
    summary="Change an account's role, or disable or enable it (administrators)",
    response_model=ManagedAccountDetail,
    responses=ADMIN_ERRORS,
)
def accounts_update(
    session: SessionDep, viewer: WriterDep, account_id: AccountPath, body: AccountUpdate
) -> Response:
    """A new `role` (with the `state` or `organisation` it needs) ends the account's sessions;
    `active: false` disables it (its sessions end, its tokens are revoked). The last active
    administrator can be neither demoted nor disabled (409)."""
    user = update_account(
        session,
        viewer=viewer,
        account_id=account_id,
        role=body.role,
        state_iso3=body.state,
        organisation_code=body.organisation,
        active=body.active,
    )
    return _managed(session, user)


@router.post(
    "/accounts/{account_id:int}/sign-out-everywhere",
    summary="End every portal session of an account (administrators)",
    response_model=AccountSessionsEnded,
    responses=ADMIN_ERRORS,
)
def accounts_sign_out(session: SessionDep, viewer: WriterDep, account_id: AccountPath) -> Response:
    """Its browsers are signed out at once; its API tokens stay valid (disable the account to
    revoke them)."""
    user, ended = sign_out_account(session, viewer=viewer, account_id=account_id)
    return json_model(AccountSessionsEnded(id=user.id, email=user.email, sessions_ended=ended))


# Every signed-in account's own API tokens (the portal's account page does the same).
@router.get(
    "/account/tokens",
    summary="Your API tokens",
    response_model=TokenList,
    responses={401: WRITE_ERRORS[401]},
)
def own_tokens_list(session: SessionDep, viewer: ViewerDep) -> Response:
    """Your account's tokens, newest first, revoked ones too: their label, scope, first
    characters and when they were last used; never the token itself."""
    return json_model(TokenList(items=[token_read(t) for t in own_tokens(session, viewer=viewer)]))


@router.post(
    "/account/tokens",
    summary="Issue yourself an API token",
    status_code=201,
    response_model=TokenIssued,
    responses={k: WRITE_ERRORS[k] for k in (401, 403, 409, 422)},
)
def own_tokens_issue(session: SessionDep, viewer: WriterDep, body: TokenCreate) -> Response:
    """`secret` is the token: shown in this answer only, never stored (only its hash is). A
    write-scoped token writes what your account may; a read-only token may not issue tokens."""
    token, secret = issue_own_token(session, viewer=viewer, label=body.label, scope=body.scope)
    response = json_model(TokenIssued(token=token_read(token), secret=secret), status_code=201)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.delete(
    "/account/tokens/{token_id}",
    summary="Revoke one of your API tokens",
    response_model=TokenRead,
    responses={k: WRITE_ERRORS[k] for k in (401, 403, 404, 422)},
)
def own_tokens_revoke(session: SessionDep, viewer: WriterDep, token_id: TokenPath) -> Response:
    """Programs using it stop working at once. Another account's token is not found (404)."""
    return json_model(token_read(revoke_token_of_viewer(session, viewer=viewer, token_id=token_id)))
