"""Portal forms: check CSRF, do the action, say what happened, go back (POST-redirect-GET)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError
from starlette.responses import RedirectResponse, Response

from un1540.errors import Conflict, Forbidden, InvalidData, Problem, Text, Unauthenticated, text
from un1540.reference.languages import N_
from un1540.services.kernel.access import Viewer
from un1540.web.auth import check_form_csrf, flash
from un1540.web.deps import ViewerDep
from un1540.web.portal.messages import refusal


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
    template: str | None = None,
    again: Callable[[InvalidData | Conflict], Response] | None = None,
) -> Response:
    """Run `action` (it commits and returns a message); refusals become messages on the page.
    With `confirmation`, an action that asks to be confirmed shows that page instead.
    `template`: the form's page, whose labels name the fields of a refusal.
    `again`: the form's page rendered once more with what was entered and the refusal beside
    it (`refusal(error, template=...)`), for a form whose input is too much to lose; nothing was
    written."""
    try:
        flash(request, action())
    except Unauthenticated:
        return login_redirect(request)
    except (InvalidData, Conflict) as error:
        asked = isinstance(error, InvalidData) and asks_confirmation(error)
        if confirmation is not None and asked:
            return confirmation()
        if again is not None:
            return again(error)
        _refused(request, error, template)
    except Forbidden as error:
        _refused(request, error, template)
    return RedirectResponse(back, status_code=303)


def _refused(
    request: Request, error: InvalidData | Conflict | Forbidden, template: str | None = None
) -> None:
    # Never what was typed: the message lives in the session cookie, which browsers drop
    # past 4 KB (a form that must keep its input renders itself again, as the cell form does).
    # In the reader's language, each field by its label (web/portal/messages.py).
    flash(request, refusal(error, template=template), kind="error")


Model = TypeVar("Model", bound=BaseModel)


# pydantic's refusals by their stable type, in words the catalogues translate (its own
# messages are English only); `ctx` gives the parameters. Other types keep pydantic's message.
PYDANTIC_MESSAGES: dict[str, str] = {
    "missing": N_("is required"),
    "string_too_short": N_("is too short (at least %(min_length)s characters)"),
    "string_too_long": N_("is too long (at most %(max_length)s characters)"),
    "too_short": N_("has too few items (at least %(min_length)s)"),
    "too_long": N_("has too many items (at most %(max_length)s)"),
    "int_parsing": N_("is not a whole number"),
    "int_type": N_("is not a whole number"),
    "int_from_float": N_("is not a whole number"),
    "float_parsing": N_("is not a number"),
    "float_type": N_("is not a number"),
    "decimal_parsing": N_("is not a number"),
    "bool_parsing": N_("is not yes or no"),
    "date_parsing": N_("is not a date (YYYY-MM-DD)"),
    "date_from_datetime_parsing": N_("is not a date (YYYY-MM-DD)"),
    "date_type": N_("is not a date (YYYY-MM-DD)"),
    "greater_than": N_("must be greater than %(gt)s"),
    "greater_than_equal": N_("must be at least %(ge)s"),
    "less_than": N_("must be less than %(lt)s"),
    "less_than_equal": N_("must be at most %(le)s"),
    "literal_error": N_("must be one of %(expected)s"),
    "enum": N_("must be one of %(expected)s"),
    "string_pattern_mismatch": N_("is not in the expected form"),
    "url_parsing": N_("is not a web address"),
    "url_scheme": N_("is not a web address"),
    "string_type": N_("must be text"),
    "list_type": N_("must be a list"),
}


def _form_message(item: Any) -> str:
    """One pydantic refusal as a message the door translates."""
    context = item.get("ctx") or {}
    if item["type"] in ("text_policy", "value_error"):
        said = context.get("message") or getattr(context.get("error"), "args", [None])[0]
        if isinstance(said, Text):
            return said
    msgid = PYDANTIC_MESSAGES.get(item["type"])
    if msgid is None:
        return str(item["msg"])
    try:
        return text(msgid, **{name: str(value) for name, value in context.items()})
    except (KeyError, TypeError, ValueError):
        return str(item["msg"])


def build(model: type[Model], **values: Any) -> Model:
    """A validated input model from form fields; what is wrong becomes a message on the page
    (in the reader's language: pydantic's by their type, `PYDANTIC_MESSAGES`)."""
    try:
        return model.model_validate(values)
    except ValidationError as error:
        problems = [
            Problem(".".join(str(part) for part in item["loc"]) or "form", _form_message(item))
            for item in error.errors()
        ]
        raise InvalidData(N_("the form is not complete"), problems=problems) from None
