"""Reading framework versions: find one, the default, the list and one in full."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from un1540.errors import InvalidParameter, NotFound, Problem, text
from un1540.models import FieldDefinition, Framework, Section
from un1540.reference.languages import N_
from un1540.schemas.frameworks import (
    FieldRead,
    FrameworkList,
    FrameworkRead,
    FrameworkSummary,
    NamedCode,
    SectionRead,
)
from un1540.services.kernel.envelope import reference_only
from un1540.services.kernel.paging import PageRequest
from un1540.services.matrix.layout import framework_layout


def find_framework(session: Session, *, code: str, version: str) -> Framework | None:
    return session.scalars(
        select(Framework)
        .where(Framework.code == code, Framework.version == version)
        .options(
            selectinload(Framework.sections)
            .selectinload(Section.fields)
            .selectinload(FieldDefinition.cells)
        )
    ).one_or_none()


def list_frameworks(session: Session) -> list[Framework]:
    return list(session.scalars(select(Framework).order_by(Framework.code, Framework.loaded_at)))


def default_framework(session: Session) -> Framework:
    framework = session.scalars(select(Framework).where(Framework.is_default)).first()
    if framework is None:
        raise NotFound(N_("no framework is loaded; run `un1540 init` first"))
    return framework


def resolve_framework(session: Session, slug: str | None) -> Framework:
    """A framework by 'code/version', or the default one when slug is None."""
    if slug is None:
        return default_framework(session)
    code, _, version = slug.partition("/")
    if not version:
        raise InvalidParameter.naming(
            [
                Problem(
                    "framework",
                    text(
                        N_("%(slug)s has no '/version' part"),
                        slug=repr(slug),
                    ),
                )
            ]
        )
    framework = find_framework(session, code=code, version=version)
    if framework is None:
        raise NotFound(
            text(
                N_("no framework %(slug)s"),
                slug=repr(slug),
            )
        )
    return framework


def _summary(session: Session, framework: Framework) -> FrameworkSummary:
    layout = framework_layout(session, framework)
    return FrameworkSummary(
        code=framework.code,
        version=framework.version,
        slug=framework.slug,
        title=framework.title,
        default=framework.is_default,
        loaded_at=framework.loaded_at,
        sections=len(layout.sections),
        fields=len(layout.fields),
        cells=len(layout.cells),
    )


def framework_list(session: Session, *, paging: PageRequest | None = None) -> FrameworkList:
    frameworks = list_frameworks(session)
    paging = paging or PageRequest()
    return FrameworkList(
        **reference_only(),
        items=[_summary(session, framework) for framework in paging.cut(frameworks)],
        total=len(frameworks),
        page=paging.page,
        page_size=paging.page_size,
    )


def framework_detail(session: Session, *, code: str, version: str) -> FrameworkRead:
    framework = resolve_framework(session, f"{code}/{version}")
    layout = framework_layout(session, framework)
    return FrameworkRead(
        **reference_only(),
        framework=_summary(session, framework),
        weapon_categories=[NamedCode(code=c, name=n) for c, n in layout.weapon_names.items()],
        column_kinds=[NamedCode(code=c, name=n) for c, n in layout.column_names.items()],
        sections=[
            SectionRead(
                code=section.code,
                title=section.title,
                scope=section.scope,
                layout=list(section.layout),
                fields=[
                    FieldRead(
                        code=field.code,
                        number=field.number,
                        name=field.name,
                        section=section.code,
                        applies_to=list(field.applies_to),
                        verified=field.verified,
                        cells=[cell.key for cell in field.cells],
                    )
                    for field in section.fields
                ],
            )
            for section in layout.sections
        ],
    )
