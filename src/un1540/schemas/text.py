"""The one text policy: what free text every input accepts, and how every export writes it.

Every free-text input (cell remarks, evidence, comments, proposals, reasons and notes, document
titles, request/offer/project texts, milestones, feedback, funding notes, account names, file
names) passes through `TextRule.clean`, whichever door it came in by:

- the API's input shapes annotate each such field with its rule (`remark: Annotated[str, REMARK]`),
  which validates it and documents maxLength and the pattern in the OpenAPI description;
- the services check the same rule again where a plain string reaches them (the portal's forms,
  the CLI, the importers), naming the field, or the file, row and column of an import;
- nothing else decides a length: each field's maximum is defined once, below.

The policy, in order:

1. Line breaks are normalised: CR LF, CR, form feed (a page break pasted from a PDF), vertical
   tab (Word's manual line break) and NEL (U+0085) become a newline (LF).
2. Unicode NFC normalisation (the composed form: "é" is one character whichever keyboard typed it).
3. One-line fields (titles, names, page/article/paragraph locators, file names) turn line breaks
   and tabs into spaces.
4. Refused, with a problem naming the character and its position: every other control character
   (C0 and C1, DEL), lone surrogates and the non-characters U+FFFE and U+FFFF. XML (XLSX, DOCX)
   cannot hold them, PostgreSQL cannot store NUL, and none is ever meant.
5. The length, counted in characters after 1-3, is at most the field's maximum.

Tabs and newlines are kept in multi-line fields. Leading and trailing spaces are not touched here
(each action strips what it always stripped).

Exports write stored text through `printable` (defence in depth for text stored before this
policy, or by a path that bypassed it): the same line-break normalisation, and every refused
character replaced by U+FFFD. Spreadsheet-like outputs also neutralise text that a spreadsheet
would read as a formula (`formula_like`; docs/transparency.md, "Exports are safe to open").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from un1540.errors import InvalidData, Problem
from un1540.errors import text as text_message
from un1540.reference.languages import N_

_LINE_BREAKS = re.compile("\r\n|[\r\f\v\x85]")
# What no field accepts: C0 controls but tab and LF, DEL, C1 controls, lone surrogates, and the
# two non-characters XML forbids. (CR, FF, VT and NEL never get here: they became LF above.)
_REFUSED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# The same, as an ECMA-262/Python pattern for the OpenAPI description (surrogates left out: JSON
# Schema patterns cannot name them).
JSON_PATTERN = "^[^\\x00-\\x08\\x0e-\\x1f\\x7f-\\x84\\x86-\\x9f\\ufffe\\uffff]*$"
_C0_NAMES = (  # noqa: SIM905 (one readable line per 16 names)
    "NUL SOH STX ETX EOT ENQ ACK BEL BS HT LF VT FF CR SO SI "
    "DLE DC1 DC2 DC3 DC4 NAK SYN ETB CAN EM SUB ESC FS GS RS US"
).split()
# OWASP's CSV injection list: a cell starting with one of these may be run as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
REPLACEMENT = "\ufffd"
_QUOTED_FORMULA = re.compile("'*[=+\\-@\t\r]")


def _describe(character: str) -> str:
    code = ord(character)
    if code < 0x20:
        return f"U+{code:04X} ({_C0_NAMES[code]})"
    if code == 0x7F:
        return "U+007F (DEL)"
    if 0xD800 <= code <= 0xDFFF:
        return f"U+{code:04X} (a lone surrogate)"
    if code in (0xFFFE, 0xFFFF):
        return f"U+{code:04X} (a non-character)"
    return f"U+{code:04X} (a control character)"


def normalise(value: str, *, one_line: bool = False) -> str:
    """Steps 1 to 3 of the policy: line breaks, NFC, and a single line where asked."""
    text = _LINE_BREAKS.sub("\n", value)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    if one_line:
        text = text.replace("\n", " ").replace("\t", " ")
    return text


class TextRefused(ValueError):
    """A text the policy refuses; the message says why, without quoting the text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class TextRule:
    """One kind of free text: its maximum length (in characters) and whether it is one line.

    Used as pydantic metadata (`Annotated[str, REMARK]`) and called by the services (`clean`,
    `check`), so the API, the portal, the CLI and every importer apply the same rule.
    """

    label: str
    max_length: int
    one_line: bool = False

    def clean(self, value: str) -> str:
        """The normalised text, or TextRefused saying what is wrong."""
        text = normalise(value, one_line=self.one_line)
        found = _REFUSED.search(text)
        if found is not None:
            raise TextRefused(
                text_message(
                    N_(
                        "contains the control character %(character)s at character "
                        "%(position)s; only tabs and line breaks are allowed"
                    )
                    if not self.one_line
                    else N_(
                        "contains the control character %(character)s at character "
                        "%(position)s; remove it"
                    ),
                    character=_describe(found.group()),
                    position=found.start() + 1,
                )
            )
        if len(text) > self.max_length:
            raise TextRefused(
                text_message(
                    N_("is longer than %(limit)s characters (%(length)s)"),
                    limit=f"{self.max_length:,}",
                    length=f"{len(text):,}",
                )
            )
        return text

    def check(self, value: str, where: str, problems: list[Problem]) -> str:
        """The normalised text; a refusal is added to `problems`, naming `where`."""
        try:
            return self.clean(value)
        except TextRefused as refused:
            problems.append(Problem(where, refused.message))
            return value

    def require(self, value: str, where: str, *, message: str) -> str:
        """The normalised text, or InvalidData(message) naming `where`."""
        problems: list[Problem] = []
        text = self.check(value, where, problems)
        if problems:
            raise InvalidData(message, problems=problems)
        return text

    # pydantic: validate before the str schema (so the length counts the normalised text), and
    # document the limit and the refused characters in the JSON schema.
    def _validate(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value  # the str schema says what is wrong
        try:
            return self.clean(value)
        except TextRefused as refused:
            # The message as the context too: the portal's door translates it (forms.build).
            raise PydanticCustomError(
                "text_policy", "{message}", {"message": refused.message}
            ) from None

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_before_validator_function(self._validate, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        target = handler.resolve_ref_schema(json_schema)
        if target.get("type") == "string":
            target["maxLength"] = self.max_length
            target["pattern"] = JSON_PATTERN
        return json_schema


# Every free-text field's rule: the one place its maximum length is defined. The database
# columns are at least as long (tests/schemas/test_text_policy.py checks it).
REMARK = TextRule("cell remark", 10_000)
COMMENT = TextRule("comment on a cell", 10_000)
PROPOSAL_REASON = TextRule("why a change is proposed", 10_000)
REASON = TextRule("reason kept in the audit trail", 2_000)
NOTE = TextRule("note (proposal decision, judgement, funding, edition)", 2_000)
QUOTATION = TextRule("quotation from a document", 2_000)
PAGE = TextRule("page of a document", 40, one_line=True)
ARTICLE = TextRule("article of a document", 100, one_line=True)
PARAGRAPH = TextRule("paragraph of a document", 100, one_line=True)
DOCUMENT_TITLE = TextRule("document title", 1_000, one_line=True)
SYMBOL = TextRule("document symbol", 100, one_line=True)
URL = TextRule("web address", 1_000, one_line=True)
FILE_NAME = TextRule("file name", 300, one_line=True)
TITLE = TextRule("title of a request, offer, project or milestone", 300, one_line=True)
SUMMARY = TextRule("summary of a request, description of an offer", 10_000)
ITEM_DESCRIPTION = TextRule("description of a requested item", 5_000)
FEEDBACK = TextRule("feedback on a project", 5_000)
NAME = TextRule("name of a provider or donor", 300, one_line=True)
PREFERRED_PROVIDER = TextRule("preferred provider", 200, one_line=True)
DISPLAY_NAME = TextRule("account's display name", 200, one_line=True)
TOKEN_LABEL = TextRule("API token's label", 200, one_line=True)
SEARCH_QUERY = TextRule("search query", 300, one_line=True)
INDICATOR_SOURCE = TextRule("source of an indicator value", 1_000, one_line=True)
CONTACT_NAME = TextRule("name of a point of contact", 200, one_line=True)
POSITION = TextRule("position of a point of contact", 200, one_line=True)
AGENCY = TextRule("agency of a point of contact", 300, one_line=True)
EMAIL = TextRule("e-mail address", 254, one_line=True)
PHONE = TextRule("telephone number", 60, one_line=True)
CHANNELS = TextRule("other contact channels", 2_000)
INVITATION = TextRule("a State's invitation to visit (its letter's reference)", 300, one_line=True)
PURPOSE = TextRule("purpose of a country visit", 5_000)
FINDING = TextRule("finding of a country visit", 5_000)
PROVISION_ID = TextRule("the caller's id of a provision", 200, one_line=True)
PROVISION_TEXT = TextRule("text of a provision of law", 20_000)
# Codes from a vocabulary (a State's ISO code, a status, a help type, a cell identifier): checked
# against their vocabulary later; the policy keeps control characters out of the SQL that looks
# them up (PostgreSQL refuses NUL).
CODE = TextRule("code from a vocabulary", 200, one_line=True)

RULES = {
    name: rule
    for name, rule in sorted(globals().items())
    if isinstance(rule, TextRule) and name.isupper()
}


Code = Annotated[str, CODE]


def printable(value: str) -> str:
    """Stored text as every export writes it: line breaks normalised, anything an XML document
    (or a careful reader) cannot hold replaced by U+FFFD. Never raises."""
    text = _LINE_BREAKS.sub("\n", value)
    return _REFUSED.sub(REPLACEMENT, text)


def formula_like(value: str) -> bool:
    """Would a spreadsheet read this text as a formula (OWASP's CSV injection list)?"""
    return value.startswith(FORMULA_START)


def neutralised(value: str) -> str:
    """Text for a CSV cell: printable, and a formula-like text prefixed with a single quote, as
    OWASP advises (spreadsheets then show it as text). A text that already starts with quotes
    and a formula character gets one more, so `unneutralised` gives back exactly what was stored."""
    text = printable(value)
    return "'" + text if _QUOTED_FORMULA.match(value) else text


def unneutralised(value: str) -> str:
    """What a CSV importer reads from a cell `neutralised` wrote: the quote it added before a
    formula-like text (or before quotes and a formula-like text) comes off again."""
    return value[1:] if value.startswith("'") and _QUOTED_FORMULA.match(value[1:]) else value
