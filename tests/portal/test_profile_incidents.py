"""A State's page and an organisation's page list the incidents concerning them, record by
record only for those entitled: the public never meets a restricted record, nor a count of it.
(Before this, neither page listed any incident.)"""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_user
from un1540.schemas.incidents import IncidentCreate
from un1540.services.accounts.actions import issue_token
from un1540.services.incidents.actions import record_incident
from un1540.services.kernel.access import PUBLIC, Viewer
from un1540.services.profiles.reads import organisation_profile, state_profile

PUBLIC_MARK = "PUBLIC-INCIDENT-on-the-profile"
RESTRICTED_MARK = "RESTRICTED-INCIDENT-3f9e"
PROVIDER_MARK = "PROVIDER-RESTRICTED-INCIDENT-a71c"


def _incident(session: Session, viewer: Viewer, day: int, summary: str, **fields: object) -> None:
    record_incident(
        session,
        viewer=viewer,
        data=IncidentCreate(
            occurred_on=date(2021, 3, day),
            states=["TCD"],
            category="radioactive",
            material_class="sealed_source",
            kind="theft",
            source=str(fields.pop("source", "state_reported")),
            confirmation="confirmed",
            summary=summary,
            **fields,  # type: ignore[arg-type]
        ),
    )


def test_the_state_and_organisation_pages_list_only_what_the_reader_may_see(
    empty_session: Session, empty_client: TestClient
) -> None:
    expert = make_user(empty_session, role="expert", email="expert@example.org")
    provider = make_user(empty_session, role="provider", email="prov@example.org", org="iaea")
    poc = make_user(empty_session, role="state_poc", email="poc@example.org", iso3="TCD")
    _incident(empty_session, expert, 1, PUBLIC_MARK)
    _incident(empty_session, expert, 2, RESTRICTED_MARK, restricted=True)
    _incident(empty_session, provider, 3, PROVIDER_MARK, source="organisation", restricted=True)

    public = state_profile(empty_session, viewer=PUBLIC, iso3="TCD").incidents
    assert public is not None
    assert (public.total, [i.summary for i in public.items]) == (1, [PUBLIC_MARK])
    full = state_profile(empty_session, viewer=expert, iso3="TCD").incidents
    assert full is not None
    assert full.total == 3
    assert [i.summary for i in full.items] == [PROVIDER_MARK, RESTRICTED_MARK, PUBLIC_MARK]
    chad = state_profile(empty_session, viewer=poc, iso3="TCD").incidents
    assert chad is not None
    assert chad.total == 1  # neither restricted record was shared with Chad
    iaea = organisation_profile(empty_session, viewer=provider, code="iaea").incidents
    assert iaea is not None
    assert [i.summary for i in iaea.items] == [PROVIDER_MARK]
    public_iaea = organisation_profile(empty_session, viewer=PUBLIC, code="iaea").incidents
    assert public_iaea is not None
    assert public_iaea.total == 0

    # The pages: the public sees the public record and no trace of the restricted ones.
    page = empty_client.get("/states/TCD")
    assert 'id="profile-incidents"' in page.text
    assert PUBLIC_MARK in page.text
    assert RESTRICTED_MARK not in page.text
    assert PROVIDER_MARK not in page.text
    assert "1 incident(s) that you may see." in page.text
    organisation_page = empty_client.get("/organisations/iaea")
    assert 'id="profile-incidents"' in organisation_page.text
    assert PROVIDER_MARK not in organisation_page.text
    # The provider sees its own restricted record on its organisation's page.
    _, token = issue_token(empty_session, email="prov@example.org", scope="read", actor="t")
    own = empty_client.get("/organisations/iaea", headers={"Authorization": f"Bearer {token}"})
    assert PROVIDER_MARK in own.text
    profile_json = empty_client.get("/api/v1/states/TCD/profile").json()
    assert [i["summary"] for i in profile_json["incidents"]["items"]] == [PUBLIC_MARK]
    assert ",incident," in empty_client.get("/api/v1/states/TCD/profile.csv").text
