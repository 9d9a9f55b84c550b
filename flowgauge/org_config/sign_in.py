"""The `[sign_in]` table of `flowgauge.toml`: the OpenID Connect provider, who may sign in, and each person's role.

Secrets never appear in the file: it names the environment variables that hold the client secret and the cookie
secret, and `flowgauge serve` reads them when it starts.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from flowgauge.org_config.config import _Reader

DEFAULT_CLIENT_SECRET_ENV = "FLOWGAUGE_OIDC_CLIENT_SECRET"
DEFAULT_COOKIE_SECRET_ENV = "FLOWGAUGE_COOKIE_SECRET"
DEFAULT_PROMPT = "select_account"
PROMPTS = ("select_account", "login", "consent", "none")
_KEYS = {
    "provider",
    "client_id",
    "client_secret_env",
    "cookie_secret_env",
    "public_url",
    "prompt",
    "allow",
    "viewers",
    "editors",
    "admins",
}
_PEOPLE = ("allow", "viewers", "editors", "admins")
_SECRET_KEYS = {"client_secret": "client_secret_env", "cookie_secret": "cookie_secret_env"}
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DOMAIN = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+"
# An address (local part without spaces or a second @) or a whole domain written "@acme.com".
_ADDRESS = re.compile(rf"^[^@\s]+@{_DOMAIN}$")
_WHOLE_DOMAIN = re.compile(rf"^@{_DOMAIN}$")


@dataclass(frozen=True)
class SignIn:
    """Sign-in with one OpenID Connect provider; people are e-mail addresses or whole domains ("@acme.com")."""

    provider: str  # the provider's metadata URL (.../.well-known/openid-configuration)
    client_id: str
    client_secret_env: str
    cookie_secret_env: str
    public_url: str  # where people open the dashboard; the provider sends them back to PUBLIC_URL/oauth2callback
    prompt: str
    allow: tuple[str, ...]
    viewers: tuple[str, ...]
    editors: tuple[str, ...]
    admins: tuple[str, ...]

    @property
    def redirect_uri(self) -> str:
        """The callback URL to register with the provider."""
        return f"{self.public_url}/oauth2callback"


def read_sign_in(reader: _Reader, value: Any) -> SignIn | None:
    """The [sign_in] table validated (None when the file has none): every mistake is one line with file and line."""
    if value is None:
        return None
    where = ("sign_in",)
    reader.expect_table(where, value)
    for key, named in _SECRET_KEYS.items():
        if key in value:
            raise reader.fail((*where, key), f"secrets never go in the file: set {named} to the variable's NAME")
    reader.unknown(where, value, _KEYS)
    if "provider" not in value:
        raise reader.fail(where, 'give provider = "https://.../.well-known/openid-configuration"')
    if "public_url" not in value:
        raise reader.fail(where, 'give public_url = "https://flowgauge.example.com" (where people open the dashboard)')
    if "client_id" not in value:
        raise reader.fail(where, 'give client_id = "..." as registered with the provider')
    prompt = reader.string((*where, "prompt"), value.get("prompt", DEFAULT_PROMPT))
    if prompt not in PROMPTS:
        raise reader.fail((*where, "prompt"), f"{prompt!r}: choose one of {', '.join(PROMPTS)}")
    people = {key: _people(reader, (*where, key), value.get(key, [])) for key in _PEOPLE}
    if not any(people.values()):
        raise reader.fail(where, 'nobody could sign in: list addresses or "@domain"s in ' + ", ".join(_PEOPLE))
    return SignIn(
        provider=_http_url(reader, (*where, "provider"), value["provider"]),
        client_id=reader.string((*where, "client_id"), value["client_id"]),
        client_secret_env=_env_name(reader, (*where, "client_secret_env"), value, DEFAULT_CLIENT_SECRET_ENV),
        cookie_secret_env=_env_name(reader, (*where, "cookie_secret_env"), value, DEFAULT_COOKIE_SECRET_ENV),
        public_url=_http_url(reader, (*where, "public_url"), value["public_url"]),
        prompt=prompt,
        **people,
    )


def _people(reader: _Reader, where: tuple, value: Any) -> tuple[str, ...]:
    entries = reader.strings(where, value)
    normalised = []
    for entry in entries:
        text = entry.strip().lower()
        if not (_ADDRESS.match(text) or _WHOLE_DOMAIN.match(text)):
            raise reader.fail(where, f"{entry!r}: expected an e-mail address (ana@acme.com) or a domain (@acme.com)")
        normalised.append(text)
    return tuple(normalised)


def _env_name(reader: _Reader, where: tuple, table: dict[str, Any], default: str) -> str:
    value = reader.string(where, table.get(where[-1], default))
    if not _ENV_NAME.match(value):
        # The value is not repeated: it may be the secret itself.
        raise reader.fail(
            where,
            "must be the NAME of the environment variable holding the secret (letters, digits, _), never the secret",
        )
    return value


def _http_url(reader: _Reader, where: tuple, value: Any) -> str:
    """An https URL; plain http only on a loopback host, where nothing crosses a network."""
    if isinstance(value, str) and "@" in urlsplit(value).netloc:
        raise reader.fail(where, "credentials never go in the URL")
    url = reader.url(where, value)
    parts = urlsplit(url)
    if parts.query or parts.fragment:
        raise reader.fail(where, f"{url!r}: no query or fragment")
    if url.startswith("http://") and not is_loopback_host(urlsplit(url).hostname or ""):
        raise reader.fail(where, f"{url!r}: use https (plain http is only for a loopback address such as 127.0.0.1)")
    return url


def is_loopback_host(host: str) -> bool:
    """localhost or a loopback address: only this machine reaches it."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
