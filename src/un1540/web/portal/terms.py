"""The clearinghouse's codes in the page's language."""

from __future__ import annotations

from collections.abc import Sequence

from un1540.reference.languages import N_
from un1540.schemas.assistance import MatchReason
from un1540.services.assistance.explain import sentence
from un1540.web.i18n import gettext, language

# The clearinghouse's words as the portal shows them (codes in reference/assistance.yml and
# matching.yml); marked here so that the catalogues translate them.
TERMS = {
    "received": N_("Received"),
    "authenticated": N_("Authenticated"),
    "acknowledged": N_("Acknowledged"),
    "circulated": N_("Circulated"),
    "published": N_("Published"),
    "matched": N_("Matched"),
    "in_delivery": N_("In delivery"),
    "delivered": N_("Delivered"),
    "feedback_received": N_("Feedback received"),
    "closed": N_("Closed"),
    "planned": N_("Planned"),
    "public": N_("Public"),
    "providers": N_("Providers"),
    "committee": N_("Committee only"),
    "recipient": N_("Recipient"),
    "provider": N_("Provider"),
    "legislative_drafting": N_("Legislative drafting"),
    "regulatory_advice": N_("Regulatory advice"),
    "training": N_("Training"),
    "equipment": N_("Equipment"),
    "expert_visit": N_("Expert visit"),
    "action_plan_support": N_("Support for a national implementation action plan"),
    "reporting_support": N_("Support for national reporting"),
    "other": N_("Other"),
    "fields": N_("Matrix fields"),
    "weapons": N_("Weapon categories"),
    "help_types": N_("Kind of help"),
    "language": N_("Language"),
    "region": N_("Region"),
    "capacity": N_("Capacity left"),
    "record": N_("Provider's record"),
    # OP1 treaty status (reference/crosswalks.py TREATY_STATUSES, ASSERTED_BY).
    "signed": N_("Signed"),
    "ratified": N_("Ratified"),
    "acceded": N_("Acceded"),
    "succeeded": N_("Succeeded"),
    "not_party": N_("Not party"),
    "not_recorded": N_("Not recorded"),
    "state_report": N_("State report"),
    "committee_finding": N_("Committee finding"),
    "organisation_information": N_("Organisation information"),
    "statement": N_("Statement"),
    "meeting_document": N_("Meeting document"),
    # Country visits (reference/lifecycles.yml `visit`, schemas/visits.py).
    "invited": N_("Invited"),
    "accepted": N_("Accepted"),
    "preparation": N_("In preparation"),
    "conducted": N_("Conducted"),
    "findings": N_("Findings recorded"),
    "follow_up": N_("Follow-up"),
    "committee_member": N_("Committee member"),
    "expert": N_("Expert"),
    "organisation": N_("Organisation"),
    "state_official": N_("State official"),
    "assistance_request": N_("Assistance request"),
    "action_plan_measure": N_("Action-plan measure"),
    "open": N_("Open"),
    "pledge": N_("Pledge"),
    "contribution": N_("Contribution"),
}


def term(code: str) -> str:
    """A clearinghouse code in the page's language."""
    return gettext(TERMS.get(code, code))


def explain(reasons: Sequence[MatchReason]) -> str:
    """Why an offer is suggested, in words, in the page's language."""
    return sentence(reasons, gettext, language())
