"""The one text policy (schemas/text.py): what every free-text input accepts, checked on the rules
themselves, on every input shape, and against the database columns."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import typing
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError
from sqlalchemy import String

import un1540.schemas
from un1540 import models
from un1540.errors import InvalidData
from un1540.schemas import text
from un1540.schemas.text import (
    PAGE,
    REMARK,
    RULES,
    TITLE,
    TextRefused,
    TextRule,
    formula_like,
    neutralised,
    printable,
    unneutralised,
)
from un1540.schemas.workflow import CellUpdate


def test_line_breaks_are_normalised_and_counted_once() -> None:
    assert REMARK.clean("a\r\nb\rc\fd\ve\x85f") == "a\nb\nc\nd\ne\nf"
    assert REMARK.clean("tab\tkept\n") == "tab\tkept\n"
    assert TITLE.clean("two\r\nlines\tand a tab") == "two lines and a tab"
    # A browser sends a textarea's line breaks as CR LF: 10,000 characters as typed still fit.
    typed = ("x" * 99 + "\r\n") * 100
    assert len(typed) == 10_100
    assert len(REMARK.clean(typed)) == 10_000


def test_text_is_nfc_normalised() -> None:
    assert REMARK.clean("e\u0301t\u0065\u0301") == "\u00e9t\u00e9"
    assert REMARK.clean("القانون رقم ٥") == "القانون رقم ٥"


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("before\x00after", "U+0000 (NUL) at character 7"),
        ("\x1b[31m", "U+001B (ESC) at character 1"),
        ("x\x7f", "U+007F (DEL)"),
        ("x\x9b", "U+009B (a control character)"),
        ("x\ud800", "U+D800 (a lone surrogate)"),
        ("x\ufffe", "U+FFFE (a non-character)"),
    ],
)
def test_control_characters_are_refused_by_name_and_position(value: str, named: str) -> None:
    with pytest.raises(TextRefused) as refused:
        REMARK.clean(value)
    assert named in refused.value.message
    assert value not in refused.value.message  # the text itself is never echoed


def test_the_length_is_checked_after_normalisation() -> None:
    assert PAGE.clean("p" * 40) == "p" * 40
    with pytest.raises(TextRefused, match=r"longer than 40 characters \(41\)"):
        PAGE.clean("p" * 41)
    with pytest.raises(InvalidData) as error:
        REMARK.require("r" * 10_001, "remark", message="not saved")
    assert error.value.problems[0].where == "remark"


def test_the_api_shape_applies_the_rule_and_documents_it() -> None:
    update = CellUpdate(mark="X", remark="a\r\nb", version=1)
    assert update.remark == "a\nb"
    with pytest.raises(ValidationError) as error:
        CellUpdate(mark="X", remark="a\x00b", version=1)
    assert error.value.errors()[0]["type"] == "text_policy"
    schema = CellUpdate.model_json_schema()["properties"]["remark"]
    assert schema["maxLength"] == REMARK.max_length
    assert schema["pattern"] == text.JSON_PATTERN


def _input_shapes() -> list[type[BaseModel]]:
    shapes = []
    for module_info in pkgutil.iter_modules(un1540.schemas.__path__):
        module = importlib.import_module(f"un1540.schemas.{module_info.name}")
        for _, value in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(value, BaseModel)
                and value.__module__ == module.__name__
                and value.model_config.get("extra") == "forbid"  # the input shapes
            ):
                shapes.append(value)
    return shapes


def _string_parts(annotation: Any) -> list[list[Any]]:
    """The metadata of every str inside an annotation (str, str | None, list[str], ...)."""
    found: list[list[Any]] = []
    if typing.get_origin(annotation) is typing.Annotated:
        base, *metadata = typing.get_args(annotation)
        if base is str:
            return [metadata]
        return _string_parts(base)
    if annotation is str:
        return [[]]
    for argument in typing.get_args(annotation):
        found += _string_parts(argument)
    return found


def test_every_string_of_every_input_shape_follows_a_rule() -> None:
    shapes = _input_shapes()
    assert len(shapes) >= 15
    bare = []
    for shape in shapes:
        for name, field in shape.model_fields.items():
            parts = _string_parts(field.annotation)
            parts = [[*part, *field.metadata] for part in parts]
            if any(not any(isinstance(m, TextRule) for m in part) for part in parts):
                bare.append(f"{shape.__name__}.{name}")
    assert not bare, f"strings without a text rule: {bare}"


# Where each rule's text is stored: the column must hold the rule's maximum.
STORED_IN = {
    "TITLE": ["AssistanceRequest.title", "AssistanceOffer.title", "AssistanceProject.title"],
    "NAME": ["AssistanceOffer.provider_name", "FundingEntry.donor_name"],
    "PREFERRED_PROVIDER": ["AssistanceRequestItem.preferred_provider"],
    "PAGE": ["Evidence.page"],
    "ARTICLE": ["Evidence.article"],
    "PARAGRAPH": ["Evidence.paragraph"],
    "SYMBOL": ["Document.symbol"],
    "URL": ["Document.url"],
    "FILE_NAME": ["Document.file_name", "ContextIndicator.source_file"],
    "DISPLAY_NAME": ["UserAccount.display_name"],
    "TOKEN_LABEL": ["ApiToken.label"],
    "REMARK": ["CellEntry.remark", "CellProposal.remark"],
    "DOCUMENT_TITLE": ["Document.title"],
}


def test_every_column_holds_its_rules_maximum() -> None:
    assert set(STORED_IN) <= set(RULES)
    for rule_name, columns in STORED_IN.items():
        for dotted in columns:
            model_name, attribute = dotted.split(".")
            column = getattr(models, model_name).__table__.c[attribute]
            if isinstance(column.type, String) and column.type.length is not None:
                assert column.type.length >= RULES[rule_name].max_length, dotted


@pytest.mark.parametrize(
    "stored",
    ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "\tx", "'=1", "''-2", "plain", "'x"],
)
def test_csv_neutralising_round_trips_exactly(stored: str) -> None:
    written = neutralised(stored)
    assert not formula_like(written)
    assert unneutralised(written) == stored


def test_printable_never_raises_and_keeps_what_it_can() -> None:
    assert printable("a\x00b\x0cc\r\nd\ud800") == "a\ufffdb\nc\nd\ufffd"
    assert printable("plain\ttext\n") == "plain\ttext\n"
