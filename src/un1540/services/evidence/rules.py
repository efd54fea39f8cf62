"""Who may ask for evidence suggestions and decide on them."""

from __future__ import annotations

from un1540.models import Role
from un1540.reference.languages import N_
from un1540.services.kernel.access import Viewer, require


def check_may_suggest(viewer: Viewer) -> None:
    """Experts and the Committee (the suggestions feed the experts' drafts; the computation is
    not offered anonymously)."""
    require(viewer, Role.expert, Role.committee, action=N_("ask for evidence suggestions"))


def check_may_decide(viewer: Viewer) -> None:
    """Experts and the Committee (and administrators). A confirmation writes evidence on a
    draft's cells, which only experts do (the matrix's rules refuse the Committee there)."""
    require(viewer, Role.expert, Role.committee, action=N_("decide on evidence suggestions"))
