"""Framework versions as the API and portal show them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from un1540.models import Framework
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
from un1540.services.matrix.frameworks import framework_layout, list_frameworks, resolve_framework


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
