"""A law's provisions and their evidence suggestions: GET the suggestions, POST a decision
(confirm puts the provision on the draft's cells as evidence; reject is kept)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.api.test_workflow_api import Tokens, tokens  # noqa: F401  (the fixture)
from tests.factories import make_user
from un1540.models import Evidence, Provision, SuggestionDecision, SuggestionVerdict, Visibility
from un1540.services.documents.actions import DocumentInput, UploadedFile
from un1540.services.kernel.access import system_viewer
from un1540.services.library.actions import ingest_document
from un1540.services.matrix.reads.editions import entry_for, find_edition

LAW = """Article 1. Short title
This Act may be cited as the Chemical Weapons (Prohibition) Act.
Article 2. Prohibition
Any person who develops, produces, manufactures, acquires, stockpiles, retains or uses chemical
weapons commits an offence and is liable on conviction to imprisonment for life.
Article 3. Export licences
No person shall export a toxic chemical or its precursor listed in the Schedule without a licence
issued by the Minister; whoever contravenes this section is liable to a fine.
"""


def law_with_suggestions(
    sessions: sessionmaker[Session],
    files_dir: Path,
    *,
    iso3: str = "TCD",
    text: str = LAW,
    title: str = "Chemical Weapons (Prohibition) Act",
    language: str = "en",
    visibility: Visibility = Visibility.owning_state_and_committee,
) -> tuple[int, list[int]]:
    """A law of the State read into the library, restricted to the State and the Committee
    unless told: its id and its articles' (or paragraphs') ids."""
    with sessions() as session, session.begin():
        document = ingest_document(
            session,
            viewer=system_viewer("tests"),
            document=DocumentInput(
                kind="legislation",
                title=title,
                language=language,
                iso3=iso3,
                visibility=visibility,
            ),
            upload=UploadedFile(name="cw-act.txt", content=text.encode()),
            files_dir=files_dir,
            max_bytes=1_000_000,
        )
        articles = session.scalars(
            select(Provision.id)
            .where(Provision.document_id == document.id, Provision.level == 2)
            .order_by(Provision.position)
        ).all()
        return document.id, list(articles)


def test_suggestions_and_decisions_through_the_api(
    evidence_model_dir: Path,
    empty_client: TestClient,
    empty_sessions: sessionmaker[Session],
    tokens: Tokens,  # noqa: F811
    tmp_path: Path,
) -> None:
    client = empty_client
    document_id, articles = law_with_suggestions(empty_sessions, tmp_path)
    prohibition = articles[1]
    url = f"/api/v1/documents/{document_id}/provisions/{prohibition}/suggestions"
    assert client.get(url).status_code == 404  # the public may not see the law
    assert client.get(url, headers=tokens.other_poc).status_code == 404
    assert client.get(url, headers=tokens.poc).status_code == 403  # sees the law, not this
    wrong = f"/api/v1/documents/{document_id + 1000}/provisions/{prohibition}/suggestions"
    assert client.get(wrong, headers=tokens.expert).status_code == 404
    answer = client.get(url, headers=tokens.expert)
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["provision_id"] == prohibition
    assert data["article"]
    assert data["suggestions"], "the prohibition of chemical weapons gets a suggestion"
    chosen = data["suggestions"][0]
    assert chosen["id"] == chosen["field"]
    assert not chosen["field"].startswith("op1.")
    assert chosen["explanation"]["summary"]
    assert chosen["decision"] is None
    assert client.get(url, headers=tokens.committee).json()["suggestions"] == data["suggestions"]

    decide = f"{url}/{chosen['id']}/decision"
    confirm = {"verdict": "confirm", "edition": 1, "reason": "art. 2 is the prohibition"}
    assert client.post(decide, json=confirm, headers=tokens.poc).status_code == 403
    assert client.post(decide, json=confirm).status_code == 404
    # No draft open for editing: edition 1 does not exist yet.
    assert client.post(decide, json=confirm, headers=tokens.expert).status_code == 404
    assert (
        client.post(decide, json={"verdict": "confirm"}, headers=tokens.expert).status_code == 422
    )
    opened = client.post("/api/v1/states/TCD/editions", json={}, headers=tokens.expert)
    assert opened.status_code == 201, opened.text
    number = opened.json()["edition"]["number"]
    confirm["edition"] = number
    # The Committee may decide, but only experts write on drafts.
    assert client.post(decide, json=confirm, headers=tokens.committee).status_code == 403
    done = client.post(decide, json=confirm, headers=tokens.expert)
    assert done.status_code == 201, done.text
    result = done.json()
    assert result["decision"]["verdict"] == "confirmed"
    assert result["decision"]["edition"] == number
    assert result["evidence_cells"] == [
        f"{chosen['field']}:{w}:{c}" for w in chosen["weapons"] for c in chosen["columns"]
    ]
    cell = result["evidence_cells"][0]
    shown = client.get(f"/api/v1/states/TCD/editions/{number}/cells/{cell}", headers=tokens.expert)
    assert shown.status_code == 200, shown.text
    evidence = shown.json()["evidence"]
    assert [(e["document"]["id"], e["article"]) for e in evidence] == [(document_id, "2")]
    assert evidence[0]["page"] == "1"
    assert "chemical" in evidence[0]["quotation"]
    again = client.get(url, headers=tokens.expert).json()
    decided = next(s for s in again["suggestions"] if s["id"] == chosen["id"])
    assert decided["decision"]["verdict"] == "confirmed"
    assert decided["decision"]["reason"] == "art. 2 is the prohibition"

    # Reject another suggestion (or the same field on another article): kept as a negative.
    title = articles[0]
    other = f"/api/v1/documents/{document_id}/provisions/{title}/suggestions"
    candidates = client.get(other, headers=tokens.expert).json()["suggestions"]
    target, field = (other, candidates[0]["id"]) if candidates else (url, chosen["id"])
    rejected = client.post(
        f"{target}/{field}/decision", json={"verdict": "reject"}, headers=tokens.committee
    )
    assert rejected.status_code == 201, rejected.text
    assert rejected.json()["evidence_cells"] == []
    nothing = client.post(
        f"{url}/op1.not_a_suggestion/decision", json={"verdict": "reject"}, headers=tokens.expert
    )
    assert nothing.status_code == 404
    with empty_sessions() as session:
        kept = session.scalars(
            select(SuggestionDecision).where(SuggestionDecision.document_id == document_id)
        ).all()
        assert sorted(d.verdict for d in kept) == sorted(
            [SuggestionVerdict.confirmed, SuggestionVerdict.rejected]
        )
        expert = make_user(session, role="expert", email="check@example.org")
        _, edition = find_edition(session, viewer=expert, iso3="TCD", number=number)
        entry = entry_for(session, edition, cell)
        assert session.scalars(
            select(Evidence.article).where(Evidence.cell_entry_id == entry.id)
        ).all() == ["2"]
        session.rollback()


def test_an_edit_names_the_field_weapons_or_columns(
    evidence_model_dir: Path,
    empty_client: TestClient,
    empty_sessions: sessionmaker[Session],
    tokens: Tokens,  # noqa: F811
    tmp_path: Path,
) -> None:
    document_id, articles = law_with_suggestions(empty_sessions, tmp_path)
    url = f"/api/v1/documents/{document_id}/provisions/{articles[1]}/suggestions"
    chosen = empty_client.get(url, headers=tokens.expert).json()["suggestions"][0]
    number = empty_client.post(
        "/api/v1/states/TCD/editions", json={}, headers=tokens.expert
    ).json()["edition"]["number"]
    decide = f"{url}/{chosen['id']}/decision"
    bare = empty_client.post(
        decide, json={"verdict": "edit", "edition": number}, headers=tokens.expert
    )
    assert bare.status_code == 422
    assert "weapons" in bare.text
    edited = empty_client.post(
        decide,
        json={"verdict": "edit", "edition": number, "columns": ["enforcement"]},
        headers=tokens.expert,
    )
    assert edited.status_code == 201, edited.text
    assert edited.json()["decision"]["columns"] == ["enforcement"]
    assert all(c.endswith(":enforcement") for c in edited.json()["evidence_cells"])
    # Issue 10, item 5: an edit may choose another field (OP2 or OP3, never OP1).
    other = "op2.possess" if chosen["field"] != "op2.possess" else "op2.manufacture"
    for wrong in ("op1.npt", "op9.nothing"):
        refused = empty_client.post(
            decide,
            json={"verdict": "edit", "edition": number, "field": wrong},
            headers=tokens.expert,
        )
        assert refused.status_code == 422, refused.text
        # The field the request named, and only it (session 28's trial: "chosen_field", and
        # a false "weapons" problem beside it).
        assert {p["where"] for p in refused.json()["error"]["problems"]} == {"field"}
    # Session 28's trial: each refusal names what is wrong, and nothing is silently dropped.
    for body, where in (
        # an "edit" that changes nothing
        ({"weapons": chosen["weapons"], "columns": chosen["columns"]}, "weapons"),
        ({"columns": []}, "columns"),  # no column at all: the columns, not the weapons
        ({"weapons": ["xw"]}, "weapons[0]"),  # by its place in the list
        ({"verdict": "confirm", "weapons": ["nw"]}, "weapons"),  # only an edit chooses them
        ({"verdict": "reject", "columns": ["enforcement"]}, "columns"),
    ):
        refused = empty_client.post(
            decide,
            json={"verdict": "edit", "edition": number, **body},
            headers=tokens.expert,
        )
        assert refused.status_code == 422, (body, refused.text)
        assert where in {p["where"] for p in refused.json()["error"]["problems"]}, refused.text
    unreadable = empty_client.post(
        decide,
        content=b'{"verdict": ',
        headers={**tokens.expert, "Content-Type": "application/json"},
    )
    assert unreadable.status_code == 400, unreadable.text  # as the API's description says
    assert unreadable.json()["error"]["code"] == "invalid_body"
    missing = empty_client.post(decide, headers=tokens.expert)  # no body at all: named "body"
    assert missing.status_code == 422, missing.text
    assert {p["where"] for p in missing.json()["error"]["problems"]} == {"body"}
    moved = empty_client.post(
        decide, json={"verdict": "edit", "edition": number, "field": other}, headers=tokens.expert
    )
    assert moved.status_code == 201, moved.text
    decision = moved.json()["decision"]
    assert (decision["field"], decision["chosen_field"]) == (chosen["field"], other)
    assert moved.json()["evidence_cells"]
    assert all(c.startswith(f"{other}:") for c in moved.json()["evidence_cells"])


@pytest.mark.parametrize("verdict", ["approve", ""])
def test_a_bad_verdict_is_refused(
    evidence_model_dir: Path,
    empty_client: TestClient,
    tokens: Tokens,  # noqa: F811
    verdict: str,
) -> None:
    answer = empty_client.post(
        "/api/v1/documents/1/provisions/1/suggestions/op2.manufacture/decision",
        json={"verdict": verdict},
        headers=tokens.expert,
    )
    assert answer.status_code in (404, 422)


CITING_LAW = """Article 1. Prohibition
No person shall develop, produce, acquire or stockpile chemical weapons.
Article 2. Penalties
Whoever contravenes article 1 shall be liable on conviction to imprisonment for life.
"""


def test_a_penalty_article_is_suggested_with_the_article_it_cites(
    evidence_model_dir: Path, empty_sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """Document context (docs/evidence.md): the library's link from a penalty article to the
    article it cites gives the model that article's text, and the cache keeps them apart."""
    from un1540.analytics.evidence.lexicon import load_lexicon
    from un1540.analytics.evidence.model import suggest
    from un1540.services.evidence import review
    from un1540.services.evidence.reads import suggestion_model

    with empty_sessions() as session, session.begin():
        document = ingest_document(
            session,
            viewer=system_viewer("tests"),
            document=DocumentInput(
                kind="legislation",
                title="CW Act",
                language="en",
                iso3="TCD",
                visibility=Visibility.owning_state_and_committee,
            ),
            upload=UploadedFile(name="cw-cited.txt", content=CITING_LAW.encode()),
            files_dir=tmp_path,
            max_bytes=1_000_000,
        )
        prohibition, penalty = session.scalars(
            select(Provision)
            .where(Provision.document_id == document.id, Provision.level == 2)
            .order_by(Provision.position)
        ).all()
        assert review._cited(session, [prohibition, penalty]) == {penalty.id: (prohibition.text,)}
        found, _, _ = review._suggestions(session, [penalty], directory=evidence_model_dir)
        model = suggestion_model(evidence_model_dir)
        lexicon = load_lexicon()
        (with_context,) = suggest(
            model,
            lexicon,
            [("p", penalty.text, "en")],
            cited=[[prohibition.text]],
            scopes=["CW Act"],  # its document's title (session 28)
        )
        assert [s.field for s in found[penalty.id]] == [s.field for s in with_context.suggestions]
        cited = (prohibition.text,)
        assert review._key(penalty, cited, "", "v") != review._key(penalty, (), "", "v")
        assert review._key(penalty, cited, "CW Act", "v") != review._key(penalty, cited, "", "v")
