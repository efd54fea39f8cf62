"""Matrix frameworks as stored data: versions, sections, fields and the cells they define."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from un1540.models.base import Base, UTCDateTime, Visibility, enum_column, utc_now


class Framework(Base):
    """One version of the matrix framework; several live side by side."""

    __tablename__ = "framework"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(60))
    version: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(300))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    source_name: Mapped[str] = mapped_column(String(300))
    source_sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    visibility: Mapped[Visibility] = mapped_column(
        enum_column(Visibility), default=Visibility.public
    )

    weapon_categories: Mapped[list[WeaponCategory]] = relationship(
        order_by="WeaponCategory.position", cascade="all, delete-orphan"
    )
    column_kinds: Mapped[list[ColumnKind]] = relationship(
        order_by="ColumnKind.position", cascade="all, delete-orphan"
    )
    sections: Mapped[list[Section]] = relationship(
        back_populates="framework", order_by="Section.position", cascade="all, delete-orphan"
    )

    @property
    def slug(self) -> str:
        return f"{self.code}/{self.version}"


class _Vocabulary:
    """A coded, named, ordered term of one framework version."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    names: Mapped[dict[str, str]] = mapped_column(default=dict)
    position: Mapped[int] = mapped_column(Integer)


class WeaponCategory(_Vocabulary, Base):
    """A weapon category of a framework (nw, cw, bw)."""

    __tablename__ = "weapon_category"
    __table_args__ = (UniqueConstraint("framework_id", "code"),)


class ColumnKind(_Vocabulary, Base):
    """A column kind of a framework (legal_framework, enforcement)."""

    __tablename__ = "column_kind"
    __table_args__ = (UniqueConstraint("framework_id", "code"),)


class Section(Base):
    """A table of the matrix (OP1, OP2, OP3(a)(b), OP3(c)(d))."""

    __tablename__ = "section"
    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    titles: Mapped[dict[str, str]] = mapped_column(default=dict)
    scope: Mapped[str] = mapped_column(Text, default="")
    # "adherence" (one yes/no cell per field) or the column kinds of each weapon cell.
    layout: Mapped[list[str]]

    framework: Mapped[Framework] = relationship(back_populates="sections")
    fields: Mapped[list[FieldDefinition]] = relationship(
        back_populates="section", order_by="FieldDefinition.number", cascade="all, delete-orphan"
    )


class FieldDefinition(Base):
    """A data field (row) of the matrix, e.g. op2.manufacture."""

    __tablename__ = "field"
    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id", ondelete="CASCADE"))
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(100))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    names: Mapped[dict[str, str]] = mapped_column(default=dict)
    applies_to: Mapped[list[str]]
    verified: Mapped[bool] = mapped_column(Boolean, default=False)

    framework: Mapped[Framework] = relationship()
    section: Mapped[Section] = relationship(back_populates="fields")
    cells: Mapped[list[CellDefinition]] = relationship(
        back_populates="field", order_by="CellDefinition.position", cascade="all, delete-orphan"
    )


class CellDefinition(Base):
    """One cell a framework defines: field x weapon category x column kind."""

    __tablename__ = "cell"
    __table_args__ = (UniqueConstraint("framework_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id", ondelete="CASCADE"))
    field_id: Mapped[int] = mapped_column(ForeignKey("field.id", ondelete="CASCADE"), index=True)
    weapon: Mapped[str] = mapped_column(String(40))
    column: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)

    framework: Mapped[Framework] = relationship()
    field: Mapped[FieldDefinition] = relationship(back_populates="cells")
