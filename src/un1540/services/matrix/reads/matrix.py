"""Reading one edition of a State's matrix, cell by cell, with its evidence."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import (
    Connection,
    Dialect,
    Executable,
    Integer,
    String,
    and_,
    bindparam,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement

from un1540.errors import NotFound, text
from un1540.models import (
    CellEntry,
    Document,
    EditionStatus,
    Evidence,
    Framework,
    MatrixEdition,
    Origin,
    State,
)
from un1540.reference.crosswalks import treaty_fields
from un1540.reference.languages import N_
from un1540.schemas.matrix import (
    DocumentRef,
    EvidenceRead,
    MatrixRead,
    StateRef,
)
from un1540.schemas.workflow import CellState
from un1540.services.kernel.access import Viewer, can_see, edition_visible, visible
from un1540.services.kernel.envelope import envelope
from un1540.services.kernel.lookups import state_by_iso3
from un1540.services.matrix import shapes
from un1540.services.matrix.layout import FrameworkLayout, framework_layout, layout_of
from un1540.services.matrix.reads.editions import entry_for, find_edition, visible_edition


def evidence_by_entry(
    session: Session,
    viewer: Viewer,
    *,
    edition_id: int | None = None,
    entry_ids: list[int] | None = None,
) -> dict[int, list[EvidenceRead]]:
    """The evidence the caller may see, by cell entry: of one edition, or of the entries given."""
    # Plain columns, not ORM objects: a matrix cites hundreds of documents and speed matters here.
    statement = (
        select(
            Evidence.cell_entry_id,
            Evidence.page,
            Evidence.article,
            Evidence.paragraph,
            Evidence.quotation,
            Document.id,
            Document.kind,
            Document.title,
            Document.symbol,
            Document.issued_on,
            Document.language,
            Document.url,
        )
        .join(Document, Document.id == Evidence.document_id)
        .join(CellEntry, CellEntry.id == Evidence.cell_entry_id)
        .where(
            visible(Evidence.visibility, viewer),
            visible(Document.visibility, viewer, Document.state_id),
        )
        .order_by(Evidence.id)
    )
    if edition_id is not None:
        statement = statement.where(CellEntry.edition_id == edition_id)
    if entry_ids is not None:
        statement = statement.where(CellEntry.id.in_(entry_ids))
    rows = session.execute(statement).all()
    documents: dict[int, DocumentRef] = {}
    found: dict[int, list[EvidenceRead]] = defaultdict(list)
    for entry_id, page, article, paragraph, quotation, document_id, *document in rows:
        reference = documents.get(document_id)
        if reference is None:
            kind, title, symbol, issued_on, language, url = document
            reference = documents[document_id] = DocumentRef.model_construct(
                id=document_id,
                kind=kind.value,
                title=title,
                symbol=symbol,
                issued_on=issued_on,
                language=language,
                url=url,
            )
        found[entry_id].append(
            EvidenceRead.model_construct(
                document=reference,
                page=page,
                article=article,
                paragraph=paragraph,
                quotation=quotation,
            )
        )
    return found


def get_matrix(
    session: Session, *, viewer: Viewer, iso3: str, number: int | None = None
) -> MatrixRead:
    """A State's matrix: its latest approved edition, or edition `number`, laid out by section."""
    state = state_by_iso3(session, iso3)
    edition = visible_edition(session, viewer=viewer, state=state, number=number)
    framework = session.get(Framework, edition.framework_id)
    assert framework is not None  # guaranteed by the foreign key
    layout = framework_layout(session, framework)
    treaties = treaty_fields(layout.slug)
    treaty_cells = {
        cell.id: treaties[code].code
        for code in treaties
        if code in layout.fields
        for cell in layout.fields[code].cells
    }
    entries = {
        cell_id: shapes.MatrixEntry(
            id=entry_id,
            mark=mark.value,
            remark=remark,
            treaty=shapes.treaty_of(treaty_cells.get(cell_id), status, signed, dated, asserted),
        )
        for entry_id, cell_id, mark, remark, status, signed, dated, asserted in session.execute(
            select(
                CellEntry.id,
                CellEntry.cell_id,
                CellEntry.mark,
                CellEntry.remark,
                CellEntry.treaty_status,
                CellEntry.signed_on,
                CellEntry.status_on,
                CellEntry.asserted_by,
            )
            .join(MatrixEdition, MatrixEdition.id == CellEntry.edition_id)
            .where(
                CellEntry.edition_id == edition.id,
                visible(CellEntry.visibility, viewer, MatrixEdition.state_id),
            )
        )
    }
    evidence = evidence_by_entry(session, viewer, edition_id=edition.id)
    sections, total = shapes.matrix_sections(layout, entries, evidence)
    return MatrixRead(
        **envelope(edition.origin is Origin.demo),
        state=StateRef(iso3=state.iso3, name=state.short_name),
        edition=shapes.edition_summary(edition, layout.slug, total),
        weapon_categories=layout.weapon_names,
        column_kinds=layout.column_names,
        sections=sections,
    )


def matrix_document(
    session: Session, *, viewer: Viewer, iso3: str, number: int | None = None
) -> tuple[dict[str, Any], bool]:
    """The same matrix as `get_matrix`, as plain JSON values in `MatrixRead`'s shape and key
    order (dicts, lists, strings, numbers, dates), and whether it is synthetic: for the matrix
    JSON, where building ~550 pydantic models per request took a third of an uncached answer.
    Read in three statements of plain column tuples on the session's connection (no ORM
    objects): the State with the edition and its framework's key, the cells, their evidence,
    each compiled once and run on the driver's own cursor (`_rows`): the values are the
    driver's (marks, kinds and statuses as their stored strings; a date as SQLite's ISO text
    or PostgreSQL's `date`, which orjson writes alike). tests/api/test_matrix_json.py pins
    its serialisation equal, byte for byte, to `MatrixRead`'s and its refusals equal to
    `get_matrix`'s.
    """
    # Only three ASCII letters can be a code (as state_by_iso3: no NUL, no megabyte of text).
    if not (len(iso3) == 3 and iso3.isascii() and iso3.isalpha()):
        state_by_iso3(session, iso3)  # raises its NotFound
    connection = session.connection()
    head, entry_rows, evidence_rows = _driver_statements(
        connection.dialect, viewer, latest=number is None
    )
    found = _rows(connection, head, {"iso3": iso3.upper(), "number": number})
    if not found:
        state_by_iso3(session, iso3)  # raises its NotFound
        raise AssertionError("the State exists but was not read")  # pragma: no cover
    (state_iso3, short_name, edition_id, edition_number, status, approved_on, origin, *key) = found[
        0
    ]
    if edition_id is None:
        what = f"edition {number}" if number is not None else "approved edition"
        raise NotFound(
            text(
                N_("%(short_name)s (%(iso3)s) has no %(what)s that you may see"),
                short_name=short_name,
                iso3=state_iso3,
                what=what,
            )
        )
    framework_id, source_sha256, loaded_at = key
    if head.loaded_at is not None:  # the driver's value, as SQLAlchemy gives it (layout's key)
        loaded_at = head.loaded_at(loaded_at)
    layout = layout_of(session, framework_id, source_sha256, loaded_at)
    treaty_cells = _treaty_cells(layout)
    entries: dict[int, tuple[int, str, str, dict[str, Any] | None]] = {}
    parameters = {"edition_id": edition_id}
    for entry_id, cell_id, mark, remark, status_of, signed, dated, asserted in _rows(
        connection, entry_rows, parameters
    ):
        treaty = None
        if status_of is not None:
            read = shapes.treaty_of(treaty_cells.get(cell_id), status_of, signed, dated, asserted)
            treaty = read.model_dump(mode="json") if read is not None else None
        entries[cell_id] = (entry_id, mark, remark, treaty)
    evidence: dict[int, list[dict[str, Any]]] = defaultdict(list)
    documents: dict[int, dict[str, Any]] = {}
    for entry_id, page, article, paragraph, quotation, document_id, *document in _rows(
        connection, evidence_rows, parameters
    ):
        reference = documents.get(document_id)
        if reference is None:
            kind, title, symbol, issued_on, language, url = document
            reference = documents[document_id] = {
                "id": document_id,
                "kind": kind,
                "title": title,
                "symbol": symbol,
                "issued_on": issued_on,
                "language": language,
                "url": url,
            }
        evidence[entry_id].append(
            {
                "document": reference,
                "page": page,
                "article": article,
                "paragraph": paragraph,
                "quotation": quotation,
            }
        )
    synthetic = origin == Origin.demo
    matrix = shapes.matrix_document(
        layout,
        header=envelope(synthetic),
        state={"iso3": state_iso3, "name": short_name},
        edition=shapes.EditionHead(edition_number, status, approved_on, origin),
        entries=entries,
        evidence=evidence,
    )
    return matrix, synthetic


# The three statements of `matrix_document` by what the viewer may see (Viewer.cache_key) and
# whether it asks for the latest approved edition or a numbered one, built once: building them
# took as long as running them. The State's code, the edition's number and id are bound.
_DOCUMENT_STATEMENTS: dict[
    tuple[tuple[str, int | None], bool], tuple[Executable, Executable, Executable]
] = {}


def _document_statements(
    viewer: Viewer, *, latest: bool
) -> tuple[Executable, Executable, Executable]:
    built = _DOCUMENT_STATEMENTS.get((viewer.cache_key, latest))
    if built is not None:
        return built
    # The State, with the edition `visible_edition` would find (its latest approved one, or the
    # numbered one, that the viewer may see) and its framework's key; the edition's columns are
    # NULL when there is none. The outer join yields that NULL row only when no edition
    # matches, so ordering by number picks the latest on both backends.
    which = (
        MatrixEdition.status == EditionStatus.approved
        if latest
        else MatrixEdition.number == bindparam("number", type_=Integer)
    )
    head = (
        select(
            State.iso3,
            State.short_name,
            MatrixEdition.id,
            MatrixEdition.number,
            MatrixEdition.status,
            MatrixEdition.approved_on,
            MatrixEdition.origin,
            Framework.id,
            Framework.source_sha256,
            Framework.loaded_at,
        )
        .select_from(State)
        .outerjoin(
            MatrixEdition,
            and_(MatrixEdition.state_id == State.id, edition_visible(viewer), which),
        )
        .outerjoin(Framework, Framework.id == MatrixEdition.framework_id)
        .where(State.iso3 == bindparam("iso3", type_=String))
        .order_by(MatrixEdition.number.desc())
        .limit(1)
    )
    edition_id = bindparam("edition_id", type_=Integer)
    entry_rows = (
        select(
            CellEntry.id,
            CellEntry.cell_id,
            type_coerce(CellEntry.mark, String),
            CellEntry.remark,
            CellEntry.treaty_status,
            CellEntry.signed_on,
            CellEntry.status_on,
            CellEntry.asserted_by,
        )
        .join(MatrixEdition, MatrixEdition.id == CellEntry.edition_id)
        .where(
            CellEntry.edition_id == edition_id,
            visible(CellEntry.visibility, viewer, MatrixEdition.state_id),
        )
    )
    evidence_rows = (
        select(
            Evidence.cell_entry_id,
            Evidence.page,
            Evidence.article,
            Evidence.paragraph,
            Evidence.quotation,
            Document.id,
            type_coerce(Document.kind, String),
            Document.title,
            Document.symbol,
            Document.issued_on,
            Document.language,
            Document.url,
        )
        .join(Document, Document.id == Evidence.document_id)
        .join(CellEntry, CellEntry.id == Evidence.cell_entry_id)
        .where(
            CellEntry.edition_id == edition_id,
            visible(Evidence.visibility, viewer),
            visible(Document.visibility, viewer, Document.state_id),
        )
        .order_by(Evidence.id)
    )
    built = _DOCUMENT_STATEMENTS[(viewer.cache_key, latest)] = (head, entry_rows, evidence_rows)
    return built


class _DriverStatement(NamedTuple):
    """A statement of `_document_statements` compiled for one dialect, for the driver's cursor."""

    sql: str
    order: tuple[str, ...] | None  # the parameters' order (a positional paramstyle), or None
    constants: dict[str, Any]  # the statement's own values (e.g. `public`), as the driver takes
    processors: dict[str, Callable[[Any], Any]]  # for the values bound at each run, if needed
    loaded_at: Callable[[Any], Any] | None = None  # the head's: the framework's load time


_BOUND = ("iso3", "number", "edition_id")  # the values `matrix_document` binds at each run

_DRIVER_STATEMENTS: dict[
    tuple[str, str, tuple[str, int | None], bool],
    tuple[_DriverStatement, _DriverStatement, _DriverStatement],
] = {}


def _driver_statements(
    dialect: Dialect, viewer: Viewer, *, latest: bool
) -> tuple[_DriverStatement, _DriverStatement, _DriverStatement]:
    """`_document_statements` compiled once per dialect (SQLAlchemy's own compilation: the
    same SQL text, casts and parameters it would send), with their constant values processed
    by their columns' types (an enum member -> its stored string) as SQLAlchemy would."""
    key = (dialect.name, dialect.driver, viewer.cache_key, latest)
    built = _DRIVER_STATEMENTS.get(key)
    if built is not None:
        return built
    compiled_ones = []
    for statement in _document_statements(viewer, latest=latest):
        assert isinstance(statement, ClauseElement)  # a Select
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        # Expanded once (an IN of constants becomes one parameter per value), with stand-ins
        # for the values bound at each run.
        expanded = compiled.construct_expanded_state(dict.fromkeys(_BOUND, 0))
        constants: dict[str, Any] = {}
        processors: dict[str, Callable[[Any], Any]] = {}
        for name, value in expanded.parameters.items():
            process = expanded.processors.get(name)
            if process is None and name in compiled.binds:
                process = compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            if name in _BOUND:
                if process is not None:
                    processors[name] = process
            else:
                constants[name] = value if process is None else process(value)
        order = tuple(expanded.positiontup) if expanded.positiontup is not None else None
        compiled_ones.append(_DriverStatement(expanded.statement, order, constants, processors))
    head, entry_rows, evidence_rows = compiled_ones
    # The framework's load time keys its cached layout (layout.py `layout_of`) as SQLAlchemy
    # reads it (an aware UTC datetime), whatever the driver gives.
    load_time = Framework.__table__.c.loaded_at.type.dialect_impl(dialect)
    head = head._replace(loaded_at=load_time.result_processor(dialect, None))
    built = _DRIVER_STATEMENTS[key] = (head, entry_rows, evidence_rows)
    return built


def _rows(
    connection: Connection, statement: _DriverStatement, values: dict[str, Any]
) -> Sequence[Any]:
    """The rows of a compiled statement, as the driver gives them, run on the connection's own
    DBAPI connection (in its transaction, if it has one): SQLAlchemy's execution and result
    objects cost as much as the reads themselves (uncached10). If anything listens to the
    connection's statements (the tests count them), or the driver raises, the statement is
    run by SQLAlchemy instead (`exec_driver_sql`: the same text and parameters), which calls
    the listeners, and raises and handles errors as for any statement (a lost connection is
    invalidated, the web layer answers 503 for a database that is unavailable)."""
    parameters = dict(statement.constants)
    for name, value in values.items():
        process = statement.processors.get(name)
        parameters[name] = value if process is None else process(value)
    arguments: dict[str, Any] | tuple[Any, ...] = (
        parameters
        if statement.order is None
        else tuple(parameters[name] for name in statement.order)
    )
    dispatch = connection.dispatch
    if not (dispatch.before_cursor_execute or dispatch.after_cursor_execute):
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(statement.sql, arguments)
            rows: Sequence[Any] = cursor.fetchall()
            return rows
        except connection.dialect.loaded_dbapi.Error:
            pass  # run again below, by SQLAlchemy, which raises it as for any statement
        finally:
            cursor.close()
    return connection.exec_driver_sql(statement.sql, arguments).all()


# By layout (layouts are cached and never change): the cells of its OP1 treaty fields.
_TREATY_CELLS: dict[int, tuple[FrameworkLayout, dict[int, str]]] = {}


def _treaty_cells(layout: FrameworkLayout) -> dict[int, str]:
    """The OP1 treaty cells of a framework -> the instrument each stands for."""
    known = _TREATY_CELLS.get(id(layout))
    if known is not None and known[0] is layout:  # held here, so its id is not reused
        return known[1]
    treaties = treaty_fields(layout.slug)
    cells = {
        cell.id: treaties[code].code
        for code in treaties
        if code in layout.fields
        for cell in layout.fields[code].cells
    }
    _TREATY_CELLS[id(layout)] = (layout, cells)
    return cells


def cell_state(
    session: Session, *, viewer: Viewer, iso3: str, number: int, cell_key: str
) -> CellState:
    """One cell of an edition with its version, as needed before editing it."""
    state, edition = find_edition(session, viewer=viewer, iso3=iso3, number=number)
    entry = entry_for(session, edition, cell_key)
    if not can_see(entry.visibility, viewer, state.id):
        raise NotFound(
            text(
                N_("no cell %(cell_key)s that you may see"),
                cell_key=repr(cell_key),
            )
        )
    evidence = evidence_by_entry(session, viewer, entry_ids=[entry.id])
    framework = session.get(Framework, edition.framework_id)
    assert framework is not None  # guaranteed by the foreign key
    layout = framework_layout(session, framework)
    field = layout.by_key[cell_key].field_code
    instrument = treaty_fields(layout.slug).get(field)
    treaty_cell = instrument is not None and cell_key == f"{field}:any:adherence"
    return shapes.cell_state(
        state,
        edition,
        layout,
        cell_key,
        entry,
        evidence.get(entry.id, []),
        instrument.code if instrument is not None and treaty_cell else None,
    )
