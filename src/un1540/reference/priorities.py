"""The prioritisation method (priorities.yml): factors, default weights, sensitivity settings."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from un1540.errors import InvalidData, Problem
from un1540.reference.files import read_yaml, reference_path
from un1540.reference.incidents import load_incident_vocabulary

PRIORITIES_FILE = "priorities.yml"
FactorKind = Literal["matrix_gap", "indicator", "incident_count"]
Transform = Literal["minmax", "log_minmax", "binary"]


class IncidentCountSpec(BaseModel):
    """An `incident_count` factor: per State, the incident records (reference/incidents.yml)
    of these kinds, groupings and confirmation statuses over the last `years` years."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    years: int = Field(ge=1, le=100)
    kinds: tuple[str, ...] = ()  # empty: every kind
    groupings: tuple[str, ...] = ()  # empty: every grouping
    confirmation: tuple[str, ...] = ()  # empty: every confirmation status


class FactorSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    name: str
    names: dict[str, str] = Field(default_factory=dict)
    kind: FactorKind
    description: str
    descriptions: dict[str, str] = Field(default_factory=dict)
    weight: float = Field(ge=0)
    sections: tuple[str, ...] = ()
    weapons: tuple[str, ...] = ()
    transform: Transform | None = None
    unit: str = ""
    missing: float | None = Field(default=None, ge=0, le=1)
    incidents: IncidentCountSpec | None = None

    @model_validator(mode="after")
    def _fits_its_kind(self) -> FactorSpec:
        if self.kind in ("indicator", "incident_count") and self.transform is None:
            raise ValueError(f"an {self.kind} needs a transform")
        if (self.kind == "incident_count") != (self.incidents is not None):
            raise ValueError("an incident_count (and only it) takes incidents")
        if self.kind == "matrix_gap" and (self.transform is not None or self.unit):
            raise ValueError("a matrix_gap takes sections and weapons, not transform or unit")
        return self

    @property
    def missing_value(self) -> float:
        if self.missing is not None:
            return self.missing
        return 1.0 if self.kind == "matrix_gap" else 0.0


class SensitivitySpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    runs: int = Field(ge=10, le=10_000)
    spread: float = Field(gt=0, lt=1)
    seed: int
    band: int = Field(ge=0)


class PriorityMethod(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    method: str
    version: str
    label: str
    labels: dict[str, str] = Field(default_factory=dict)
    sensitivity: SensitivitySpec
    factors: tuple[FactorSpec, ...]

    @property
    def slug(self) -> str:
        return f"{self.method}/{self.version}"

    def factor(self, code: str) -> FactorSpec | None:
        return next((factor for factor in self.factors if factor.code == code), None)

    @property
    def indicator_codes(self) -> tuple[str, ...]:
        return tuple(factor.code for factor in self.factors if factor.kind == "indicator")


def parse_method(raw: object, source: str = PRIORITIES_FILE) -> PriorityMethod:
    """Validate a method document; errors name the factor and the field."""
    if not isinstance(raw, dict) or not isinstance(raw.get("factors"), dict):
        raise InvalidData(f"{source} is not a method", problems=[Problem(source, "no factors")])
    document = dict(raw)
    document["factors"] = [{"code": code, **item} for code, item in raw["factors"].items()]
    try:
        method = PriorityMethod.model_validate(document)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            location = list(item["loc"])
            if location[:1] == ["factors"] and len(location) > 1:
                location[1] = document["factors"][int(location[1])]["code"]
            problems.append(Problem(f"{source}: {'.'.join(map(str, location))}", item["msg"]))
        raise InvalidData(f"{source} is not a valid method", problems=problems) from error
    problems = _incident_problems(method, source)
    if problems:
        raise InvalidData(f"{source} is not a valid method", problems=problems)
    if sum(factor.weight for factor in method.factors) <= 0:
        raise InvalidData(
            f"{source} is not a valid method",
            problems=[Problem(f"{source}: factors", "default weights sum to zero")],
        )
    return method


def _incident_problems(method: PriorityMethod, source: str) -> list[Problem]:
    """An incident_count factor's codes must be in reference/incidents.yml."""
    vocabulary = load_incident_vocabulary()
    problems = []
    for factor in method.factors:
        if factor.incidents is None:
            continue
        for name, known in (
            ("kinds", vocabulary.kinds),
            ("groupings", vocabulary.groupings),
            ("confirmation", vocabulary.confirmation),
        ):
            for code in getattr(factor.incidents, name):
                if code not in known:
                    where = f"{source}: factors.{factor.code}.incidents.{name}"
                    problems.append(Problem(where, f"unknown code {code!r}"))
    return problems


@lru_cache(maxsize=1)
def load_priority_method() -> PriorityMethod:
    return parse_method(read_yaml(reference_path(PRIORITIES_FILE)))
