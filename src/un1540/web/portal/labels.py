"""Names of States, groups, regions and matrix terms in the language of the page.

The services and the API speak English labels; the portal shows the same keys in the reader's
language from the reference data (CLDR names of States and M49 regions, the regional groups'
names, and the `names` and `titles` of the bundled framework), falling back to the English label
it was given.
"""

from __future__ import annotations

from functools import lru_cache

from un1540.reference.concepts import load_concept_names
from un1540.reference.frameworks import bundled_frameworks
from un1540.reference.names import localized_name
from un1540.web.i18n import N_, gettext, language


def label(dimension: str, key: str, fallback: str) -> str:
    """The name of `key` in the page's language, or `fallback` (the English label)."""
    code = language()
    if code == "en":
        return fallback
    return localized_name(dimension, key, code, fallback)


def state_name(iso3: str, fallback: str) -> str:
    return label("state", iso3, fallback)


@lru_cache(maxsize=1)
def _english_field_names() -> dict[str, str]:
    return {
        field.code: field.name
        for definition in bundled_frameworks()
        for section in definition.spec.sections
        for field in section.fields
    }


def field_label(code: str) -> str:
    """A field's name in the page's language, from its code alone."""
    return label("field", code, _english_field_names().get(code, code))


def cell_name(cell: str) -> str:
    """A cell's key (`op3ab.physical_protection:cw:legal_framework`) as words in the page's
    language: its field, weapon and column ("Physical protection · CW · legal framework")."""
    field, _, rest = cell.partition(":")
    weapon, _, column = rest.partition(":")
    if not weapon or not column:
        return cell
    return " · ".join(
        (
            field_label(field),
            label("weapon", weapon, weapon.upper()),
            label("column", column, gettext(column.replace("_", " "))),
        )
    )


def concept_label(code: str) -> str:
    """An evidence concept's name (`act.stockpile`: "stockpiling") in the page's language."""
    concept = load_concept_names().get(code)
    return label("concept", code, concept.name if concept is not None else code)


# Codes the services and the API speak, as the portal shows them: one vocabulary per kind of
# code, each code's English label marked for the catalogues (translated where it is shown).
# The lifecycles' statuses repeat the names in reference/lifecycles.yml;
# tests/portal/test_reader_language.py checks that every status and every enum value has one.
CODE_LABELS: dict[str, dict[str, str]] = {
    "edition": {
        "draft": N_("Draft"),
        "shared": N_("Shared with the State"),
        "agreed": N_("Agreed by the State"),
        "approved": N_("Approved"),
    },
    "assistance_request": {
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
    },
    "assistance_project": {
        "planned": N_("Planned"),
        "in_delivery": N_("In delivery"),
        "delivered": N_("Delivered"),
        "closed": N_("Closed"),
    },
    "action_plan_measure": {
        "planned": N_("Planned"),
        "in_progress": N_("In progress"),
        "done": N_("Done"),
        "dropped": N_("Dropped"),
    },
    "action_plan_milestone": {
        "pending": N_("Pending"),
        "done": N_("Done"),
        "cancelled": N_("Cancelled"),
    },
    "visit": {
        "invited": N_("Invited"),
        "accepted": N_("Accepted"),
        "preparation": N_("In preparation"),
        "conducted": N_("Conducted"),
        "findings": N_("Findings recorded"),
        "follow_up": N_("Follow-up"),
        "closed": N_("Closed"),
    },
    "commitment": {
        "announced": N_("Announced"),
        "in_progress": N_("In progress"),
        "partly_delivered": N_("Partly delivered"),
        "delivered": N_("Delivered"),
        "withdrawn": N_("Withdrawn"),
    },
    "proposal": {
        "pending": N_("Pending"),
        "accepted": N_("Accepted"),
        "rejected": N_("Rejected"),
    },
    "document_kind": {
        "national_report": N_("National report"),
        "addendum": N_("Addendum"),
        "additional_information": N_("Additional information"),
        "action_plan": N_("National action plan"),
        "legislation": N_("Legislation"),
        "official_website": N_("Official website"),
        "organisation_information": N_("Organisation information"),
        "statement": N_("Statement at an event"),
        "meeting_document": N_("Meeting document"),
    },
    "role": {
        "public": N_("Public"),
        "state_poc": N_("State point of contact"),
        "provider": N_("Assistance provider"),
        "expert": N_("Expert"),
        "committee": N_("Committee"),
        "admin": N_("Administrator"),
    },
    "build": {
        "queued": N_("Queued"),
        "running": N_("Running"),
        "ready": N_("Ready"),
        "failed": N_("Failed"),
    },
    "text": {
        "ready": N_("Ready"),
        "reading": N_("Being read"),
        "failed": N_("Failed"),
    },
    "verdict": {
        "confirmed": N_("Confirmed"),
        "edited": N_("Edited"),
        "rejected": N_("Rejected"),
    },
    "approval_basis": {
        "state_agreed": N_("Agreed by the State"),
        "deadline_passed": N_("Deadline passed without objection"),
        "committee_reason": N_("Approved by the Committee with a reason"),
    },
    # Who may see a record (models.base.Visibility), as the clearinghouse's offers say it.
    "visibility": {
        "public": N_("Everyone"),
        "states_and_providers": N_("States' and providers' accounts"),
        "owning_state_and_committee": N_("The Committee side and the State concerned"),
        "committee": N_("The Committee side only"),
    },
    "origin": {
        "demo": N_("Demonstration data"),
        "import": N_("Imported"),
        "entry": N_("Entered in the system"),
    },
}


def code_label(vocabulary: str, code: object) -> str:
    """A code (a string or a StrEnum member) in the page's language; an unknown code is shown
    as it is, so nothing disappears."""
    raw = str(getattr(code, "value", code))
    english = CODE_LABELS.get(vocabulary, {}).get(raw)
    return gettext(english) if english is not None else raw
