"""The prioritisation aid page: weights in a form, the ranking with every State explained."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from un1540.errors import InvalidParameter
from un1540.reference.priorities import load_priority_method
from un1540.services.coverage.reads.priorities import priorities
from un1540.web.deps import PagingDep, SessionDep, ViewerDep
from un1540.web.portal.templating import render

router = APIRouter(include_in_schema=False)
WEIGHT_STEPS = {"min": 0, "max": 3, "step": 0.25}


def _weights_text(request: Request) -> str | None:
    """`weights=` as in the API, or one `w_<factor>` field per slider of the form."""
    if "weights" in request.query_params:
        return request.query_params["weights"]
    pairs = [
        f"{factor.code}:{request.query_params[f'w_{factor.code}']}"
        for factor in load_priority_method().factors
        if f"w_{factor.code}" in request.query_params
    ]
    return ",".join(pairs) or None


@router.get("/priorities", response_class=HTMLResponse)
def priorities_page(
    request: Request, session: SessionDep, viewer: ViewerDep, paging: PagingDep
) -> HTMLResponse:
    weights = _weights_text(request)
    try:
        result = priorities(session, viewer=viewer, weights=weights, paging=paging)
        problems = []
    except InvalidParameter as error:  # show the form again with the problem, defaults applied
        result = priorities(session, viewer=viewer, paging=paging)
        problems = error.problems
    query = {"weights": ",".join(f"{code}:{weight:g}" for code, weight in result.weights.items())}
    context = {
        "result": result,
        "problems": problems,
        "factor_names": {factor.code: factor.name for factor in result.factors},
        "steps": WEIGHT_STEPS,
        "query": urlencode(query),
        "pages": -(-result.total // result.page_size),
    }
    status = 422 if problems else 200
    return render(
        request, "priorities/ranking.html", context, synthetic=result.synthetic, status_code=status
    )
