"""Suggestions explained in words in the six languages: the sentence from the structured reasons
(every catalogue words it), and the request's page shows it in the reader's language."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.factories import make_user
from tests.portal.test_workflow_pages import sign_in
from un1540.reference.languages import UN_LANGUAGES
from un1540.schemas.assistance import MatchReason
from un1540.services.accounts.actions import issue_token
from un1540.services.assistance.explain import sentence
from un1540.web.i18n import catalogue

REASONS = [
    MatchReason(code="fields", covered=["op2.manufacture", "op2.use"], missing=["op2.transport"]),
    MatchReason(code="weapons", covered=["cw"], missing=["bw"]),
    MatchReason(code="help_types", covered=["training"]),
    MatchReason(code="languages", covered=["fr"], missing=[]),
    MatchReason(code="region", covered=["african"]),
    MatchReason(code="capacity", left=3, total=5),
]

EXPECTED = {
    "en": "covers 2 of 3 requested fields, chemical only; offers training; works in French; "
    "works in African Group; capacity 3 of 5 left",
    "fr": "couvre 2 des 3 champs demandés, chimique uniquement; propose : formation; "
    "travaille en français; intervient dans : Groupe des États d'Afrique; "
    "capacité restante : 3 sur 5",
    "ar": "يغطي 2 من 3 من الحقول المطلوبة، الكيميائية فقط؛ يقدم: التدريب؛",
    "zh": "涵盖所请求的3个领域中的2个、仅化学；提供：",
    "ru": "охватывает 2 из 3 запрошенных полей, только химическое; предлагает: обучение",
    "es": "cubre 2 de los 3 campos solicitados, solo químico; ofrece: capacitación",
}


@pytest.mark.parametrize("language", UN_LANGUAGES)
def test_the_reasons_are_worded_in_each_language(language: str) -> None:
    translations = catalogue(language)
    worded = sentence(REASONS, lambda message: translations.get(message, message), language)
    assert worded.startswith(EXPECTED[language]), worded
    if language != "en":
        english = sentence(REASONS)
        assert not set(english.split("; ")) & set(worded.split("; ")), worded


def test_an_accepted_pair_outside_the_gate_is_worded_too() -> None:
    reasons = [
        MatchReason(code="fields", missing=["op2.use"]),
        MatchReason(code="weapons", missing=["bw"]),
        MatchReason(code="help_types", missing=["equipment"]),
        MatchReason(code="languages", missing=["es"]),
        MatchReason(code="region", missing=["americas"]),
        MatchReason(code="capacity", left=0, total=1),
    ]
    assert sentence(reasons) == (
        "covers none of the requested fields, none of the requested weapon categories; "
        "offers none of the kinds of help asked for; does not work in Spanish; "
        "works outside the requester's region; capacity 0 of 1 left"
    )


def test_the_request_page_explains_each_suggestion_in_the_readers_language(
    empty_client: TestClient, empty_sessions: sessionmaker[Session]
) -> None:
    client = empty_client
    headers = {}
    with empty_sessions() as session, session.begin():
        for name, role, iso3, org in [
            ("expert", "expert", None, None),
            ("poc", "state_poc", "TCD", None),
            ("opcw", "provider", None, "opcw"),
        ]:
            email = f"{name}@example.org"
            make_user(session, role=role, email=email, iso3=iso3, org=org)
            _, token = issue_token(session, email=email, scope="write", actor="tests")
            headers[name] = {"Authorization": f"Bearer {token}"}
    offer = {
        "title": "CWC legislation",
        "fields": ["op2.manufacture"],
        "weapons": ["cw"],
        "help_types": ["legislative_drafting"],
        "languages": ["fr"],
        "regions": ["african"],
        "capacity": 2,
    }
    assert client.post("/api/v1/assistance/offers", json=offer, headers=headers["opcw"]).is_success
    request = {
        "title": "Chemical legislation",
        "consent": "providers",
        "items": [
            {
                "description": "Penal provisions",
                "fields": ["op2.manufacture", "op2.use"],
                "weapons": ["cw"],
                "help_types": ["legislative_drafting"],
                "languages": ["fr"],
            }
        ],
    }
    created = client.post("/api/v1/assistance/requests", json=request, headers=headers["poc"])
    request_id = created.json()["request"]["id"]
    sign_in(client, "poc@example.org")
    english = client.get(f"/assistance/requests/{request_id}?lang=en").text
    assert (
        "covers 1 of 2 requested fields, chemical; offers legislative drafting; works in French; "
        "works in African Group; capacity 2 of 2 left"
    ) in english
    french = client.get(f"/assistance/requests/{request_id}?lang=fr").text
    assert "couvre 1 des 2 champs demandés, chimique; propose : rédaction législative" in french
    arabic = client.get(f"/assistance/requests/{request_id}?lang=ar").text
    assert "يغطي 1 من 2 من الحقول المطلوبة، الكيميائية؛" in arabic
