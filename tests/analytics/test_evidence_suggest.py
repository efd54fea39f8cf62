"""The suggestion contract (`un1540 evidence suggest`), as the held-out scoring calls it.

The model is trained once for the test session on a part of the real train split (speed), in a
temporary model directory (`evidence_model_dir`); the code path is the shipped one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from un1540.analytics.evidence import store
from un1540.analytics.evidence.devset import Example, read_devset_file, shipped_devset_dir
from un1540.analytics.evidence.lexicon import framework_fields
from un1540.analytics.evidence.text import LANGUAGES
from un1540.cli import app

SMALL = 160


def small_train_split() -> list[Example]:
    """The train lines of the first-generation files (`<language>.jsonl`, which later additions
    to the development set never extend: they come in files of their own), every k-th up to
    SMALL: so the tests' model does not move each time the set grows (labels re-read by a later
    pass still move it)."""
    first = [shipped_devset_dir() / f"{language}.jsonl" for language in LANGUAGES]
    train = [e for path in first for e in read_devset_file(path) if e.split == "train"]
    return train[:: max(1, len(train) // SMALL)][:SMALL]


@pytest.fixture
def model_dir(evidence_model_dir: Path) -> Path:
    """The session's model directory (tests/conftest.py `evidence_model_dir`): trained once, at
    first use, on `small_train_split()`, for this module and every other test that suggests."""
    return evidence_model_dir


def _run(tmp_path: Path, lines: list[str]) -> tuple[int, str, list[dict[str, Any]]]:
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["evidence", "suggest", "--input", str(source), "--output", str(target)]
    )
    out = (
        [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
        if target.exists()
        else []
    )
    problems = getattr(result.exception, "problems", None) or []
    said = result.output + " ".join(f"{p.where}: {p.message}" for p in problems)
    return result.exit_code, said, out


PROVISIONS = [
    {
        "id": 7,
        "text": "Quiconque fabrique, détient ou utilise des armes chimiques est puni de "
        "trente ans de réclusion criminelle.",
    },
    {
        "id": "b",
        "language": "es",
        "text": "El que desarrollare, produjere, adquiriere o "
        "almacenare armas biológicas será castigado con la pena de prisión de diez a quince años.",
    },
    {"id": "empty-ish", "text": "Article 3. This Act comes into force on the day of publication."},
    {"id": "zh", "text": "违反本条例规定，出口监控化学品的，由海关依法处罚。"},
    {
        "id": "ru",
        "text": "Разработка, производство, накопление, приобретение или сбыт "
        "химического оружия наказываются лишением свободы на срок от пяти до десяти лет.",
    },
    {"id": "ar", "text": "يعاقب بالسجن كل من أنتج أو حاز أو استخدم سلاحا كيميائيا."},
]


def test_the_contract(model_dir: Path, tmp_path: Path) -> None:
    code, output, out = _run(tmp_path, [json.dumps(p, ensure_ascii=False) for p in PROVISIONS])
    assert code == 0, output
    # one line per input line, in the same order, ids echoed as given
    assert [line["id"] for line in out] == [p["id"] for p in PROVISIONS]
    # language: as given, else detected
    assert [line["language"] for line in out] == ["fr", "es", "en", "zh", "ru", "ar"]
    fields = framework_fields()
    found = 0
    for line in out:
        for suggestion in line["suggestions"]:
            found += 1
            section, applies = fields[suggestion["field"]]
            assert section != "op1"
            assert suggestion["weapons"]
            assert set(suggestion["weapons"]) <= set(applies)
            assert suggestion["columns"]
            assert set(suggestion["columns"]) <= {"legal_framework", "enforcement"}
            assert 0 <= suggestion["score"] <= 1
            assert suggestion["explanation"]["summary"]
    assert found > 0
    assert (model_dir / store.BASE).exists()  # trained at first use and kept (no decisions)


def test_bad_input_is_refused_naming_the_line(model_dir: Path, tmp_path: Path) -> None:
    code, output, out = _run(
        tmp_path,
        ['{"id": 1, "text": "ok"}', '{"id": 2}', '{"id": 3, "text": "x", "language": "de"}'],
    )
    assert code != 0
    assert "in.jsonl:2.text" in output
    assert "in.jsonl:3.language" in output
    assert out == []  # nothing written


def test_hard_negatives_get_nothing(model_dir: Path, tmp_path: Path) -> None:
    negatives = [
        "Any person who communicates information which he knows or believes to be false to "
        "another person with the intention of inducing in him a false belief that a bomb or "
        "other noxious substance is present commits an offence.",
        "Quiconque importe ou exporte illicitement des stupéfiants est puni de dix ans "
        "d'emprisonnement.",
        "违反规定排放、倾倒或者处置有放射性的废物、含传染病病原体的废物、有毒物质，严重污染环境的，"
        "处三年以下有期徒刑或者拘役，并处或者单处罚金。",
        "Незаконные приобретение, передача, сбыт, хранение, перевозка или ношение "
        "огнестрельного оружия, его основных частей, боеприпасов наказываются ограничением "
        "свободы на срок до трех лет.",
    ]
    lines = [json.dumps({"id": i, "text": t}, ensure_ascii=False) for i, t in enumerate(negatives)]
    code, output, out = _run(tmp_path, lines)
    assert code == 0, output
    assert [line["suggestions"] for line in out] == [[], [], [], []]


def test_columns_are_learned_and_fall_back_to_the_rule(model_dir: Path) -> None:
    """The columns of a suggestion come from a classifier per column trained with the model (the
    rule of penalty words only when there is none): both give a non-empty subset of the two."""
    from un1540.analytics.evidence import model as evidence_model
    from un1540.analytics.evidence.lexicon import load_lexicon

    lexicon = load_lexicon()
    trained = store.current_model(model_dir, lexicon=lexicon)
    assert trained.column_models is not None
    assert set(trained.column_models) == {"legal_framework", "enforcement"}
    text = str(PROVISIONS[0]["text"])
    (suggested,) = evidence_model.suggest(trained, lexicon, [("p", text, "fr")], threshold=0.0)
    assert suggested.suggestions
    for suggestion in suggested.suggestions:
        assert suggestion.columns
        assert set(suggestion.columns) <= {"legal_framework", "enforcement"}
    provision = evidence_model.analyse(lexicon, "p", text, "fr")
    # without learned columns: the rule (a penalty -> enforcement; the act named -> framework)
    assert evidence_model._columns(lexicon, provision, "op2.manufacture") == [
        "legal_framework",
        "enforcement",
    ]
    plain = evidence_model.analyse(lexicon, "q", "Nul ne peut fabriquer des armes chimiques.", "fr")
    assert evidence_model._columns(lexicon, plain, "op2.manufacture") == ["legal_framework"]


def test_a_penalty_article_citing_a_prohibition_takes_its_acts(model_dir: Path) -> None:
    """Document context (model code 5): a penalty article that names no act itself ("whoever
    contravenes section 3 ...") gets the acts of the prohibition it cites as candidates; without
    its context (the text alone) it does not."""
    from un1540.analytics.evidence import model as evidence_model
    from un1540.analytics.evidence.lexicon import load_lexicon

    lexicon = load_lexicon()
    trained = store.current_model(model_dir, lexicon=lexicon)
    penalty = (
        "Section 7. Any person who contravenes section 3 shall be guilty of an offence and "
        "liable on conviction to imprisonment for life."
    )
    prohibition = (
        "Section 3. No person shall develop, produce, acquire, stockpile or use chemical weapons."
    )
    acts = {"op2.develop", "op2.manufacture", "op2.acquire", "op2.stockpile", "op2.use"}
    (in_context,) = evidence_model.suggest(
        trained, lexicon, [("s7", penalty, "en")], every_candidate=True, cited=[[prohibition]]
    )
    assert acts <= {s.field for s in in_context.suggestions}
    # and the weapons of the prohibition it cites (session 26: the neighbours' weapons before,
    # biological weapons for a penalty that punishes a chemical and nuclear prohibition)
    assert {tuple(s.weapons) for s in in_context.suggestions if s.field in acts} == {("cw",)}
    # Its Why names the act where it is, in the article it cites (session 28's trial: penalty
    # words only, the cited article never named).
    use = next(s for s in in_context.suggestions if s.field == "op2.use")
    assert {"phrase": "use", "concept": "act.use", "cited": True} in use.explanation["triggers"]
    assert "“use” (act.use, cited)" in use.explanation["summary"]
    nuclear_and_chemical = prohibition.replace("chemical weapons", "nuclear or chemical weapons")
    (both,) = evidence_model.suggest(
        trained,
        lexicon,
        [("s7", penalty, "en")],
        every_candidate=True,
        cited=[[nuclear_and_chemical]],
    )
    assert {tuple(s.weapons) for s in both.suggestions if s.field in acts} == {("nw", "cw")}
    # alone, the neighbours may still propose the acts: what context adds is the cited acts
    provision = evidence_model.analyse(lexicon, "s7", penalty, "en")
    (linked,) = evidence_model.with_context(lexicon, [provision], [[prohibition]])
    assert evidence_model._cited_acts(lexicon, linked)
    assert not evidence_model._cited_acts(lexicon, provision)
    assert {"act.manufacture", "weapon.cw", "frame.prohibition"} <= set(linked.cited)
    # a provision that names an act itself keeps its own acts (no inheritance)
    named = evidence_model.analyse(
        lexicon, "s8", "Whoever uses a toxic chemical is punished.", "en"
    )
    (kept,) = evidence_model.with_context(lexicon, [named], [[prohibition]])
    assert not evidence_model._cited_acts(lexicon, kept)
    # the library's path: the provision links give the texts a provision cites
    from un1540.services.evidence.reads import ProvisionText, suggest_provisions

    (shown,) = suggest_provisions(
        [ProvisionText("s7", penalty, "en", (prohibition,))], model=trained
    )
    for suggestion in shown.suggestions:
        assert suggestion.score >= trained.cut(suggestion.field)


def test_round_11_switches_are_off_and_do_what_they_say(monkeypatch: pytest.MonkeyPatch) -> None:
    """The switches measured and not shipped in round 11 (docs/evidence.md) are off, so the
    per-field regression reads the embedding alone and there are no prototype features; switched
    on (as `benchmarks/evidence.py --set` does), they add exactly what they name."""
    import numpy as np

    from un1540.analytics.evidence import model as evidence_model
    from un1540.analytics.evidence.devset import Label
    from un1540.analytics.evidence.lexicon import load_lexicon

    assert evidence_model.MULTILABEL_BAG == 0.0
    assert evidence_model.LINEAR_CANDIDATE is None
    assert evidence_model.PROTOTYPES is False
    lexicon = load_lexicon()
    provision = evidence_model.analyse(
        lexicon, "p", "Nul ne peut fabriquer des armes chimiques.", "fr"
    )
    embeddings = np.ones((1, 4), dtype=np.float32)
    assert evidence_model._linear_inputs(lexicon, [provision], embeddings) is embeddings
    monkeypatch.setattr(evidence_model, "MULTILABEL_BAG", 0.5)
    inputs = evidence_model._linear_inputs(lexicon, [provision], embeddings)
    concepts = sorted(lexicon.concepts)
    assert inputs.shape == (1, 4 + len(concepts))
    bag = {c for c, v in zip(concepts, inputs[0, 4:], strict=True) if v}
    assert bag == set(provision.hits)
    assert "weapon.cw" in bag
    assert set(inputs[0, 4:].tolist()) == {0.0, 0.5}

    label = Label(("cw",), ("legal_framework",))
    examples = [
        Example(str(i), "t", "en", "s", {"op2.use": label} if i < 2 else {}) for i in range(3)
    ]
    vectors = np.array([[3.0, 0.0], [1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    prototypes = evidence_model._fit_prototypes(vectors, examples, ["op2.use", "op2.possess"])
    assert prototypes is not None
    codes, rows = prototypes
    assert codes == ["op2.use"]  # op2.possess has no labelled provision
    assert np.allclose(rows, [[1.0, 0.0]])
    assert evidence_model._prototype_scores(prototypes, np.array([0.0, 2.0])) == {}  # off
    monkeypatch.setattr(evidence_model, "PROTOTYPES", True)
    assert evidence_model._prototype_scores(prototypes, np.array([0.0, 2.0])) == {"op2.use": 0.0}
    assert evidence_model._prototype_scores(prototypes, np.array([2.0, 0.0])) == {"op2.use": 1.0}


def test_round_12_switches_are_as_set_and_do_what_they_say(monkeypatch: pytest.MonkeyPatch) -> None:
    """The switches of round 12 (docs/evidence.md) are as measured: the char regression ON since
    model code 7 (round 16: it gained on both groupings of the CV once the train split had grown
    fourfold), no extra candidate from it, the stacked folds by source, code 8's boosted settings
    (31 leaves of at least 20) and an even blend; the char regression fits each field with enough
    positives and scores a text by its character n-grams, and the stacked folds group a law's
    language versions together when switched on (as `benchmarks/evidence.py --set` does)."""

    from un1540.analytics.evidence import model as evidence_model
    from un1540.analytics.evidence.devset import Label

    assert evidence_model.CHAR_LINEAR == 0.3
    assert evidence_model.CHAR_CANDIDATE is None
    assert evidence_model.LINEAR_BY_LAW is False
    assert evidence_model.BOOSTED == {}
    assert evidence_model.BLEND_BOOSTED == 0.5
    assert evidence_model._boosted().get_params()["learning_rate"] == 0.06
    assert evidence_model._boosted().get_params()["max_leaf_nodes"] == 31  # model code 8
    assert evidence_model._boosted().get_params()["min_samples_leaf"] == 20
    assert evidence_model._char_linear_scores(None, np.zeros((2, 3))) == [{}, {}]
    # code 8: the regression's groups (session 17); code 9: the joint embedding regressions and
    # the word terms (session 18); code 10: the scores against the other fields (session 19);
    # code 11: the provision's language (session 20); code 12: the wording read without the
    # article label, and the act's distance to the weapon itself (round 27); code 13: the
    # lexicon's concepts beside the n-grams (round 28)
    assert evidence_model.MODEL_CODE_VERSION == "13"
    assert evidence_model.CONCEPT_TERMS == 0.5
    unset = evidence_model.Neighbours([], [], {})
    assert unset.char_linear == {}

    label = Label(("cw",), ("legal_framework",))
    texts = ["chemical weapons production", "chemical weapons manufacture", "chemical arms made"]
    texts += ["road traffic rules", "parking of vehicles", "the speed of cars"]
    examples = [
        Example(str(i), t, "en", f"s{i}", {"op2.manufacture": label} if i < 3 else {})
        for i, t in enumerate(texts)
    ]
    vectoriser = evidence_model._vectoriser()
    matrix = vectoriser.fit_transform(texts)
    monkeypatch.setattr(evidence_model, "CHAR_LINEAR", 1.0)
    monkeypatch.setattr(evidence_model, "CHAR_GROUPS", False)  # the fields alone (model code 7)
    fitted = evidence_model._fit_char_linear(matrix, examples, ["op2.manufacture", "op2.use"])
    assert fitted is not None
    assert fitted[0] == ["op2.manufacture"]  # op2.use has no positive
    new = vectoriser.transform(["manufacture of chemical weapons", "cars on the road"])
    scores = evidence_model._char_linear_scores(fitted, new)
    weapons, traffic = (s["op2.manufacture"] for s in scores)
    assert weapons > 0.5 > traffic

    monkeypatch.setattr(evidence_model, "BOOSTED", {"learning_rate": 0.1})
    assert evidence_model._boosted().get_params()["learning_rate"] == 0.1
    versions = [
        Example("en", "t", "en", "act-en", {}, extra={"law": "act"}),
        Example("fr", "t", "fr", "act-fr", {}, extra={"law": "act"}),
    ]
    monkeypatch.setattr(evidence_model, "LINEAR_BY_LAW", True)
    by_law = evidence_model._linear_groups(versions)
    assert by_law[0] == by_law[1]


def test_the_relative_cut_floors_the_weaker_fields(
    model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Model code 6 (docs/evidence.md): a field is shown when its score reaches its section's
    cut-off AND 0.4 of the provision's best score; switched off (0), the floor is gone."""
    from un1540.analytics.evidence import model as evidence_model
    from un1540.analytics.evidence.lexicon import load_lexicon

    assert evidence_model.RELATIVE_CUT == 0.4
    assert evidence_model.relative_floor([0.9, 0.35]) == pytest.approx(0.36)
    assert evidence_model.relative_floor([]) == 0.0
    lexicon = load_lexicon()
    trained = store.current_model(model_dir, lexicon=lexicon)
    text = (
        "No person shall develop, produce, acquire, stockpile, transfer or use chemical weapons "
        "or their precursors, nor export them without a licence; whoever contravenes this "
        "section is liable to imprisonment for life."
    )
    (every,) = evidence_model.suggest(trained, lexicon, [("p", text, "en")], every_candidate=True)
    scores = {s.field: s.score for s in every.suggestions}
    best = max(scores.values())
    expected = {f for f, v in scores.items() if v >= max(trained.cut(f), 0.4 * best - 1e-3)}
    (shown,) = evidence_model.suggest(trained, lexicon, [("p", text, "en")])
    assert {s.field for s in shown.suggestions} == expected
    assert expected  # a chemical-weapons prohibition is evidence of something
    monkeypatch.setattr(evidence_model, "RELATIVE_CUT", 0.0)
    assert evidence_model.relative_floor([0.9, 0.35]) == 0.0
    (unfloored,) = evidence_model.suggest(trained, lexicon, [("p", text, "en")])
    assert {s.field for s in unfloored.suggestions} == {
        f for f, v in scores.items() if v >= trained.cut(f) - 1e-3
    }


def test_neighbours_from_the_postings_equal_the_whole_product(model_dir: Path) -> None:
    """train() keeps the n-gram matrix transposed, the sources and the rejected examples, so a
    provision's neighbours cost a fraction of a millisecond; a model pickled without them
    (None) computes the same neighbours the long way."""
    import dataclasses

    from un1540.analytics.evidence import model as evidence_model
    from un1540.analytics.evidence.lexicon import load_lexicon
    from un1540.analytics.evidence.text import fold

    lexicon = load_lexicon()
    trained = store.current_model(model_dir, lexicon=lexicon)
    assert trained.char_postings is not None
    assert trained.sources is not None
    plain = dataclasses.replace(trained, char_postings=None, sources=None, with_rejections=None)
    texts = [e.text for e in small_train_split()[:5]] + ["Nul ne peut exporter des armes."]
    chars = trained.vectoriser.transform([fold(t) for t in texts])
    vectors = evidence_model.shared_embedder().encode(texts)
    for index in range(len(texts)):
        source = trained.examples[index].source if index < 5 else None
        fast = evidence_model._neighbours(
            trained, vectors[index], chars[index], exclude_source=source
        )
        slow = evidence_model._neighbours(
            plain, vectors[index], chars[index], exclude_source=source
        )
        assert fast.use == slow.use
        assert [i for i, _ in fast.chars] == [i for i, _ in slow.chars]
        assert [s for _, s in fast.chars] == pytest.approx([s for _, s in slow.chars])
        assert fast.rejected_use == slow.rejected_use
        if source is not None:
            assert all(trained.examples[i].source != source for i, _ in fast.chars)


def test_the_char_regression_is_trained_and_read(model_dir: Path) -> None:
    """Model code 7: train() fits the per-field regression on character n-grams (CHAR_LINEAR), and
    it scores a text by its n-grams: a labelled training provision scores its own fields above
    their base rate."""
    from un1540.analytics.evidence import model as evidence_model
    from un1540.analytics.evidence.lexicon import load_lexicon
    from un1540.analytics.evidence.text import fold

    lexicon = load_lexicon()
    trained = store.current_model(model_dir, lexicon=lexicon)
    assert trained.char_linear is not None
    codes, weights, biases = trained.char_linear
    assert "@any" in codes  # model code 8: the groups beside the fields
    assert trained.word_vectoriser is not None  # model code 9: the word terms beside them
    assert trained.concept_vectoriser is not None  # model code 13: the concepts beside them
    width = (
        len(trained.vectoriser.vocabulary_)
        + len(trained.word_vectoriser.vocabulary_)
        + len(trained.concept_vectoriser.vocabulary_)
    )
    assert weights.shape == (len(codes), width)
    assert biases.shape == (len(codes),)
    labelled = [e for e in trained.examples if set(e.labels) & set(codes)]
    assert labelled
    above = 0
    for example in labelled[:20]:
        rows = evidence_model._regression_rows(
            trained,
            trained.vectoriser.transform([fold(example.text)]),
            [(example.text, example.language)],
            [evidence_model.analyse(lexicon, example.id, example.text, example.language)],
        )
        [scores] = evidence_model._char_linear_scores(trained.char_linear, rows)
        assert set(scores) == set(codes)
        above += all(scores[c] > biases[codes.index(c)] for c in example.labels if c in scores)
    assert above >= 15  # the regression fits its own training texts (penalty 0.3)


def test_the_char_regression_learns_whether_a_provision_is_evidence_at_all(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Model code 8 (CHAR_GROUPS): beside each field, the char regression learns whether a
    provision carries any field ("@any") and any field of each section ("@op2", ...); a section
    no example carries is left out, and a text like the labelled ones scores "@any" above a text
    like the hard negatives."""
    from un1540.analytics.evidence import model as evidence_model
    from un1540.analytics.evidence.devset import Label

    assert evidence_model.CHAR_GROUPS is True
    label = Label(("cw",), ("legal_framework",))
    texts = ["chemical weapons production", "chemical weapons manufacture", "chemical arms made"]
    texts += ["export licence for chemical weapons precursors"]
    texts += ["import permits for veterinary medicines", "pesticide labels", "medicines trade"]
    fields = [{"op2.manufacture": label}] * 3 + [{"op3cd.licensing": label}] + [{}] * 3
    pairs = enumerate(zip(texts, fields, strict=True))
    examples = [Example(str(i), t, "en", f"s{i}", dict(f)) for i, (t, f) in pairs]
    targets = evidence_model._group_targets(examples)
    assert targets.tolist()[0] == [1.0, 1.0, 0.0, 0.0]  # any, op2, op3ab, op3cd
    assert targets.tolist()[3] == [1.0, 0.0, 0.0, 1.0]
    assert targets.tolist()[4] == [0.0, 0.0, 0.0, 0.0]

    vectoriser = evidence_model._vectoriser()
    matrix = vectoriser.fit_transform(texts)
    monkeypatch.setattr(evidence_model, "CHAR_LINEAR", 1.0)
    codes = ["op2.manufacture", "op3cd.licensing"]
    monkeypatch.setattr(evidence_model, "LINEAR_MIN_POSITIVES", 1)
    fitted = evidence_model._fit_char_linear(matrix, examples, codes)
    assert fitted is not None
    assert fitted[0] == [*codes, "@any", "@op2", "@op3cd"]  # no example is op3ab
    new = vectoriser.transform(["manufacture of chemical weapons", "trade in veterinary medicines"])
    weapons, medicines = (s["@any"] for s in evidence_model._char_linear_scores(fitted, new))
    assert weapons > 0.5 > medicines


def test_the_regression_reads_word_terms_beside_the_n_grams(
    model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Model code 9 (WORD_TERMS): the char regression reads the TF-IDF of the provision's word
    terms and pairs of terms (lemmas, Arabic stems, Chinese words) beside its n-grams; its
    weights cover both, a text is scored through both, and the kernel train() sums (n-grams'
    products plus the terms') is the product of the rows side by side."""
    import numpy as np
    from scipy.sparse import hstack

    from un1540.analytics.evidence import model as evidence_model
    from un1540.analytics.evidence.lexicon import load_lexicon
    from un1540.analytics.evidence.text import fold
    from un1540.analytics.text.tokenise import index_terms

    assert evidence_model.WORD_TERMS is not None
    lexicon = load_lexicon()
    trained = store.current_model(model_dir, lexicon=lexicon)
    assert trained.word_vectoriser is not None
    assert trained.char_linear is not None
    words = trained.word_vectoriser.vocabulary_
    assert "chemical weapon" in words or "arme chimique" in words  # lemmas, in pairs
    concepts = trained.concept_vectoriser.vocabulary_
    width = len(trained.vectoriser.vocabulary_) + len(words) + len(concepts)
    assert trained.char_linear[1].shape[1] == width
    text, language = "Nul ne peut fabriquer des armes chimiques.", "fr"
    chars = trained.vectoriser.transform([fold(text)])
    provisions = [evidence_model.analyse(lexicon, "p", text, language)]
    rows = evidence_model._regression_rows(trained, chars, [(text, language)], provisions)
    assert rows.shape == (1, width)
    terms_end = len(trained.vectoriser.vocabulary_) + len(words)
    assert rows[0, len(trained.vectoriser.vocabulary_) : terms_end].nnz > 0  # the terms are read
    assert rows[0, terms_end:].nnz > 0  # and the concepts
    [with_terms] = evidence_model._char_linear_scores(trained.char_linear, rows)
    codes, weights, biases = trained.char_linear
    chars_only = np.asarray(chars @ weights[:, : chars.shape[1]].T).ravel() + biases
    assert any(
        abs(with_terms[c] - chars_only[i]) > 1e-3 for i, c in enumerate(codes)
    )  # the terms' weights count

    texts = [(e.text, e.language) for e in small_train_split()[:40]]
    char_rows = evidence_model._vectoriser().fit_transform([fold(t) for t, _ in texts])
    word_rows = 1.5 * evidence_model._word_vectoriser().fit_transform(
        [index_terms(t, lang) for t, lang in texts]
    )
    side_by_side = hstack([char_rows, word_rows]).tocsr()
    summed = evidence_model._char_kernel(char_rows) + evidence_model._char_kernel(word_rows)
    assert np.allclose(evidence_model._char_kernel(side_by_side), summed)
    monkeypatch.setattr(evidence_model, "WORD_TERMS", None)
    monkeypatch.setattr(evidence_model, "CONCEPT_TERMS", None)
    assert evidence_model._regression_rows(trained, chars, [(text, language)], provisions) is chars


def test_a_fields_scores_are_also_read_against_the_provisions_other_fields() -> None:
    """Model code 10 (RELATIVE_FEATURES): the pair model also reads a field's regression score
    minus the best other field of its section, minus the best other field of any section, and
    1 / its rank; the groups ("@any") are not fields and take no part."""
    from un1540.analytics.evidence import model as evidence_model

    assert evidence_model.RELATIVE_FEATURES is True
    scores = {"op2.use": 0.5, "op2.possess": 0.75, "op3cd.licensing": 0.25, "@any": 2.0}
    assert evidence_model._relative(scores, "op2.use", "op2") == [-0.25, -0.25, 0.5]
    assert evidence_model._relative(scores, "op2.possess", "op2") == [0.25, 0.25, 1.0]
    assert evidence_model._relative(scores, "op3cd.licensing", "op3cd") == [0.25, -0.5, 1 / 3]
    assert evidence_model._relative({}, "op2.use", "op2") == [0.0, 0.0, 1.0]


def test_the_pair_model_reads_the_provisions_language(model_dir: Path) -> None:
    """Model code 11 (LANGUAGE_FEATURES): each pair's features hold one column per language,
    1.0 for the provision's own; a text the lexicon finds nothing in, read as French and as
    Spanish, gets features that differ in those two columns and nowhere else."""
    from un1540.analytics.evidence import model as evidence_model
    from un1540.analytics.evidence.lexicon import load_lexicon
    from un1540.analytics.evidence.store import current_model
    from un1540.analytics.evidence.text import LANGUAGES

    assert evidence_model.LANGUAGE_FEATURES is True
    assert evidence_model._language_columns("zh") == [0.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    assert evidence_model._language_columns("xx") == [0.0] * len(LANGUAGES)
    lexicon = load_lexicon()
    trained = current_model(model_dir, lexicon=lexicon)
    rows = {}
    for language in ("fr", "es"):
        provision = evidence_model.analyse(lexicon, "p", "Qwzx vbnm 42.", language)
        assert provision.hits == {}
        rows[language] = evidence_model._features(
            trained,
            lexicon,
            provision,
            evidence_model.Neighbours([], [], {}),
            "op2.manufacture",
            evidence_model._context(lexicon, provision),
        )
    differing = [i for i, (a, b) in enumerate(zip(rows["fr"], rows["es"], strict=True)) if a != b]
    start = differing[0] - LANGUAGES.index("fr")
    assert differing == [start + LANGUAGES.index("fr"), start + LANGUAGES.index("es")]
    assert rows["fr"][start : start + len(LANGUAGES)] == evidence_model._language_columns("fr")
    assert rows["es"][start : start + len(LANGUAGES)] == evidence_model._language_columns("es")


def test_the_char_regression_from_the_whole_kernel_equals_its_own() -> None:
    """train() multiplies the n-gram rows once and gives each out-of-fold fit its slice of the
    products: the same regression as a fit that multiplies its own rows."""
    import numpy as np

    from un1540.analytics.evidence import model as evidence_model
    from un1540.analytics.evidence.text import fold

    examples = small_train_split()
    codes = sorted({c for e in examples for c in e.labels})
    matrix = evidence_model._vectoriser().fit_transform([fold(e.text) for e in examples])
    kernel = evidence_model._char_kernel(matrix)
    inside = [i for i in range(len(examples)) if i % 5]
    own = evidence_model._fit_char_linear(matrix[inside], [examples[i] for i in inside], codes)
    sliced = evidence_model._fit_char_linear(
        matrix[inside], [examples[i] for i in inside], codes, kernel=kernel[np.ix_(inside, inside)]
    )
    assert own is not None
    assert sliced is not None
    assert own[0] == sliced[0]
    assert len(own[0]) >= 5
    assert np.allclose(own[1], sliced[1], atol=1e-5)
    assert np.allclose(own[2], sliced[2])
    whole = evidence_model._out_of_fold_char(matrix, examples, codes)
    assert any(whole)  # every fold scored its examples
    assert whole == evidence_model._out_of_fold_char(matrix, examples, codes, kernel=kernel)


def test_the_joint_logistic_regressions_are_scikit_learns_one_per_field() -> None:
    """`_joint_logistic` solves every field's regression in one L-BFGS (round 18): each field's
    probabilities are those of scikit-learn's LogisticRegression with the classes balanced and
    the same sample weights, fitted alone."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from un1540.analytics.evidence import model as evidence_model

    random = np.random.default_rng(7)
    inputs = random.normal(size=(400, 12)) / 3
    truth = random.normal(size=(12, 3))
    targets = (inputs @ truth + random.normal(size=(400, 3)) > np.array([0.5, 1.2, 2.0])) * 1.0
    weights = np.where(random.random((400, 3)) < 0.1, 2.0, 1.0)
    assert 10 < targets[:, 2].sum() < 100  # one rare field, as most are
    coefficients, intercepts = evidence_model._joint_logistic(inputs, targets, weights, 1.0)
    for field in range(3):
        alone = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000, tol=1e-8)
        alone.fit(inputs, targets[:, field], sample_weight=weights[:, field])
        joint = 1.0 / (1.0 + np.exp(-(inputs @ coefficients[field] + intercepts[field])))
        assert np.abs(joint - alone.predict_proba(inputs)[:, 1]).max() < 0.01, field


@pytest.mark.parametrize(
    "item", [PROVISIONS[0], PROVISIONS[3], PROVISIONS[5]], ids=["fr", "zh", "ar"]
)
def test_the_wording_quotes_the_words_that_weighed_for_the_field(
    model_dir: Path, item: dict[str, Any]
) -> None:
    """Model code 7: each suggestion's explanation names up to three words of the provision, as
    written, whose character n-grams weighed most FOR the field in the char regression, strongest
    first; in Chinese the words are those of the segmentation, not n-grams across words."""
    from un1540.analytics.evidence import model as evidence_model
    from un1540.analytics.evidence.lexicon import load_lexicon
    from un1540.analytics.text.tokenise import spans

    lexicon = load_lexicon()
    trained = store.current_model(model_dir, lexicon=lexicon)
    text = str(item["text"])
    (suggested,) = evidence_model.suggest(
        trained, lexicon, [("p", text, item.get("language"))], threshold=0.0
    )
    worded = [s for s in suggested.suggestions if s.explanation["wording"]]
    assert worded, "at least one suggestion names its wording"
    words = {word for word, _, _ in spans(text)}
    for suggestion in suggested.suggestions:
        wording = suggestion.explanation["wording"]
        assert len(wording) <= evidence_model.WORDING_SHOWN
        weights = [item["weight"] for item in wording]
        assert weights == sorted(weights, reverse=True)
        assert all(weight > 0 for weight in weights)
        assert {item["phrase"] for item in wording} <= words
        # Numbers and stray letters weigh in the n-grams but explain nothing (session 27's
        # trial showed "1"): never quoted.
        assert all(sum(c.isalpha() for c in item["phrase"]) >= 1 for item in wording)
        if wording:
            assert f"wording: “{wording[0]['phrase']}”" in suggestion.explanation["summary"]


def test_a_number_or_a_stray_letter_is_no_wording() -> None:
    from un1540.analytics.evidence.model import _says_something

    assert not any(_says_something(word) for word in ("1", "12", "a", "§", "(b)", "I", "la", "un"))
    assert all(_says_something(word) for word in ("use", "than", "毒", "化学武器", "يحظر", "من"))


def test_the_regression_reads_the_concepts_alike_in_every_language(model_dir: Path) -> None:
    """Model code 13 (CONCEPT_TERMS, round 28): beside its n-grams and word terms, the char
    regression reads the lexicon's concepts a provision matches and their pairs, the same in
    every language: a Chinese and an English prohibition of the same acts share nothing in
    their n-grams, and much in their concepts, so the regression's weights learnt from either
    reach the other."""
    import numpy as np

    from un1540.analytics.evidence import model as evidence_model
    from un1540.analytics.evidence.lexicon import load_lexicon

    lexicon = load_lexicon()
    trained = store.current_model(model_dir, lexicon=lexicon)
    assert trained.concept_vectoriser is not None
    english = evidence_model.analyse(
        lexicon, "en", "No person shall produce or use chemical weapons.", "en"
    )
    chinese = evidence_model.analyse(lexicon, "zh", "禁止生产、使用化学武器。", "zh")
    assert {"act.manufacture", "act.use", "weapon.cw"} <= set(english.hits) & set(chinese.hits)
    terms = evidence_model._concept_terms(chinese.hits)
    assert "act.manufacture+act.use" in terms  # pairs, in the lexicon's order
    rows = evidence_model._concept_rows(trained, [english, chinese])
    assert rows is not None
    chars = trained.vectoriser.transform([english.text, chinese.text])
    assert float((chars[0] @ chars[1].T).sum()) == 0.0  # no n-gram in common
    assert float(np.asarray((rows[0] @ rows[1].T).todense()).sum()) > 0.5 * 0.5 * 0.5


def test_a_text_of_a_word_or_two_gets_no_suggestion(model_dir: Path) -> None:
    """Session 28's trial: "chemical weapons" alone got five OP2 acts from its neighbours. A
    provision says what it evidences only past a few words (none of the development set is
    that short); a short real prohibition still counts."""
    from un1540.analytics.evidence import model as evidence_model
    from un1540.analytics.evidence.lexicon import load_lexicon

    assert not evidence_model.says_enough("chemical weapons", "en")
    assert not evidence_model.says_enough("化学武器", "zh")
    assert not evidence_model.says_enough("Article 5", "en")
    assert evidence_model.says_enough("Chemical weapons are prohibited.", "en")
    assert evidence_model.says_enough("禁止使用化学武器。", "zh")
    lexicon = load_lexicon()
    trained = store.current_model(model_dir, lexicon=lexicon)
    short, longer = evidence_model.suggest(
        trained,
        lexicon,
        [("a", "chemical weapons", "en"), ("b", str(PROVISIONS[0]["text"]), "fr")],
        every_candidate=True,
    )
    assert short.suggestions == []
    assert longer.suggestions


def test_a_provision_naming_no_weapon_takes_its_laws(model_dir: Path) -> None:
    """Session 28's trial: the police powers of a biological weapons act were suggested for
    nuclear weapons, the weapons of similar provisions of other laws. A provision that names
    and cites no weapon takes those its document's title names."""
    from un1540.analytics.evidence import model as evidence_model
    from un1540.analytics.evidence.lexicon import load_lexicon

    lexicon = load_lexicon()
    trained = store.current_model(model_dir, lexicon=lexicon)
    text = (
        "Officers of the judicial police may enter any premises, inspect any stock and seize "
        "any document or sample, and shall report every offence under this Act."
    )
    (scoped,) = evidence_model.suggest(
        trained,
        lexicon,
        [("p", text, "en")],
        every_candidate=True,
        scopes=["Biological Weapons (Prohibition) Act"],
    )
    about_bw = [s for s in scoped.suggestions if "bw" in lexicon.fields[s.field].weapons]
    assert about_bw
    assert all(s.weapons == ["bw"] for s in about_bw)
    named = evidence_model.suggest(
        trained,
        lexicon,
        [("q", "Whoever stockpiles nuclear material shall be punished.", "en")],
        every_candidate=True,
        scopes=["Biological Weapons (Prohibition) Act"],
    )[0]
    assert all(s.weapons == ["nw"] for s in named.suggestions if "nw" in s.weapons)  # its own
    assert all("bw" not in s.weapons for s in named.suggestions)
