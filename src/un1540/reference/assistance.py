"""The assistance vocabulary (assistance.yml): help types, consent levels, and the statuses a
request reaches only with public consent. The request's lifecycle is in lifecycles.yml."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from un1540.errors import InvalidData, Problem
from un1540.reference.files import read_yaml, reference_path
from un1540.reference.lifecycles import lifecycle

ASSISTANCE_FILE = "assistance.yml"


@dataclass(frozen=True)
class AssistanceVocabulary:
    help_types: dict[str, str]
    consent: dict[str, str]  # from the narrowest to the widest
    requires_public_consent: frozenset[str]

    @property
    def default_consent(self) -> str:
        """Where a request starts: the narrowest consent."""
        return next(iter(self.consent))

    def consent_width(self, code: str) -> int:
        """0 for the narrowest consent, and up: a larger number reaches more readers."""
        return list(self.consent).index(code)


@lru_cache(maxsize=1)
def load_assistance_vocabulary() -> AssistanceVocabulary:
    raw = read_yaml(reference_path(ASSISTANCE_FILE))
    requires_public_consent = frozenset(raw.get("requires_public_consent", []))
    statuses = lifecycle("assistance_request").statuses
    problems = [
        Problem(f"{ASSISTANCE_FILE}: requires_public_consent", f"unknown status {status!r}")
        for status in sorted(requires_public_consent)
        if status not in statuses
    ]
    if list(raw["consent"])[-1:] != ["public"]:
        problems.append(Problem(f"{ASSISTANCE_FILE}: consent", "must end with the widest, public"))
    if problems:
        raise InvalidData(f"{ASSISTANCE_FILE} is inconsistent", problems=problems)
    return AssistanceVocabulary(
        help_types={code: item["name"] for code, item in raw["help_types"].items()},
        consent={code: item["name"] for code, item in raw["consent"].items()},
        requires_public_consent=requires_public_consent,
    )
