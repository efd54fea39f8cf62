"""Portal forms: check CSRF, do the action, say what happened, go back (POST-redirect-GET)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError
from starlette.responses import RedirectResponse, Response

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


def asks_confirmation(error: InvalidData) -> bool:
    """The action refused only because it must be confirmed (widening who may see a record)."""
    return bool(error.problems) and all(p.where == "confirm" for p in error.problems)


def act(
    request: Request,
    back: str,
    action: Callable[[], str],
    *,
    confirmation: Callable[[], Response] | None = None,
) -> Response:
    """Run `action` (it commits and returns a message); refusals become messages on the page.
    With `confirmation`, an action that asks to be confirmed shows that page instead."""
    try:
        flash(request, action())
    except Unauthenticated:
        return login_redirect(request)
    except InvalidData as error:
        if confirmation is not None and asks_confirmation(error):
            return confirmation()
        _refused(request, error)
    except (Conflict, Forbidden) as error:
        _refused(request, error)
    return RedirectResponse(back, status_code=303)


def _refused(request: Request, error: InvalidData | Conflict | Forbidden) -> None:
    details = "; ".join(f"{p.where}: {p.message}" for p in error.problems)
    # Never what was typed: the message lives in the session cookie, which browsers drop
    # past 4 KB (a form that must keep its input renders itself again, as the cell form does).
    flash(request, error.message + (f" ({details})" if details else ""), kind="error")


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
