"""`un1540 evidence retrain [--full]`: the kept model learns the experts' decisions (not those
of held-out documents), from the command line as an operator runs it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.analytics.test_evidence_suggest import small_train_split
from tests.conftest import DatabaseFactory
from tests.factories import make_user
from tests.services.test_evidence_decisions import _document, _input
from un1540.analytics.evidence import store
from un1540.cli import app
from un1540.db.engine import make_session_factory
from un1540.models import SuggestionVerdict
from un1540.services.evidence.actions import decide_suggestion
from un1540.settings import get_settings


def test_retrain_updates_the_kept_model_and_full_trains_it_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = DatabaseFactory("sqlite", None, tmp_path).create(demo=False)
    with make_session_factory(engine)() as session:
        with session.begin():
            expert = make_user(session, role="expert")
            trained = _document(session, trained=True)
            held = _document(session, trained=False)
        for document_id in (trained, held):
            decide_suggestion(
                session, viewer=expert, data=_input(document_id, SuggestionVerdict.rejected)
            )
    database_url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    models = tmp_path / "models"
    monkeypatch.setattr(store, "train_split", lambda directories=None: small_train_split())
    monkeypatch.setenv("UN1540_DATABASE_URL", database_url)
    monkeypatch.setenv("UN1540_EVIDENCE_MODEL_DIR", str(models))
    get_settings.cache_clear()
    try:
        updated = CliRunner().invoke(app, ["evidence", "retrain"], env={"COLUMNS": "200"})
        assert updated.exit_code == 0, updated.output
        examples = len(small_train_split()) + 1  # the held-out document's decision is not one
        assert f"{examples} provisions, 1 from decisions" in updated.output
        assert (models / store.BASE).exists()
        assert (models / store.CURRENT).exists()
        kept = store.current_model(models)
        assert kept.char_linear is not None
        full = CliRunner().invoke(app, ["evidence", "retrain", "--full"], env={"COLUMNS": "200"})
        assert full.exit_code == 0, full.output
        assert f"{examples} provisions, 1 from decisions" in full.output
        retrained = store.current_model(models)
        assert retrained.version in full.output
        assert retrained.examples == kept.examples
        # trained as a whole: the n-gram regression learnt the decision too (an update keeps
        # the base model's)
        assert retrained.char_linear is not None
        assert not np.array_equal(retrained.char_linear[1], kept.char_linear[1])
    finally:
        get_settings.cache_clear()
