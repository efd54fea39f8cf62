"""What the suggestion model reads of a provision (model code 12, docs/evidence.md "Round 27"):
its wording without the article label it starts with, and how close an act is to a term naming
the weapon itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from un1540.analytics.evidence import model as evidence_model
from un1540.analytics.evidence.lexicon import load_lexicon
from un1540.analytics.evidence.text import reading_form, without_heading


@pytest.mark.parametrize(
    ("text", "language", "read"),
    [
        ("第十二条 任何单位和个人不得生产化学武器。", "zh", "任何单位和个人不得生产化学武器。"),
        ("第 5 條\n主管機關為法務部。", "zh", "主管機關為法務部。"),
        ("第十二條　核子原料之運送，應經許可。", "zh", "核子原料之運送，應經許可。"),
        (
            "Статья 5. Запрещается применение химического оружия.",
            "ru",
            "Запрещается применение химического оружия.",
        ),
        (
            "Article 12. No person shall use chemical weapons.",
            "en",
            "No person shall use chemical weapons.",
        ),
        (
            "Article 3\nProhibitions\n(1) No person shall ...",
            "en",
            "Prohibitions\n(1) No person shall ...",
        ),
        (
            "Artículo 5.- Se prohíbe el empleo de armas químicas.",
            "es",
            "Se prohíbe el empleo de armas químicas.",
        ),
        (
            "Article 1er : L'emploi d'armes chimiques est interdit.",
            "fr",
            "L'emploi d'armes chimiques est interdit.",
        ),
        ("المادة 5 يحظر استخدام الأسلحة الكيميائية.", "ar", "يحظر استخدام الأسلحة الكيميائية."),
    ],
)
def test_the_article_label_is_not_read(text: str, language: str, read: str) -> None:
    assert without_heading(text, language) == read


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("任何单位和个人不得生产化学武器。", "zh"),
        ("No person shall use chemical weapons under article 5.", "en"),
        ("Статья 5.", "ru"),  # a label alone is kept: there is nothing else to read
        ("违反本法第十二条规定的，处罚款。", "zh"),  # a citation inside is no heading
        ("Text", "xx"),
    ],
)
def test_a_text_without_a_label_is_read_as_written(text: str, language: str) -> None:
    assert without_heading(text, language) == text


def test_a_provision_reads_the_same_with_its_label_or_without(evidence_model_dir: Path) -> None:
    """The label before a one-line prohibition ("第十二条 ") took every suggestion away in model
    code 11; now the embedding and the n-grams read the same text either way: the same
    candidates and the same similar provisions."""
    from un1540.analytics.evidence.store import current_model

    assert evidence_model.READ_WITHOUT_HEADING is True
    assert evidence_model.MODEL_CODE_VERSION >= "12"
    lexicon = load_lexicon()
    trained = current_model(evidence_model_dir, lexicon=lexicon)
    body = "任何单位和个人不得非法生产、储存、使用、运输化学武器。"
    plain, headed = evidence_model.suggest(
        trained,
        lexicon,
        [("plain", body, "zh"), ("headed", f"第十二条 {body}", "zh")],
        every_candidate=True,
    )
    assert [s.field for s in plain.suggestions]
    assert {s.field for s in plain.suggestions} == {s.field for s in headed.suggestions}
    for a in plain.suggestions:
        b = next(s for s in headed.suggestions if s.field == a.field)
        assert a.explanation["similar"] == b.explanation["similar"]
        assert a.explanation["wording"] == b.explanation["wording"]


@pytest.mark.parametrize(
    ("plain", "written", "language"),
    [
        (
            "يحظر على أي شخص إنتاج الأسلحة الكيميائية أو تخزينها.",
            "يُحْظَرُ عَلَى أَيِّ شَخْصٍ إِنْتَاجُ الْأَسْلِحَةِ الْكِيمِيَائِيَّةِ أَوْ تَخْزِينُهَا.",
            "ar",
        ),
        ("يحظر إنتاج الأسلحة", "يحظــر إنتـاج الأسلحة", "ar"),  # tatweel
        (
            "任何单位和个人不得生产、储存化学武器。",
            "任何單位和個人不得生產、儲存化學武器。",
            "zh",
        ),
    ],
)
def test_vowel_marks_and_traditional_characters_are_read_as_the_plain_text(
    plain: str, written: str, language: str
) -> None:
    """Session 27's audit: a fully vowelled Arabic prohibition scored 0.86 -> 0.50 and a law of
    Taiwan got nothing, where the same words plain or in simplified characters got the acts:
    the sentence encoder read the marks and the characters as written."""
    assert reading_form(written, language) == plain
    assert evidence_model.reading_text(written, language) == plain
    assert reading_form("Article 12. Written as is.", "en") == "Article 12. Written as is."


def test_a_vowelled_or_traditional_provision_is_suggested_as_the_plain_one(
    evidence_model_dir: Path,
) -> None:
    from un1540.analytics.evidence.store import current_model

    lexicon = load_lexicon()
    trained = current_model(evidence_model_dir, lexicon=lexicon)
    pairs = [
        ("يحظر على أي شخص إنتاج الأسلحة الكيميائية أو تخزينها.", "ar"),
        ("يُحْظَرُ عَلَى أَيِّ شَخْصٍ إِنْتَاجُ الْأَسْلِحَةِ الْكِيمِيَائِيَّةِ أَوْ تَخْزِينُهَا.", "ar"),
        ("任何单位和个人不得生产、储存化学武器。", "zh"),
        ("任何單位和個人不得生產、儲存化學武器。", "zh"),
    ]
    found = evidence_model.suggest(
        trained,
        lexicon,
        [(str(i), t, lang) for i, (t, lang) in enumerate(pairs)],
        every_candidate=True,
    )
    scores = [{s.field: s.score for s in result.suggestions} for result in found]
    assert scores[0]
    assert scores[2]
    assert scores[1] == pytest.approx(scores[0], abs=0.02)  # vowelled as plain
    assert scores[3] == pytest.approx(scores[2], abs=0.02)  # traditional as simplified


def test_an_act_near_the_weapon_itself_is_told_from_one_near_its_materials() -> None:
    """NAMED_WEAPON (model code 12): the proximity of the act to a term naming the weapon
    (化学武器, chemical weapons), not to one naming a material (放射性物质, toxic chemicals)."""
    assert evidence_model.NAMED_WEAPON is True
    lexicon = load_lexicon()

    def near(text: str, language: str, code: str) -> float:
        provision = evidence_model.analyse(lexicon, "p", text, language)
        anchor = lexicon.fields[code].all[0]
        return evidence_model._named_weapon_proximity(provision, lexicon, anchor)

    assert near("禁止生产化学武器。", "zh", "op2.manufacture") > 0.9
    assert near("禁止在居民区生产放射性物质。", "zh", "op2.manufacture") == 0.0
    assert near("No person shall produce chemical weapons.", "en", "op2.manufacture") > 0.7
    assert near("No person shall produce toxic chemicals.", "en", "op2.manufacture") == 0.0
    assert near("Запрещается производство химического оружия.", "ru", "op2.manufacture") > 0.7
    assert near("The use of weapons of mass destruction is prohibited.", "en", "op2.use") > 0.7
