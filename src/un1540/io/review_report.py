"""The comprehensive review as a document: HTML (also the portal page's body), PDF and DOCX.

Every output is reproducible: the same figures give the same bytes (charts without dates or
random ids, a fixed document date taken from the period's end, zip entries with fixed times).
"""

from __future__ import annotations

import base64
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

from un1540 import __version__
from un1540.io.charts import BarSeries, bar_chart, bar_chart_svg, to_png
from un1540.io.export_pdf import css_string, printable_value
from un1540.io.language import DocumentLanguage
from un1540.reference.languages import N_, change, ltr
from un1540.schemas.review_statistics import ReviewStatistics, ReviewTable
from un1540.schemas.text import printable
from un1540.services.coverage.reads.review_statistics import review_statistics
from un1540.services.kernel.access import PUBLIC
from un1540.services.kernel.cache import cached
from un1540.services.kernel.data_version import DOCUMENTS
from un1540.services.kernel.instance import SYNTHETIC_NOTICE
from un1540.services.matrix.counting import ALL_STATES


class ReviewFormat(StrEnum):
    html = "html"
    docx = "docx"
    pdf = "pdf"


MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
REPORT_CSS = (TEMPLATES_DIR / "review_report.css").read_text(encoding="utf-8")

Translate = Callable[[str], str]


def _filters(locale: str) -> dict[str, Callable[..., str]]:
    def number(value: float | None, digits: int = 0) -> str:
        if value is None:
            return "–"
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=locale)

    def percent(value: float | None, digits: int = 0) -> str:
        if value is None:
            return "–"
        pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
        return format_percent(value, format=pattern, locale=locale)

    def points(value: float | None) -> str:
        if value is None:
            return "–"
        sign = "+" if value > 0 else ""
        return ltr(sign + number(value * 100, 1))  # "+3.5", not "3.5+", in Arabic

    def long_date(value: Any) -> str:
        return format_date(value, format="long", locale=locale) if value else "–"

    return {
        "number": number,
        "percent": percent,
        "points": points,
        "long_date": long_date,
        "change": change,
    }


def _environment(locale: str, translations: Any | None) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        finalize=printable_value,
    )
    if translations is None:
        environment.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    else:
        environment.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    environment.filters.update(_filters(locale))
    return environment


Label = Callable[[str, str, str], str]


def _english(dimension: str, key: str, fallback: str) -> str:
    return fallback


def _identity(message: str) -> str:
    return message


@dataclass(frozen=True)
class _Reader:
    """What the charts need to speak the reader's language."""

    locale: str = "en"
    translate: Translate = _identity
    label: Label = _english

    @property
    def direction(self) -> str:
        return "rtl" if Locale.parse(self.locale).character_order == "right-to-left" else "ltr"

    def percent(self, value: float) -> str:
        return ltr(_filters(self.locale)["percent"](value, 1))

    def whole_percent(self, value: float) -> str:
        return ltr(_filters(self.locale)["percent"](value))

    def count(self, value: float) -> str:
        return ltr(_filters(self.locale)["number"](value))


def _table_chart(
    table: ReviewTable, start: date, end: date, reader: _Reader, draw: Callable[..., Any]
) -> Any:
    long_date = _filters(reader.locale)["long_date"]
    return draw(
        "",
        [reader.label(table.by, row.key, row.label) for row in table.rows],
        [
            BarSeries(long_date(start), [row.coverage_start for row in table.rows]),
            BarSeries(long_date(end), [row.coverage_end for row in table.rows]),
        ],
        direction=reader.direction,
        value_text=reader.percent,
        tick_text=reader.whole_percent,
    )


def _distribution_chart(stats: ReviewStatistics, reader: _Reader, draw: Callable[..., Any]) -> Any:
    long_date = _filters(reader.locale)["long_date"]
    bands = list(
        dict.fromkeys([*stats.start.distribution.histogram, *stats.end.distribution.histogram])
    )
    states_on = reader.translate(N_("States on %(date)s"))
    return draw(
        "",
        bands,
        [
            BarSeries(
                states_on % {"date": long_date(stats.from_date)},
                [float(stats.start.distribution.histogram.get(band, 0)) for band in bands],
            ),
            BarSeries(
                states_on % {"date": long_date(stats.to_date)},
                [float(stats.end.distribution.histogram.get(band, 0)) for band in bands],
            ),
        ],
        percent=False,
        direction=reader.direction,
        value_text=reader.count,
    )


def _charts(
    stats: ReviewStatistics, reader: _Reader | None = None, draw: Callable[..., Any] = bar_chart
) -> dict[str, Any]:
    reader = reader or _Reader()
    charts = {
        table.by: _table_chart(table, stats.from_date, stats.to_date, reader, draw)
        for table in stats.tables
    }
    charts["distribution"] = _distribution_chart(stats, reader, draw)
    return charts


def review_body(
    stats: ReviewStatistics,
    *,
    locale: str = "en",
    translations: Any | None = None,
    label: Label = _english,
    chart_images: bool = False,
) -> str:
    """The report as an HTML fragment with inline SVG charts (the portal page shows it, in the
    reader's language: `translations` for the text, `label` for names of groups, fields...).

    With `chart_images`, each chart is an <img> of a data: URL instead, as the portal's page
    has shown them since its charts were drawn by matplotlib (whose style attributes the
    Content-Security-Policy forbids inline, not inside an image)."""
    reader = _Reader(
        locale=locale,
        translate=translations.gettext if translations is not None else _identity,
        label=label,
    )
    # SVG written by io/charts.py itself (no matplotlib in the server: milliseconds a chart).
    charts: dict[str, str] = _charts(stats, reader, draw=bar_chart_svg)
    if chart_images:
        charts = {
            key: "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
            for key, svg in charts.items()
        }
    return (
        _environment(locale, translations)
        .get_template("review_body.html")
        .render(
            stats=stats,
            charts=charts,
            chart_images=chart_images,
            notice=SYNTHETIC_NOTICE,
            software_version=__version__,
            label=label,
        )
    )


def review_page_body(
    session: Session,
    *,
    start: date,
    end: date,
    language: str,
    locale: str,
    translations: Any,
    label: Label,
) -> tuple[str, bool]:
    """The portal page's body (charts as images) for the public data, and whether it is
    synthetic: computed once per language and version of what it counts, however many readers
    ask at once (the cache's single flight), like the review's files."""

    def build() -> tuple[str, bool]:
        statistics = review_statistics(session, viewer=PUBLIC, start=start, end=end)
        body = review_body(
            statistics, locale=locale, translations=translations, label=label, chart_images=True
        )
        return body, statistics.synthetic

    return cached(
        session,
        ("review_page", start, end, language),
        depends_on=(*ALL_STATES, DOCUMENTS),  # as review_file
        compute=build,
    )


def review_html(stats: ReviewStatistics, language: str = "en") -> str:
    """A standalone HTML document (also the source of the PDF), in one of the six languages."""
    reader = DocumentLanguage(language)
    translate = reader.gettext
    footer = translate(
        N_("Synthetic demo data") if stats.synthetic else N_("un1540 comprehensive review")
    )
    title = translate(N_("Comprehensive review %(start)s to %(end)s")) % {
        "start": stats.from_date,
        "end": stats.to_date,
    }
    return (
        _environment(reader.locale, reader if language != "en" else None)
        .get_template("review_report.html")
        .render(
            lang=language,
            direction=reader.direction,
            title=title,
            footer=footer,
            page_notice=css_string(SYNTHETIC_NOTICE) if stats.synthetic else "",
            css=REPORT_CSS,
            body=review_body(
                stats,
                locale=reader.locale,
                translations=reader if language != "en" else None,
                label=reader.label,
            ),
        )
    )


def review_pdf(stats: ReviewStatistics, language: str = "en") -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string=review_html(stats, language)).write_pdf(
        identifier=f"un1540-review-{stats.from_date}-{stats.to_date}".encode(),
    )
    return pdf


def _docx_table(document: Any, headers: list[str], rows: list[list[str]]) -> None:
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Light Grid Accent 1"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = printable(text)
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = printable(text)


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite a DOCX (a zip) with fixed entry times, so equal content gives equal bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            entry = zipfile.ZipInfo(item.filename, date_time=(2004, 4, 28, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(item.filename))
    return output.getvalue()


def review_docx(stats: ReviewStatistics, language: str = "en") -> bytes:
    """The same report as a Word document, charts as PNG, in one of the six languages (the
    HTML report's own messages; Arabic paragraphs and tables right to left)."""
    # python-docx where a document is written: a server that writes none does not hold it.
    from docx import Document as WordDocument
    from docx.shared import Cm, Pt

    from un1540.io.export_docx import mark_every_page, right_to_left

    reader = DocumentLanguage(language)
    _ = reader.gettext
    f = _filters(reader.locale)
    label = reader.label if language != "en" else _english
    titles = {
        "group": _("By regional group"),
        "region": _("By region"),
        "section": _("By section of the matrix"),
        "weapon": _("By weapon category"),
        "column": _("Legislation and enforcement"),
    }
    document = WordDocument()
    stamp = datetime(stats.to_date.year, stats.to_date.month, stats.to_date.day, tzinfo=UTC)
    properties = document.core_properties
    properties.title = f"Comprehensive review {stats.from_date} to {stats.to_date}"
    properties.author = f"un1540 {__version__}"
    properties.created = properties.modified = stamp
    properties.last_modified_by = "un1540"
    properties.revision = 1
    properties.language = language
    style = document.styles["Normal"]
    style.font.name = "DejaVu Sans"
    style.font.size = Pt(9.5)
    if stats.synthetic:
        document.add_paragraph().add_run(SYNTHETIC_NOTICE).bold = True
    document.add_heading(
        _("Comprehensive review of the implementation of resolution 1540 (2004)"), 0
    )
    document.add_paragraph(
        _("Period: %(start)s to %(end)s")
        % {"start": f["long_date"](stats.from_date), "end": f["long_date"](stats.to_date)}
    )
    document.add_paragraph(
        _(
            "The figures describe the information recorded in the 1540 matrices, which are a "
            "reference tool for dialogue and assistance. They are not a measure of compliance."
        )
    )
    document.add_heading(_("1. Summary"), 1)
    start, end = stats.start, stats.end
    _docx_table(
        document,
        ["", f["long_date"](start.on), f["long_date"](end.on)],
        [
            [_("States with an approved matrix"), str(start.states), str(end.states)],
            [
                _("Cells marked X (measure recorded), in all"),
                f["number"](start.measures),
                f["number"](end.measures),
            ],
            [
                _("Cells marked X per State, on average"),
                f["number"](start.average_measures_per_state, 1),
                f["number"](end.average_measures_per_state, 1),
            ],
            [
                _("States with 30 or fewer cells marked X"),
                str(start.distribution.at_most_threshold),
                str(end.distribution.at_most_threshold),
            ],
            [
                _("Share of applicable cells marked X"),
                f["percent"](start.coverage, 1),
                f["percent"](end.coverage, 1),
            ],
            [
                _("Cells marked ? (uncertain)"),
                f["number"](start.uncertain),
                f["number"](end.uncertain),
            ],
        ],
    )
    document.add_paragraph(
        _("During the period, %(editions)s matrix editions were approved for %(states)s States.")
        % {"editions": stats.editions_approved, "states": stats.states_with_new_editions}
    )
    charts = _charts(stats, _Reader(locale=reader.locale, translate=reader.gettext, label=label))
    for number, table in enumerate(stats.tables, start=2):
        document.add_heading(f"{number}. {titles.get(table.by, table.title)}", 1)
        document.add_picture(io.BytesIO(to_png(charts[table.by])), width=Cm(16))
        _docx_table(
            document,
            [
                "",
                _("States"),
                _("Coverage at start"),
                _("Coverage at end"),
                _("Change (points)"),
                _("X per State at end"),
            ],
            [
                [
                    label(table.by, row.key, row.label),
                    change(row.states_start, row.states_end),
                    f["percent"](row.coverage_start, 1),
                    f["percent"](row.coverage_end, 1),
                    f["points"](row.coverage_change),
                    f["number"](row.measures_per_state_end, 1),
                ]
                for row in table.rows
            ],
        )
    next_number = len(stats.tables) + 2
    document.add_heading(f"{next_number}. {_('How many cells each State has marked X')}", 1)
    document.add_picture(io.BytesIO(to_png(charts["distribution"])), width=Cm(16))
    document.add_heading(
        f"{next_number + 1}. {_('Fields with the most and the fewest measures')}", 1
    )
    for title, rows in (
        (_("Most measures recorded"), stats.most_covered_fields),
        (_("Fewest measures recorded"), stats.least_covered_fields),
    ):
        document.add_heading(title, 2)
        _docx_table(
            document,
            [_("Field"), _("Coverage at start"), _("Coverage at end"), _("Change (points)")],
            [
                [
                    f"{row.key} {label('field', row.key, row.label)}",
                    f["percent"](row.coverage_start, 1),
                    f["percent"](row.coverage_end, 1),
                    f["points"](row.coverage_change),
                ]
                for row in rows
            ],
        )
    document.add_heading(f"{next_number + 2}. {_('Uncertainty and the age of the information')}", 1)
    ages = stats.ages
    document.add_paragraph(
        _("Median time since the counted editions were approved: %(years)s years.")
        % {"years": f["number"](ages.median_edition_age, 1)}
        + " "
        + _(
            "Median age of the documents cited as evidence: %(years)s years; %(share)s of "
            "citations are more than ten years old."
        )
        % {
            "years": f["number"](ages.median_evidence_age, 1),
            "share": f["percent"](ages.evidence_older_than_10_years),
        }
        + " "
        + _(
            "Cells marked ? (the reference may be irrelevant or incomplete) are counted apart, "
            "never as measures."
        )
    )
    reporting = stats.reporting
    document.add_heading(f"{next_number + 3}. {_('National reports')}", 1)
    document.add_paragraph(
        _(
            "Reports on the resolution (first national reports, addenda and additional "
            "information) that the Committee has made public; restricted reports are not "
            "counted."
        )
    )
    _docx_table(
        document,
        ["", f["long_date"](stats.from_date), f["long_date"](stats.to_date)],
        [
            [
                _("States that have reported"),
                str(reporting.reported_start),
                str(reporting.reported_end),
            ],
            [
                _("States that have never reported"),
                str(reporting.states - reporting.reported_start),
                str(reporting.never_reported_end),
            ],
            *[
                [
                    f"{_('States that have reported')}: {label('group', row.key, row.label)} "
                    f"({row.states})",
                    str(row.reported_start),
                    str(row.reported_end),
                ]
                for row in reporting.by_group
            ],
        ],
    )
    document.add_paragraph(
        _(
            "During the period, %(reports)s reports were received, and %(states)s States "
            "reported for the first time."
        )
        % {"reports": reporting.reports_in_period, "states": reporting.first_reports_in_period}
    )
    if reporting.never_reported:
        names = ", ".join(
            label("state", state.iso3, state.name) for state in reporting.never_reported
        )
        document.add_paragraph(f"{_('States without a report at the end of the period:')} {names}.")
    document.add_heading(_("Annex: method and data sources"), 1)
    document.add_paragraph(f"{_('Which editions count.')} {_(stats.basis)}.")
    document.add_paragraph(f"{_('Method.')} {_(stats.method)}")
    document.add_paragraph(
        f"{_('Matrix framework.')} "
        + _(
            "%(framework)s: %(fields)s fields, of which %(verified)s have wording verified "
            "against a public approved matrix; the others are reconstructed from the "
            "resolution and published matrices."
        )
        % {
            "framework": stats.framework,
            "fields": stats.framework_fields,
            "verified": stats.framework_fields_verified,
        }
    )
    data = (
        SYNTHETIC_NOTICE
        if stats.synthetic
        else _("The approved, public matrix editions held by this system.")
    )
    document.add_paragraph(
        f"{_('Data.')} {data} " + _("Data version: %(version)s.") % {"version": stats.data_version}
    )
    document.add_paragraph(
        f"{_('Reproducibility.')} "
        + _(
            "Produced by un1540 %(version)s with `un1540 report review --from %(start)s --to "
            "%(end)s`; the same data and command give the same report."
        )
        % {
            "version": __version__,
            "start": stats.from_date.isoformat(),
            "end": stats.to_date.isoformat(),
        }
    )
    if stats.synthetic:
        mark_every_page(document, SYNTHETIC_NOTICE)
    if reader.direction == "rtl":
        right_to_left(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_zip(buffer.getvalue())


def render_review(stats: ReviewStatistics, fmt: str, language: str = "en") -> bytes:
    """The review as a file in `language` (HTML, PDF and Word)."""
    if fmt == "html":
        return review_html(stats, language).encode("utf-8")
    if fmt == "docx":
        return review_docx(stats, language)
    if fmt == "pdf":
        return review_pdf(stats, language)
    raise ValueError(f"unknown format {fmt!r}")


def review_file(
    session: Session, *, start: date, end: date, fmt: str, language: str = "en"
) -> tuple[bytes, bool]:
    """The review of the public data as a file, and whether it is synthetic; built once per
    version of what it counts (a write to any State's matrix or to a framework rebuilds it)."""

    def build() -> tuple[bytes, bool]:
        statistics = review_statistics(session, viewer=PUBLIC, start=start, end=end)
        return render_review(statistics, fmt, language), statistics.synthetic

    return cached(
        session,
        ("review_file", start, end, fmt, language),
        depends_on=(*ALL_STATES, DOCUMENTS),  # the reporting figures count the reports
        compute=build,
    )
