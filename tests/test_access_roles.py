"""[sign_in] in flowgauge.toml: every key read, every mistake one line with file and line, and each person's role."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowgauge.access.roles import NotAllowed, Role, RoleRequired, check_role, role_for
from flowgauge.org_config import ConfigError, load_org_config

SOURCE = '[[files]]\nfolder = "exports"\n'
SIGN_IN = """\
[sign_in]
provider = "https://login.acme.example/.well-known/openid-configuration"
client_id = "flowgauge"
client_secret_env = "ACME_OIDC_SECRET"
cookie_secret_env = "ACME_COOKIE_SECRET"
public_url = "https://flowgauge.acme.example/"
prompt = "login"
allow = ["@acme.example", "Contractor@Example.org"]
viewers = ["auditor@bank.example"]
editors = ["@platform.acme.example", "lead@acme.example"]
admins = ["cto@acme.example"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "flowgauge.toml"
    path.write_text(text + SOURCE, encoding="utf-8")
    return path


def test_every_key_of_sign_in_is_read(tmp_path):
    sign_in = load_org_config(write(tmp_path, SIGN_IN)).sign_in
    assert sign_in.provider == "https://login.acme.example/.well-known/openid-configuration"
    assert (sign_in.client_id, sign_in.client_secret_env, sign_in.cookie_secret_env) == (
        "flowgauge",
        "ACME_OIDC_SECRET",
        "ACME_COOKIE_SECRET",
    )
    assert sign_in.public_url == "https://flowgauge.acme.example"
    assert sign_in.redirect_uri == "https://flowgauge.acme.example/oauth2callback"
    assert sign_in.prompt == "login"
    assert sign_in.allow == ("@acme.example", "contractor@example.org")  # compared without case
    assert (sign_in.viewers, sign_in.editors, sign_in.admins) == (
        ("auditor@bank.example",),
        ("@platform.acme.example", "lead@acme.example"),
        ("cto@acme.example",),
    )


def test_defaults_and_no_sign_in(tmp_path):
    assert load_org_config(write(tmp_path, "")).sign_in is None
    minimal = '[sign_in]\nprovider = "http://127.0.0.1:9/.well-known/openid-configuration"\nclient_id = "fg"\n'
    minimal += 'public_url = "http://localhost:8501"\nallow = ["@acme.example"]\n'
    sign_in = load_org_config(write(tmp_path, minimal)).sign_in
    assert (sign_in.client_secret_env, sign_in.cookie_secret_env, sign_in.prompt) == (
        "FLOWGAUGE_OIDC_CLIENT_SECRET",
        "FLOWGAUGE_COOKIE_SECRET",
        "select_account",
    )
    assert (sign_in.viewers, sign_in.editors, sign_in.admins) == ((), (), ())


def _replace(line_start: str, new_line: str) -> str:
    lines = [new_line if line.startswith(line_start) else line for line in SIGN_IN.splitlines()]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (SIGN_IN + 'client_secret = "s3cr3t-value"\n', ":12: sign_in.client_secret: secrets never go in the file"),
        (SIGN_IN + 'cookie_secret = "s3cr3t-value"\n', ":12: sign_in.cookie_secret: secrets never go in the file"),
        (
            _replace("client_secret_env", 'client_secret_env = "s3cr3t-value"'),
            ":4: sign_in.client_secret_env: must be the NAME of the environment variable",
        ),
        (_replace("provider", 'provider = "http://login.acme.example/x"'), ":2: sign_in.provider: 'http://login.acm"),
        (_replace("public_url", 'public_url = "https://u:s3cr3t-value@acme.example"'), ":6: sign_in.public_url: cred"),
        (_replace("public_url", 'public_url = "flowgauge.acme.example"'), ":6: sign_in.public_url: 'flowgauge.acme.e"),
        (_replace("public_url", 'public_url = "https://acme.example/?next=1"'), ":6: sign_in.public_url: 'https://a"),
        (_replace("public_url", ""), ":1: sign_in: give public_url ="),
        (_replace("provider", ""), ":1: sign_in: give provider ="),
        (_replace("client_id", ""), ":1: sign_in: give client_id ="),
        (_replace("prompt", 'prompt = "always"'), ":7: sign_in.prompt: 'always': choose one of select_account"),
        (_replace("admins", 'admins = ["cto"]'), ":11: sign_in.admins: 'cto': expected an e-mail address"),
        (_replace("allow", 'allow = ["@*.acme.example"]'), ":8: sign_in.allow: '@*.acme.example': expected"),
        (_replace("editors", 'editors = "@acme"'), ":10: sign_in.editors: '@acme': expected an e-mail address"),
        (_replace("viewers", "viewers = 3"), ":9: sign_in.viewers: expected a list of strings"),
        (SIGN_IN + 'roles = ["admin"]\n', ":12: sign_in.roles: unknown key; expected one of admins, allow"),
        (
            "[sign_in]\nprovider = 'https://a.example/x'\nclient_id = 'fg'\npublic_url = 'https://b.example'\n",
            ":1: sign_in: nobody could sign in",
        ),
        ("sign_in = 'yes'\n", ":1: sign_in: expected a table"),
    ],
)
def test_each_sign_in_mistake_is_one_line_with_file_and_line(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as raised:
        load_org_config(path)
    error = str(raised.value)
    assert error.startswith(str(path)) and message in error, error
    assert "\n" not in error
    assert "s3cr3t" not in error  # a secret pasted by mistake is never repeated


@pytest.fixture
def sign_in(tmp_path):
    return load_org_config(write(tmp_path, SIGN_IN)).sign_in


@pytest.mark.parametrize(
    ("email", "role"),
    [
        ("cto@acme.example", Role.ADMIN),
        ("CTO@Acme.Example", Role.ADMIN),  # addresses compare without case
        ("lead@acme.example", Role.EDITOR),  # listed as an editor, and allowed by domain: the higher role
        ("ana@platform.acme.example", Role.EDITOR),  # an editors' domain
        ("ana@acme.example", Role.VIEWER),  # allowed by domain, in no role list: a viewer
        ("contractor@example.org", Role.VIEWER),
        ("auditor@bank.example", Role.VIEWER),  # in a role list only: allowed
    ],
)
def test_the_highest_role_that_names_a_person_wins(sign_in, email, role):
    assert role_for(sign_in, email) is role


@pytest.mark.parametrize(
    ("email", "verified", "message"),
    [
        ("ana@evil-acme.example", None, "ana@evil-acme.example may not use this dashboard; ask its admins"),
        ("ana@sub.acme.example", None, "ana@sub.acme.example may not use this dashboard"),  # no subdomains
        ("other@example.org", None, "other@example.org may not use this dashboard"),
        ("cto@acme.example", False, "The provider has not verified cto@acme.example"),
        (None, None, "The provider gave no e-mail address for your account"),
        ("", None, "The provider gave no e-mail address for your account"),
    ],
)
def test_people_not_allowed_are_refused_in_one_line(sign_in, email, verified, message):
    with pytest.raises(NotAllowed) as raised:
        role_for(sign_in, email, verified)
    assert str(raised.value).startswith(message) and "\n" not in str(raised.value)


def test_a_verified_address_is_accepted(sign_in):
    assert role_for(sign_in, "cto@acme.example", True) is Role.ADMIN


def test_check_role_refuses_a_lower_role_and_names_the_role_needed():
    check_role(Role.EDITOR, Role.EDITOR, "Uploading files")
    check_role(Role.ADMIN, Role.EDITOR, "Uploading files")
    with pytest.raises(RoleRequired, match="^Uploading files needs the editor role; you are signed in as a viewer$"):
        check_role(Role.VIEWER, Role.EDITOR, "Uploading files")
    with pytest.raises(RoleRequired, match="^Showing authors needs the admin role; you are signed in as an editor$"):
        check_role(Role.EDITOR, Role.ADMIN, "Showing authors")


def test_the_example_in_docs_sign_in_is_a_valid_config(tmp_path):
    docs = (Path(__file__).parent.parent / "docs" / "sign-in.md").read_text(encoding="utf-8")
    example = docs.split("```toml\n", 1)[1].split("```", 1)[0]
    sign_in = load_org_config(write(tmp_path, example)).sign_in
    assert sign_in.redirect_uri == "https://flowgauge.acme.com/oauth2callback"
    assert [role_for(sign_in, email) for email in ("cto@acme.com", "lead@acme.com", "ana@acme.com")] == [
        Role.ADMIN,
        Role.EDITOR,
        Role.VIEWER,
    ]
