"""Portal forms: check CSRF, do the action, say what happened, go back (POST-redirect-GET)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError
from starlette.responses import RedirectResponse

from un1540.errors import Conflict, Forbidden, InvalidData, Problem, Unauthenticated
from un1540.services.kernel.access import Viewer
from un1540.web.auth import check_form_csrf, flash
from un1540.web.deps import ViewerDep


async def _csrf_checked(request: Request, viewer: ViewerDep) -> Viewer:
    """The viewer is resolved first: a signed-in session's token is the one forms must carry."""
    await check_form_csrf(request)
    return viewer


CsrfChecked = Annotated[Viewer, Depends(_csrf_checked)]


def login_redirect(request: Request) -> RedirectResponse:
    return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)


def act(request: Request, back: str, action: Callable[[], str]) -> RedirectResponse:
    """Run `action` (it commits and returns a message); refusals become messages on the page."""
    try:
        flash(request, action())
    except Unauthenticated:
        return login_redirect(request)
    except (InvalidData, Conflict, Forbidden) as error:
        details = "; ".join(f"{p.where}: {p.message}" for p in error.problems)
        # Never what was typed: the message lives in the session cookie, which browsers drop
        # past 4 KB (a form that must keep its input renders itself again, as the cell form does).
        flash(request, error.message + (f" ({details})" if details else ""), kind="error")
    return RedirectResponse(back, status_code=303)


Model = TypeVar("Model", bound=BaseModel)


def build(model: type[Model], **values: Any) -> Model:
    """A validated input model from form fields; what is wrong becomes a message on the page."""
    try:
        return model.model_validate(values)
    except ValidationError as error:
        problems = [
            Problem(".".join(str(part) for part in item["loc"]) or "form", item["msg"])
            for item in error.errors()
        ]
        raise InvalidData("the form is not complete", problems=problems) from None
