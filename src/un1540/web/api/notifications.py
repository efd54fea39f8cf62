"""/api/v1/notifications: the signed-in account's notifications."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from un1540.schemas.notifications import NotificationList, NotificationRead
from un1540.services.notifications.actions import mark_read
from un1540.services.notifications.reads import list_notifications
from un1540.services.notifications.shapes import notification_list, notification_read
from un1540.web.api.common import WRITE_ERRORS, RecordIdPath
from un1540.web.deps import PagingDep, SessionDep, ViewerDep, WriterDep
from un1540.web.responses import json_model

router = APIRouter(tags=["Accounts"])


@router.get(
    "/notifications",
    summary="Your notifications",
    response_model=NotificationList,
    responses=WRITE_ERRORS,
)
def notifications_list(
    session: SessionDep,
    viewer: ViewerDep,
    paging: PagingDep,
    unread: Annotated[bool, Query(description="Only the unread ones.")] = False,
) -> Response:
    """Matches for your offers, project changes, feedback due; newest first. Each is worded when
    you read it, from its record as you may see it now (in English); one about a record you may
    no longer see is neither listed nor counted."""
    return json_model(
        notification_list(
            *list_notifications(session, viewer=viewer, unread_only=unread, paging=paging),
            paging=paging,
        )
    )


@router.post(
    "/notifications/{notification_id}/read",
    summary="Mark a notification read",
    response_model=NotificationRead,
    responses=WRITE_ERRORS,
)
def notifications_read(
    session: SessionDep,
    viewer: WriterDep,
    notification_id: RecordIdPath,
) -> Response:
    told = mark_read(session, viewer=viewer, notification_id=notification_id)
    return json_model(notification_read(told))
