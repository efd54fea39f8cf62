"""Who may manage accounts: administrators only (the one rule of kernel/access.py).

The portal's accounts pages (their guard and their links), the actions of
services/accounts/management.py and the command line (whose operator is an administrator,
kernel.access.system_viewer) all ask `refuse_managing_accounts`."""

from __future__ import annotations

from sqlalchemy.orm import Session

from un1540.errors import Un1540Error
from un1540.models import Role
from un1540.services.kernel.access import Viewer, refuse_unless

MANAGE_ACCOUNTS = "manage accounts"


def refuse_managing_accounts(viewer: Viewer) -> Un1540Error | None:
    """The refusal (Unauthenticated, Forbidden), or None for an administrator who may write."""
    return refuse_unless(viewer, Role.admin, action=MANAGE_ACCOUNTS)


def may_manage_accounts(viewer: Viewer) -> bool:
    return refuse_managing_accounts(viewer) is None


def check_may_manage_accounts(session: Session, viewer: Viewer, **_: object) -> None:
    """The guard of the accounts pages (web/guards.py): raise the refusal, if any."""
    refusal = refuse_managing_accounts(viewer)
    if refusal is not None:
        raise refusal
