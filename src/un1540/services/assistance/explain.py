"""Why an offer is suggested for a request item, in words.

`reasons` gives the structured facts of one pair (the API returns them as they are): which of
the requested fields, weapon categories, kinds of help and languages the offer covers and which
it does not, where it works, and its capacity left. `sentence` words them in one of the six
languages, e.g. "covers 2 of 3 requested fields, chemical only; offers training; works in
French; capacity 3 of 5 left": the API gives the English sentence, the portal the reader's
language (its messages are in the six catalogues; names of languages from CLDR, of regions and
groups from the reference data).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

from babel import Locale

from un1540.analytics.matching import ItemNeed, OfferReach
from un1540.reference.assistance import load_assistance_vocabulary
from un1540.reference.languages import N_
from un1540.reference.states import load_m49_areas, load_regional_groups
from un1540.schemas.assistance import MatchReason

FIELDS_ONE = N_("covers the requested field")
FIELDS_ALL = N_("covers all %(asked)s requested fields")
FIELDS_SOME = N_("covers %(covered)s of %(asked)s requested fields")
FIELDS_NONE = N_("covers none of the requested fields")
WEAPONS_ONLY = N_("%(weapons)s only")
WEAPONS_NONE = N_("none of the requested weapon categories")
HELP = N_("offers %(kinds)s")
HELP_NOT = N_("offers %(kinds)s, not %(missing)s")
HELP_NONE = N_("offers none of the kinds of help asked for")
LANGUAGES = N_("works in %(languages)s")
LANGUAGES_ANY = N_("works in any language")
LANGUAGES_NONE = N_("does not work in %(languages)s")
REGION = N_("works in %(regions)s")
REGION_NONE = N_("works outside the requester's region")
CAPACITY = N_("capacity %(left)s of %(total)s left")
WEAPONS = {"nw": N_("nuclear"), "cw": N_("chemical"), "bw": N_("biological")}

# How each language separates the items of a list and the clauses of the sentence.
SEPARATORS = {"ar": ("، ", "؛ "), "zh": ("、", "；")}
Translate = Callable[[str], str]


def reasons(need: ItemNeed, reach: OfferReach, capacity: int) -> list[MatchReason]:
    """The facts of one pair, in the order the sentence tells them."""
    result = []
    if need.fields:
        covered = need.fields if not reach.fields else need.fields & reach.fields
        result.append(_reason("fields", need.fields, covered, any_=not reach.fields))
    if need.weapons:
        covered = need.weapons if not reach.weapons else need.weapons & reach.weapons
        result.append(_reason("weapons", need.weapons, covered, any_=not reach.weapons))
    if need.help_types:
        result.append(_reason("help_types", need.help_types, need.help_types & reach.help_types))
    if need.languages:
        covered = need.languages & reach.languages
        result.append(_reason("languages", need.languages, covered, any_=not reach.languages))
    if reach.regions:
        covered = need.areas & reach.regions
        result.append(
            _made("region", covered=sorted(covered), any_=not need.areas)
            if covered or not need.areas
            else _made("region", missing=sorted(reach.regions))
        )
    result.append(_made("capacity", left=reach.capacity_left, total=capacity))
    return result


def _reason(
    code: str, asked: frozenset[str], covered: frozenset[str], *, any_: bool = False
) -> MatchReason:
    return _made(code, covered=sorted(covered), missing=sorted(asked - covered), any_=any_)


def _made(
    code: str,
    *,
    covered: list[str] | None = None,
    missing: list[str] | None = None,
    any_: bool = False,
    left: int | None = None,
    total: int | None = None,
) -> MatchReason:
    """A reason from the facts computed here."""
    return MatchReason(
        code=code,
        covered=covered or [],
        missing=missing or [],
        any=any_,
        left=left,
        total=total,
    )


def english(message: str) -> str:
    return message


def sentence(items: Sequence[MatchReason], translate: Translate = english, lang: str = "en") -> str:
    """The reasons in words, in language `lang` (`translate` is that language's gettext)."""
    comma, semicolon = SEPARATORS.get(lang, (", ", "; "))
    by_code = {reason.code: reason for reason in items}
    clauses = []
    what = [
        part
        for part in (
            _fields(by_code.get("fields"), translate),
            _weapons(by_code.get("weapons"), translate, comma),
        )
        if part
    ]
    if what:
        clauses.append(comma.join(what))
    help_types = by_code.get("help_types")
    if help_types is not None:
        kinds = [_help_name(code, translate, lang) for code in help_types.covered]
        missing = [_help_name(code, translate, lang) for code in help_types.missing]
        if not kinds:
            clauses.append(translate(HELP_NONE))
        elif missing:
            clauses.append(
                translate(HELP_NOT) % {"kinds": comma.join(kinds), "missing": comma.join(missing)}
            )
        else:
            clauses.append(translate(HELP) % {"kinds": comma.join(kinds)})
    languages = by_code.get("languages")
    if languages is not None:
        if languages.covered:
            names = comma.join(_language_name(code, lang) for code in languages.covered)
            clauses.append(translate(LANGUAGES) % {"languages": names})
        elif languages.any:
            clauses.append(translate(LANGUAGES_ANY))
        else:
            names = comma.join(_language_name(code, lang) for code in languages.missing)
            clauses.append(translate(LANGUAGES_NONE) % {"languages": names})
    region = by_code.get("region")
    if region is not None and region.covered:
        names = comma.join(_region_name(code, lang) for code in region.covered)
        clauses.append(translate(REGION) % {"regions": names})
    elif region is not None and region.missing:
        clauses.append(translate(REGION_NONE))
    capacity = by_code.get("capacity")
    if capacity is not None:
        clauses.append(translate(CAPACITY) % {"left": capacity.left, "total": capacity.total})
    return semicolon.join(clauses)


def _fields(reason: MatchReason | None, translate: Translate) -> str:
    if reason is None:
        return ""
    covered, asked = len(reason.covered), len(reason.covered) + len(reason.missing)
    if covered == 0:
        return translate(FIELDS_NONE)
    if covered < asked:
        return translate(FIELDS_SOME) % {"covered": covered, "asked": asked}
    return translate(FIELDS_ONE) if asked == 1 else translate(FIELDS_ALL) % {"asked": asked}


def _weapons(reason: MatchReason | None, translate: Translate, comma: str) -> str:
    if reason is None:
        return ""
    if not reason.covered:
        return translate(WEAPONS_NONE)
    names = comma.join(translate(WEAPONS.get(code, code)) for code in reason.covered)
    return translate(WEAPONS_ONLY) % {"weapons": names} if reason.missing else names


def _help_name(code: str, translate: Translate, lang: str) -> str:
    name = translate(load_assistance_vocabulary().help_types.get(code, code))
    return name[:1].lower() + name[1:] if lang in ("en", "fr", "es", "ru") else name


@lru_cache(maxsize=64)
def _language_name(code: str, lang: str) -> str:
    name = Locale.parse(lang).languages.get(code)
    return name or code


@lru_cache(maxsize=512)
def _region_name(code: str, lang: str) -> str:
    groups, _ = load_regional_groups()
    if code in groups:
        return groups[code].names.get(lang) or groups[code].name
    areas = load_m49_areas()
    if code in areas:
        return areas[code].names.get(lang) or areas[code].name
    return code
