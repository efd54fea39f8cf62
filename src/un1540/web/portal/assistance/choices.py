"""The choices of the clearinghouse's pickers (templates/_pickers.html), named in the page's
language and submitted as codes: matrix fields (and sections) from the current framework,
weapon categories, kinds of help, regions (the UN regional groups and the M49 regions),
languages (CLDR names) and currencies (ISO 4217, CLDR names)."""

from __future__ import annotations

from babel import Locale
from babel.numbers import list_currencies
from sqlalchemy.orm import Session

from un1540.reference.assistance import load_assistance_vocabulary
from un1540.reference.languages import UN_LANGUAGES
from un1540.reference.states import load_m49_areas, load_regional_groups
from un1540.services.matrix.layout import FrameworkLayout, framework_layout
from un1540.services.matrix.reads.frameworks import default_framework
from un1540.web.i18n import gettext, language
from un1540.web.portal.labels import code_label, field_label, label
from un1540.web.portal.terms import term

# (code, label, search text): the search text holds the label and the code, so that either
# may be typed into the picker's search box.
Choice = tuple[str, str, str]
Group = tuple[str, list[Choice]]

OFFER_VISIBILITIES = ("public", "states_and_providers", "committee")


def _choice(code: str, text: str) -> Choice:
    return (code, text, f"{text} {code}")


def layout_of(session: Session) -> FrameworkLayout:
    return framework_layout(session, default_framework(session))


def field_groups(layout: FrameworkLayout) -> list[Group]:
    """The current framework's fields, grouped by section, each named by its title."""
    return [
        (
            label("section", section.code, section.title),
            [_choice(f.code, field_label(f.code)) for f in section.fields],
        )
        for section in layout.sections
    ]


def area_groups(layout: FrameworkLayout) -> list[Group]:
    """Sections and fields: each section may be chosen whole, or any of its fields."""
    groups = []
    for section in layout.sections:
        title = label("section", section.code, section.title)
        whole = gettext("The whole section: %(section)s") % {"section": title}
        groups.append(
            (
                title,
                [_choice(section.code, whole)]
                + [_choice(f.code, field_label(f.code)) for f in section.fields],
            )
        )
    return groups


def weapon_choices(layout: FrameworkLayout) -> list[Group]:
    return [
        (
            "",
            [
                _choice(code, label("weapon", code, name))
                for code, name in layout.weapon_names.items()
            ],
        )
    ]


def help_type_choices() -> list[Group]:
    return [("", [_choice(code, term(code)) for code in load_assistance_vocabulary().help_types])]


def region_groups() -> list[Group]:
    """The regional groups and the M49 regions an offer may reach."""
    groups, _ = load_regional_groups()
    return [
        (
            gettext("Regional groups"),
            [_choice(code, label("group", code, group.name)) for code, group in groups.items()],
        ),
        (
            gettext("Regions"),
            [
                _choice(code, label("region", code, area.name))
                for code, area in load_m49_areas().items()
                if area.level == "region"
            ],
        ),
    ]


def language_choices() -> list[Group]:
    names = Locale.parse(language()).languages
    return [("", [_choice(code, names.get(code, code)) for code in UN_LANGUAGES])]


def currency_choices() -> list[tuple[str, str]]:
    """ISO 4217 currencies, named in the page's language, by code."""
    names = Locale.parse(language()).currencies
    return [(code, f"{code} · {names.get(code, code)}") for code in sorted(list_currencies())]


def visibility_choices() -> list[tuple[str, str]]:
    return [(code, code_label("visibility", code)) for code in OFFER_VISIBILITIES]
