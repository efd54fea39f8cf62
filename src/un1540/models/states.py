"""States, UN regional groups, M49 areas and the names by which States are searched."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from un1540.models.base import Base, Visibility, enum_column


class RegionalGroup(Base):
    """A UN regional group (African, Asia-Pacific, EEG, GRULAC, WEOG)."""

    __tablename__ = "regional_group"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    short: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text, default="")


class M49Area(Base):
    """A UN M49 geographic region, sub-region or intermediate region."""

    __tablename__ = "m49_area"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    m49: Mapped[str] = mapped_column(String(3), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(20))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("m49_area.code"))


class State(Base):
    """A UN Member State; `iso3` is its stable identifier everywhere."""

    __tablename__ = "state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    iso3: Mapped[str] = mapped_column(String(3), unique=True)
    iso2: Mapped[str] = mapped_column(String(2), unique=True)
    m49: Mapped[str] = mapped_column(String(3), unique=True)
    short_name: Mapped[str] = mapped_column(String(200))
    iso_name: Mapped[str] = mapped_column(String(200))
    # The group that counts the State for electoral purposes (WEOG for the United States).
    electoral_group_code: Mapped[str | None] = mapped_column(ForeignKey("regional_group.code"))
    m49_region_code: Mapped[str] = mapped_column(ForeignKey("m49_area.code"))
    m49_subregion_code: Mapped[str] = mapped_column(ForeignKey("m49_area.code"))
    m49_intermediate_code: Mapped[str | None] = mapped_column(ForeignKey("m49_area.code"))
    note: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[Visibility] = mapped_column(
        enum_column(Visibility), default=Visibility.public
    )

    names: Mapped[list[StateName]] = relationship(
        back_populates="state", cascade="all, delete-orphan"
    )
    memberships: Mapped[list[GroupMembership]] = relationship(
        back_populates="state", cascade="all, delete-orphan"
    )


class GroupMembership(Base):
    """A State's place in a regional group: member, participant or observer."""

    __tablename__ = "group_membership"

    state_id: Mapped[int] = mapped_column(
        ForeignKey("state.id", ondelete="CASCADE"), primary_key=True
    )
    group_code: Mapped[str] = mapped_column(ForeignKey("regional_group.code"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20))
    electoral: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text, default="")

    state: Mapped[State] = relationship(back_populates="memberships")


class StateName(Base):
    """A name of a State in one language (CLDR), or an English alias, with its search key."""

    __tablename__ = "state_name"
    __table_args__ = (UniqueConstraint("state_id", "language", "kind", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state_id: Mapped[int] = mapped_column(ForeignKey("state.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(10))  # cldr | short | iso | alias
    name: Mapped[str] = mapped_column(String(200))
    search_key: Mapped[str] = mapped_column(String(200), index=True)

    state: Mapped[State] = relationship(back_populates="names")
