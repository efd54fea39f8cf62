"""What the matrix writes take in, beyond the wire schemas: marks by code and plain inputs."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from un1540.errors import Problem
from un1540.models import Mark
from un1540.schemas.matrix import TreatyStatusInput
from un1540.schemas.text import ARTICLE, PAGE, PARAGRAPH, QUOTATION, REMARK
from un1540.schemas.workflow import CellUpdate

MARK_VALUES = {mark.value: mark for mark in Mark}


@dataclass(frozen=True)
class EvidenceInput:
    document_id: int
    page: str = ""
    article: str = ""
    paragraph: str = ""
    quotation: str = ""

    def checked(self, where: str, problems: list[Problem]) -> EvidenceInput:
        """The evidence with its texts through the text policy; refusals go to `problems`."""
        return replace(
            self,
            page=PAGE.check(self.page, f"{where}.page", problems),
            article=ARTICLE.check(self.article, f"{where}.article", problems),
            paragraph=PARAGRAPH.check(self.paragraph, f"{where}.paragraph", problems),
            quotation=QUOTATION.check(self.quotation, f"{where}.quotation", problems),
        )


@dataclass(frozen=True)
class CellInput:
    key: str
    mark: str
    remark: str = ""
    evidence: list[EvidenceInput] = field(default_factory=list)
    # OP1 treaty cells of a recorded edition: the treaty status (checked against the
    # instrument and the edition's date when recorded).
    treaty: TreatyStatusInput | None = None


@dataclass(frozen=True)
class CellChange:
    """One cell write, as the cell writer takes it from every door (edit, proposal, import)."""

    mark: str
    remark: str
    version: int
    evidence: list[EvidenceInput] | None = None  # None: leave the evidence as it is

    def checked(self, problems: list[Problem]) -> CellChange:
        """The change with its texts through the text policy (the same rules as the API's input
        shape); what is refused goes to `problems`, named by field."""
        evidence = (
            None
            if self.evidence is None
            else [
                item.checked(f"evidence[{index}]", problems)
                for index, item in enumerate(self.evidence, start=1)
            ]
        )
        return replace(
            self, remark=REMARK.check(self.remark, "remark", problems), evidence=evidence
        )

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
