"""The public dataset behind every chart, as plain tables: what the open-data downloads hold.

Only what the caller may see is read (the downloads are made for the public), through the same
visibility rules as every other read: approved, public editions; public cells, evidence and
documents; public indicators. Each table gives its rows in a fixed column order, one at a time
(`Table.stream`): the large tables (cells, evidence, documents) are read from the database in
batches (`yield_per`, a server-side cursor on PostgreSQL), so that a build writes them row by
row and never holds a whole table in memory; `Table.rows` is the list, for small uses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Executable, exists, select
from sqlalchemy.orm import Session, aliased

from un1540.models import (
    CellDefinition,
    CellEntry,
    ContextIndicator,
    Document,
    EditionStatus,
    Evidence,
    FieldDefinition,
    Framework,
    MatrixEdition,
    Origin,
    Section,
    State,
)
from un1540.reference.languages import N_
from un1540.services.assistance.reads.funding import (
    funding_entries,
    shown_project,
    visible_project_ids,
)
from un1540.services.coverage.reads.coverage import coverage_summary
from un1540.services.kernel.access import Viewer, edition_visible, visible
from un1540.services.kernel.instance import has_synthetic_data
from un1540.services.kernel.paging import SUMMARY
from un1540.services.matrix.reads.states import list_states

Row = list[Any]
BATCH = 2000  # rows fetched from the database at a time


def _no_rows() -> Iterable[Row]:
    return ()


@dataclass
class Table:
    name: str
    title: str
    description: str
    columns: list[tuple[str, str, str]]  # name, frictionless type, description
    primary_key: list[str] = field(default_factory=list)
    source: Callable[[], Iterable[Row]] = _no_rows  # reads the rows again at each call

    def stream(self) -> Iterator[Row]:
        """The rows, one at a time, read from the database as they are asked for."""
        yield from self.source()

    @property
    def rows(self) -> list[Row]:
        """Every row in a list (small tables, tests); a build streams them instead."""
        return list(self.stream())


def _batched(session: Session, statement: Executable) -> Iterator[Any]:
    """The statement's result rows, fetched BATCH at a time (a server-side cursor on
    PostgreSQL; on SQLite the cursor is read as it goes)."""
    yield from session.execute(statement.execution_options(yield_per=BATCH))


@dataclass
class Dataset:
    tables: list[Table]
    synthetic: bool

    def table(self, name: str) -> Table:
        return next(table for table in self.tables if table.name == name)


def _states(session: Session, viewer: Viewer) -> Table:
    table = Table(
        "states",
        "UN Member States",
        N_(
            "The 193 UN Member States with ISO codes, regional group, M49 regions and names in the "
            "six UN languages (CLDR)."
        ),
        [
            ("iso3", "string", "ISO 3166-1 alpha-3 code (stable identifier)"),
            ("iso2", "string", "ISO 3166-1 alpha-2 code"),
            ("m49", "string", "UN M49 numeric code"),
            ("name", "string", "Short name in English"),
            ("name_ar", "string", "Name in Arabic"),
            ("name_zh", "string", "Name in Chinese"),
            ("name_fr", "string", "Name in French"),
            ("name_ru", "string", "Name in Russian"),
            ("name_es", "string", "Name in Spanish"),
            ("regional_group", "string", "UN regional group counting the State (electoral)"),
            ("m49_region", "string", "M49 region"),
            ("m49_subregion", "string", "M49 sub-region"),
        ],
        primary_key=["iso3"],
    )

    def rows() -> Iterator[Row]:
        for state in list_states(session, viewer=viewer).items:
            yield [
                state.iso3,
                state.iso2,
                state.m49,
                state.name,
                *(state.names.get(language, "") for language in ("ar", "zh", "fr", "ru", "es")),
                state.group or "",
                state.region,
                state.subregion,
            ]

    table.source = rows
    return table


def _fields(session: Session) -> Table:
    table = Table(
        "fields",
        "Matrix fields",
        N_(
            "Every field of every framework version: section, number, name, the weapon categories "
            "it applies to, and whether its wording was verified against a public approved matrix."
        ),
        [
            ("framework", "string", "Framework code/version"),
            ("section", "string", "Section code (op1, op2, op3ab, op3cd)"),
            ("field", "string", "Field code (stable identifier)"),
            ("number", "integer", "Row number in its section"),
            ("name", "string", "Field name in English"),
            ("applies_to", "string", "Weapon categories, separated by spaces"),
            ("verified", "boolean", "Wording verified (true) or reconstructed (false)"),
        ],
        primary_key=["framework", "field"],
    )
    statement = (
        select(
            Framework.code,
            Framework.version,
            Section.code,
            FieldDefinition.code,
            FieldDefinition.number,
            FieldDefinition.name,
            FieldDefinition.applies_to,
            FieldDefinition.verified,
        )
        .join(Section, Section.id == FieldDefinition.section_id)
        .join(Framework, Framework.id == FieldDefinition.framework_id)
        .order_by(Framework.code, Framework.version, Section.position, FieldDefinition.number)
    )

    def rows() -> Iterator[Row]:
        for code, version, section, field_code, number, name, applies_to, verified in _batched(
            session, statement
        ):
            yield [
                f"{code}/{version}",
                section,
                field_code,
                number,
                name,
                " ".join(applies_to),
                verified,
            ]

    table.source = rows
    return table


def _editions(session: Session, viewer: Viewer) -> Table:
    table = Table(
        "editions",
        "Approved matrix editions",
        N_("Every approved edition of every State's matrix."),
        [
            ("iso3", "string", "State"),
            ("edition", "integer", "Edition number"),
            ("framework", "string", "Framework code/version"),
            ("approved_on", "date", "Date of approval"),
            ("synthetic", "boolean", "True for synthetic demo data"),
        ],
        primary_key=["iso3", "edition"],
    )
    statement = (
        select(
            State.iso3,
            MatrixEdition.number,
            Framework.code,
            Framework.version,
            MatrixEdition.approved_on,
            MatrixEdition.origin,
        )
        .join(State, State.id == MatrixEdition.state_id)
        .join(Framework, Framework.id == MatrixEdition.framework_id)
        .where(MatrixEdition.status == EditionStatus.approved, edition_visible(viewer))
        .order_by(State.iso3, MatrixEdition.number)
    )

    def rows() -> Iterator[Row]:
        for iso3, number, code, version, approved_on, origin in _batched(session, statement):
            yield [iso3, number, f"{code}/{version}", approved_on, origin is Origin.demo]

    table.source = rows
    return table


def _demo_edition_shown(session: Session, viewer: Viewer) -> bool:
    """Whether an approved edition the viewer may see is synthetic demo data."""
    return bool(
        session.scalar(
            select(
                exists().where(
                    MatrixEdition.status == EditionStatus.approved,
                    edition_visible(viewer),
                    MatrixEdition.origin == Origin.demo,
                )
            )
        )
    )


def _approved_cells(viewer: Viewer) -> Any:
    return (
        (MatrixEdition.status == EditionStatus.approved)
        & edition_visible(viewer)
        & visible(CellEntry.visibility, viewer, MatrixEdition.state_id)
    )


def _cells(session: Session, viewer: Viewer) -> Table:
    table = Table(
        "cells",
        "Matrix cells",
        N_(
            "One row per cell of every approved edition: mark X (measure recorded), ? (uncertain), "
            "NA (not applicable) or empty (no information), and the remark."
        ),
        [
            ("iso3", "string", "State"),
            ("edition", "integer", "Edition number"),
            ("cell", "string", "Cell identifier {field}:{weapon}:{column}"),
            ("field", "string", "Field code"),
            ("weapon", "string", "nw, cw, bw, or any (OP1)"),
            ("column", "string", "legal_framework, enforcement or adherence"),
            ("mark", "string", "X, ?, NA or empty"),
            ("remark", "string", "Remark recorded with the mark"),
            (
                "reconstructed",
                "boolean",
                "True when the field's wording was reconstructed from public sources, not "
                "verified against the Committee's template (fields.verified = false)",
            ),
            (
                "treaty_status",
                "string",
                "OP1 treaty fields (op1.npt, op1.cwc, ...): signed, ratified, acceded, "
                "succeeded or not_party; empty when not recorded or for any other field",
            ),
            ("signed_on", "date", "OP1 treaty fields: date of signature"),
            (
                "status_on",
                "date",
                "OP1 treaty fields: date of ratification, accession or succession",
            ),
            (
                "asserted_by",
                "string",
                "OP1 treaty fields: who asserted the status: state_report, committee_finding "
                "or organisation_information",
            ),
        ],
        primary_key=["iso3", "edition", "cell"],
    )
    statement = (
        select(
            State.iso3,
            MatrixEdition.number,
            CellDefinition.key,
            FieldDefinition.code,
            FieldDefinition.verified,
            CellDefinition.weapon,
            CellDefinition.column,
            CellEntry.mark,
            CellEntry.remark,
            CellEntry.treaty_status,
            CellEntry.signed_on,
            CellEntry.status_on,
            CellEntry.asserted_by,
        )
        .join(MatrixEdition, MatrixEdition.id == CellEntry.edition_id)
        .join(State, State.id == MatrixEdition.state_id)
        .join(CellDefinition, CellDefinition.id == CellEntry.cell_id)
        .join(FieldDefinition, FieldDefinition.id == CellDefinition.field_id)
        .where(_approved_cells(viewer))
        .order_by(State.iso3, MatrixEdition.number, CellDefinition.id)
    )

    def rows() -> Iterator[Row]:
        for row in _batched(session, statement):
            iso3, number, key, field_code, verified, weapon, column, mark, remark, *treaty = row
            yield [
                iso3,
                number,
                key,
                field_code,
                weapon,
                column,
                mark.value,
                remark,
                not verified,
                *treaty,
            ]

    table.source = rows
    return table


def _documents(session: Session, viewer: Viewer) -> Table:
    table = Table(
        "documents",
        "Documents",
        N_("Public national reports, addenda, legislation and other sources cited as evidence."),
        [
            ("document_id", "integer", "Identifier"),
            ("iso3", "string", "State (empty for an organisation's document)"),
            ("kind", "string", "national_report, addendum, legislation, ..."),
            ("title", "string", "Title"),
            ("symbol", "string", "Document symbol"),
            ("issued_on", "date", "Date of issue"),
            ("language", "string", "Language (ISO 639-1)"),
            ("url", "string", "Where to read it"),
        ],
        primary_key=["document_id"],
    )
    owner = aliased(State)
    statement = (
        select(
            Document.id,
            owner.iso3,
            Document.kind,
            Document.title,
            Document.symbol,
            Document.issued_on,
            Document.language,
            Document.url,
        )
        .outerjoin(owner, owner.id == Document.state_id)
        .where(visible(Document.visibility, viewer, Document.state_id))
        .order_by(Document.id)
    )

    def rows() -> Iterator[Row]:
        for doc_id, iso3, kind, title, symbol, issued_on, language, url in _batched(
            session, statement
        ):
            yield [doc_id, iso3 or "", kind.value, title, symbol, issued_on, language, url]

    table.source = rows
    return table


def _evidence(session: Session, viewer: Viewer) -> Table:
    table = Table(
        "evidence",
        "Evidence",
        N_("Each cell's references to documents, down to page, article and paragraph."),
        [
            ("iso3", "string", "State"),
            ("edition", "integer", "Edition number"),
            ("cell", "string", "Cell identifier"),
            ("document_id", "integer", "The document cited (documents.document_id)"),
            ("page", "string", "Page"),
            ("article", "string", "Article"),
            ("paragraph", "string", "Paragraph"),
            ("quotation", "string", "Short quotation"),
        ],
    )
    statement = (
        select(
            State.iso3,
            MatrixEdition.number,
            CellDefinition.key,
            Evidence.document_id,
            Evidence.page,
            Evidence.article,
            Evidence.paragraph,
            Evidence.quotation,
        )
        .join(CellEntry, CellEntry.id == Evidence.cell_entry_id)
        .join(MatrixEdition, MatrixEdition.id == CellEntry.edition_id)
        .join(State, State.id == MatrixEdition.state_id)
        .join(CellDefinition, CellDefinition.id == CellEntry.cell_id)
        .join(Document, Document.id == Evidence.document_id)
        .where(
            _approved_cells(viewer),
            visible(Evidence.visibility, viewer, MatrixEdition.state_id),
            visible(Document.visibility, viewer, Document.state_id),
        )
        .order_by(State.iso3, MatrixEdition.number, CellDefinition.id, Evidence.id)
    )
    table.source = lambda: (list(row) for row in _batched(session, statement))
    return table


def _coverage(session: Session, viewer: Viewer) -> Table:
    table = Table(
        "coverage_by_state",
        "Coverage by State",
        N_(
            "Marks counted over each State's latest approved edition (coverage = X / (cells - "
            "NA)); a description of the information recorded, not a measure of compliance."
        ),
        [
            ("iso3", "string", "State"),
            ("cells", "integer", "Cells counted"),
            ("measures", "integer", "Cells marked X"),
            ("uncertain", "integer", "Cells marked ?"),
            ("not_applicable", "integer", "Cells marked NA"),
            ("blank", "integer", "Cells with no information"),
            ("coverage", "number", "measures / (cells - not_applicable)"),
        ],
        primary_key=["iso3"],
    )

    def rows() -> Iterator[Row]:
        for row in coverage_summary(session, viewer=viewer, by="state", paging=SUMMARY).items:
            tally = row.tally
            yield [
                row.key,
                tally.cells,
                tally.measures,
                tally.uncertain,
                tally.not_applicable,
                tally.blank,
                None if tally.coverage is None else round(tally.coverage, 6),
            ]

    table.source = rows
    return table


def _indicators(session: Session, viewer: Viewer) -> Table:
    table = Table(
        "context_indicators",
        "Context indicators",
        N_("Context about each State used by the prioritisation aid (kept apart from the matrix)."),
        [
            ("iso3", "string", "State"),
            ("indicator", "string", "Indicator code (reference/priorities.yml)"),
            ("value", "number", "Value"),
            ("year", "integer", "Year the value describes"),
            ("source", "string", "Where the value comes from"),
        ],
        primary_key=["iso3", "indicator"],
    )
    statement = (
        select(
            State.iso3,
            ContextIndicator.indicator,
            ContextIndicator.value,
            ContextIndicator.year,
            ContextIndicator.source,
        )
        .join(State, State.id == ContextIndicator.state_id)
        .where(visible(ContextIndicator.visibility, viewer, ContextIndicator.state_id))
        .order_by(State.iso3, ContextIndicator.indicator)
    )
    table.source = lambda: (list(row) for row in _batched(session, statement))
    return table


def _funding(session: Session, viewer: Viewer) -> Table:
    table = Table(
        "funding",
        "Funding",
        N_(
            "Pledges and contributions actually paid, in their own currency (never converted), "
            "with what each is earmarked to."
        ),
        [
            ("funding_id", "integer", "Identifier"),
            ("kind", "string", "pledge or contribution (money actually paid)"),
            ("donor", "string", "state:ISO3, organisation:code or name:text"),
            ("donor_name", "string", "Donor's name"),
            ("amount", "number", "Amount"),
            ("currency", "string", "ISO 4217 currency code"),
            ("made_on", "date", "Date pledged or paid"),
            ("due_on", "date", "A pledge's due date (when the donor said it would pay), if any"),
            ("earmark_region", "string", "Regional group or M49 region code, if earmarked"),
            ("earmark_area", "string", "Matrix section or field code, if earmarked"),
            ("project_id", "integer", "Assistance project, if earmarked to a public one"),
            ("synthetic", "boolean", "True for synthetic demo data"),
        ],
        primary_key=["funding_id"],
    )

    def rows() -> Iterator[Row]:
        shown = visible_project_ids(session, viewer)
        for entry in sorted(funding_entries(session, viewer=viewer), key=lambda e: e.id):
            yield [
                entry.id,
                entry.kind,
                entry.donor_key,
                entry.donor_name,
                entry.amount,
                entry.currency,
                entry.made_on,
                entry.due_on,
                entry.earmark_region,
                entry.earmark_area,
                shown_project(entry, shown),
                entry.origin is Origin.demo,
            ]

    table.source = rows
    return table


def public_dataset(session: Session, *, viewer: Viewer) -> Dataset:
    """Every table of the open dataset, as the caller may see it (each read when streamed)."""
    tables = [
        _states(session, viewer),
        _fields(session),
        _editions(session, viewer),
        _cells(session, viewer),
        _documents(session, viewer),
        _evidence(session, viewer),
        _coverage(session, viewer),
        _indicators(session, viewer),
        _funding(session, viewer),
    ]
    synthetic = _demo_edition_shown(session, viewer) or has_synthetic_data(session)
    return Dataset(tables=tables, synthetic=synthetic)
