"""What the matrix writes take in, beyond the wire schemas: marks by code and plain inputs."""

from __future__ import annotations

from dataclasses import dataclass, field

from un1540.models import Mark
from un1540.schemas.workflow import CellUpdate

MARK_VALUES = {mark.value: mark for mark in Mark}
MAX_TEXT = 10000


@dataclass(frozen=True)
class EvidenceInput:
    document_id: int
    page: str = ""
    article: str = ""
    paragraph: str = ""
    quotation: str = ""


@dataclass(frozen=True)
class CellInput:
    key: str
    mark: str
    remark: str = ""
    evidence: list[EvidenceInput] = field(default_factory=list)


@dataclass(frozen=True)
class CellChange:
    """One cell write, as the cell writer takes it from every door (edit, proposal, import)."""

    mark: str
    remark: str
    version: int
    evidence: list[EvidenceInput] | None = None  # None: leave the evidence as it is

    @classmethod
    def from_update(cls, update: CellUpdate) -> CellChange:
        """The change an API body or a portal form (both parsed into CellUpdate) asks for."""
        evidence = (
            None
            if update.evidence is None
            else [EvidenceInput(**item.model_dump()) for item in update.evidence]
        )
        return cls(
            mark=update.mark, remark=update.remark, version=update.version, evidence=evidence
        )
