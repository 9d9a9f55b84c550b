"""The sign-in gate in the frame: signed out sees only a sign-in screen, roles decide upload and authors, writes check.

Streamlit's identity (`st.user`) is seeded through AppTest.user, as Streamlit's signed cookie would set it; the
browser tests in test_access_browser.py sign in for real against an OpenID Connect provider.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from flowgauge.access import gate
from flowgauge.access.gate import is_current_view, return_link
from flowgauge.organisation_data import load_organisation
from flowgauge.ui.text import plain

ROOT = Path(__file__).resolve().parents[1]
CONFIG = """\
[sign_in]
provider = "http://127.0.0.1:9/.well-known/openid-configuration"
client_id = "flowgauge"
public_url = "http://127.0.0.1:8501"
allow = ["@acme.example"]
editors = ["editor@acme.example"]
admins = ["admin@acme.example"]

[[files]]
folder = "exports"
"""
VIEWER = {"is_logged_in": True, "email": "viewer@acme.example", "email_verified": True}
EDITOR = {"is_logged_in": True, "email": "editor@acme.example"}
ADMIN = {"is_logged_in": True, "email": "admin@acme.example"}
SURVEY = b"date,team,question,score,respondent\n2026-06-10,platform,Ease of release,4,a1\n"


@pytest.fixture(autouse=True)
def no_sign_in_left_behind():
    """The [sign_in] in force is a process value: put it back so other tests' pages run without sign-in."""
    yield
    gate.configure(None)


@pytest.fixture
def signed_app(app_data_dir, tmp_path, monkeypatch):
    """app.py over a private copy of the fixture snapshot, with a flowgauge.toml that asks for sign-in."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(app_data_dir / "demo.duckdb", data / "demo.duckdb")
    config = tmp_path / "flowgauge.toml"
    config.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("FLOWGAUGE_DATA_DIR", str(data))
    monkeypatch.setenv("FLOWGAUGE_CONFIG", str(config))

    def make(user: dict) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.user = dict(user)
        return at

    return make, data


def test_signed_out_sees_only_the_sign_in_screen_and_no_data_is_opened(tmp_path, monkeypatch):
    empty = tmp_path / "data"  # no snapshot: a frame that ran would generate the demo here
    config = tmp_path / "flowgauge.toml"
    config.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("FLOWGAUGE_DATA_DIR", str(empty))
    monkeypatch.setenv("FLOWGAUGE_CONFIG", str(config))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception
    assert [title.value for title in at.title] == ["Flowgauge"]
    assert [button.label for button in at.button] == ["Sign in"]
    assert not at.selectbox and not at.metric and not at.dataframe  # no filters, no numbers
    assert not empty.exists()  # no demo generated, no snapshot opened


def test_without_provider_settings_the_sign_in_screen_says_so(signed_app):
    make, _ = signed_app
    at = make({}).run()  # Streamlit has no [auth] settings: st.user has no is_logged_in at all
    assert [error.value for error in at.error] == [
        "This dashboard requires sign-in ([sign_in] in flowgauge.toml), but the server was started without the "
        "provider's settings (see docs/sign-in.md)."
    ]
    assert not at.button and not at.selectbox


def test_someone_not_on_the_allow_list_is_refused_in_one_line(signed_app):
    make, _ = signed_app
    at = make({"is_logged_in": True, "email": "ana@elsewhere.example"}).run()
    assert [error.value for error in at.error] == [
        plain(
            "ana@elsewhere.example may not use this dashboard; ask its admins to add you to [sign_in] in flowgauge.toml"
        )
    ]
    assert [button.label for button in at.button] == ["Sign out"]
    assert not at.selectbox and not at.metric


def test_an_address_the_provider_has_not_verified_is_refused(signed_app):
    make, _ = signed_app
    at = make({"is_logged_in": True, "email": "admin@acme.example", "email_verified": False}).run()
    assert [error.value for error in at.error] == [
        plain("The provider has not verified admin@acme.example; verify it there, then sign in again")
    ]
    assert not at.metric


@pytest.mark.parametrize(
    ("user", "role", "uploads", "authors"),
    [(VIEWER, "viewer", False, False), (EDITOR, "editor", True, False), (ADMIN, "admin", True, True)],
)
def test_each_role_sees_what_it_may_use(signed_app, user, role, uploads, authors):
    make, _ = signed_app
    at = make(user).run()
    assert not at.exception and at.metric  # every role reads every page
    assert plain(f"Signed in as {user['email']} ({role})") in [caption.value for caption in at.sidebar.caption]

    at.switch_page("flowgauge/dashboard/pages/data.py").run()
    assert not at.exception
    assert ("Upload files" in [tab.label for tab in at.tabs]) is uploads
    assert bool(at.get("file_uploader")) is uploads

    at.query_params["from"], at.query_params["to"] = "2026-01-01", "2026-06-30"
    at.switch_page("flowgauge/dashboard/pages/pull_requests.py").run()
    assert not at.exception
    assert ("Show authors" in [toggle.label for toggle in at.toggle]) is authors


def _upload_as(user: dict, config: Path, snapshot: Path) -> AppTest:
    """Call the upload's write path directly, as a forged request reaching it would, under the given identity."""

    def script(config_path: str, target: str, survey: bytes) -> None:
        from pathlib import Path

        from flowgauge.access import gate
        from flowgauge.access.config_file import sign_in_of
        from flowgauge.ui.upload import save_upload

        gate.configure(sign_in_of(Path(config_path)))
        save_upload([("survey.csv", survey)], "auto", None, Path(target))

    at = AppTest.from_function(script, args=(str(config), str(snapshot), SURVEY), default_timeout=60)
    at.user = dict(user)
    return at.run()


def test_the_upload_write_path_refuses_a_viewer_and_writes_nothing(signed_app, tmp_path):
    _, data = signed_app
    snapshot = data / "demo.duckdb"
    digest = hashlib.sha256(snapshot.read_bytes()).hexdigest()
    at = _upload_as(VIEWER, tmp_path / "flowgauge.toml", snapshot)
    assert not at.exception
    assert [error.value for error in at.error] == [
        "Nothing was written: " + plain("Uploading files needs the editor role; you are signed in as a viewer")
    ]
    assert hashlib.sha256(snapshot.read_bytes()).hexdigest() == digest

    signed_out = _upload_as({"is_logged_in": False}, tmp_path / "flowgauge.toml", snapshot)
    refusal = "Nothing was written: " + plain("Sign in to use this dashboard")
    assert [error.value for error in signed_out.error] == [refusal]
    assert hashlib.sha256(snapshot.read_bytes()).hexdigest() == digest


def test_an_editor_uploads_through_the_data_page(signed_app):
    make, data = signed_app
    snapshot = data / "demo.duckdb"
    digest = hashlib.sha256(snapshot.read_bytes()).hexdigest()
    at = make(EDITOR).run()
    at.switch_page("flowgauge/dashboard/pages/data.py").run()
    at.file_uploader(key="fg_upload").upload("survey.csv", SURVEY, "text/csv").run()
    at.button(key="fg_import_go").click().run()
    assert not at.exception and not at.error
    assert any(plain("Imported into demo.duckdb") in success.value for success in at.success)
    assert hashlib.sha256(snapshot.read_bytes()).hexdigest() != digest


@pytest.mark.parametrize(
    ("cookie", "link"),
    [
        ("%2Fteams%3Fteam%3Dpayments%26stat%3Dp75", "/teams?team=payments&stat=p75"),
        ("/", "/"),
        ("%2F%2Fevil.example%2Fteams", None),  # another site, written as a protocol-relative link
        ("https%3A%2F%2Fevil.example%2F", None),
        ("%2F%5Cevil.example", None),  # a backslash some browsers read as a slash
        ("teams", None),
        ("%2Fteams%0D%0ASet-Cookie%3A%20x", None),
        ("", None),
        (None, None),
    ],
)
def test_only_a_plain_path_on_this_server_is_reopened_after_sign_in(cookie, link):
    assert return_link(cookie) == link


def test_the_view_already_shown_is_not_reopened():
    query = {"team": ["payments"], "stat": ["p75"]}
    assert is_current_view("/teams?team=payments&stat=p75", "", "teams", query)
    assert is_current_view("/dash/teams?team=payments&stat=p75", "dash", "teams", query)
    assert not is_current_view("/teams?team=payments", "", "teams", query)
    assert not is_current_view("/dora?team=payments&stat=p75", "", "teams", query)
    assert is_current_view("/", "", "", {})
    assert not is_current_view("/teams?team=payments&stat=p75", "", "", {})  # landed on the root after sign-in


def _whoami(user: dict, config: Path | None) -> AppTest:
    def script(config_path: str | None) -> None:
        from pathlib import Path

        import streamlit as st

        from flowgauge.access import current_role, gate, signed_in_email
        from flowgauge.access.config_file import sign_in_of

        gate.configure(sign_in_of(Path(config_path)) if config_path else None)
        st.text(f"{signed_in_email()} {current_role().label}")

    at = AppTest.from_function(script, args=(str(config) if config else None,), default_timeout=60)
    at.user = dict(user)
    return at.run()


def test_the_signed_in_address_and_role_for_edit_logs(signed_app, tmp_path):
    config = tmp_path / "flowgauge.toml"
    assert [text.value for text in _whoami(EDITOR, config).text] == ["editor@acme.example editor"]
    # Without sign-in there is nobody to name, and everyone may do everything, as on a laptop.
    assert [text.value for text in _whoami(EDITOR, None).text] == ["None admin"]


def _save_initiative_as(user: dict, config: Path, snapshot: Path) -> AppTest:
    """Call the Impact page's write path directly, as a forged request reaching it would, under the given identity."""

    def script(config_path: str, target: str) -> None:
        from datetime import date
        from pathlib import Path

        from flowgauge.access import gate
        from flowgauge.access.config_file import sign_in_of
        from flowgauge.organisation_data import Initiative, save_initiative
        from flowgauge.ui.impact_cards import _apply

        gate.configure(sign_in_of(Path(config_path)))
        rota = Initiative("Smaller PRs", date(2026, 4, 1), teams=("payments",), metrics=("pr_size",))
        _apply(lambda: save_initiative(Path(target), rota, "forged"), "Initiative saved.")

    at = AppTest.from_function(script, args=(str(config), str(snapshot)), default_timeout=60)
    at.user = dict(user)
    return at.run()


def test_a_viewer_gets_no_forms_and_saving_an_initiative_is_refused_where_it_is_written(signed_app, tmp_path):
    make, data = signed_app
    at = make(VIEWER).run()
    at.switch_page("flowgauge/dashboard/pages/impact.py").run()
    assert not at.exception
    assert not any(button.label == "Save initiative" for button in at.button)
    assert "Creating and editing initiatives and goals is for editors: ask an admin for the editor role." in [
        caption.value for caption in at.caption
    ]
    forged = _save_initiative_as(VIEWER, tmp_path / "flowgauge.toml", data / "demo.duckdb")
    refusal = plain("Editing initiatives and goals needs the editor role; you are signed in as a viewer")
    assert refusal in [error.value for error in forged.error]
    assert load_organisation(data / "demo.duckdb").initiative("Smaller PRs") is None


def test_an_editor_saves_an_initiative_logged_under_the_signed_in_address(signed_app):
    make, data = signed_app
    at = make(EDITOR).run()
    at.switch_page("flowgauge/dashboard/pages/impact.py").run()
    assert not any(text.label == "Your name, for the change log" for text in at.text_input)
    next(text for text in at.text_input if text.label == "Name").input("Smaller PRs")
    next(select for select in at.multiselect if select.label == "Teams it touched").select("payments")
    next(button for button in at.button if button.label == "Save initiative").click().run()
    assert not at.exception and not at.error
    kept = load_organisation(data / "demo.duckdb")
    assert kept.initiative("Smaller PRs") is not None
    assert (kept.changes[-1].by, kept.changes[-1].action) == ("editor@acme.example", "create")
