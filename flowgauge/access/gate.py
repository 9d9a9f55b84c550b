"""The sign-in gate in front of every page, and the role checks pages and write paths call.

With no [sign_in] in force (a laptop on loopback) everyone is an admin and nothing changes. With one, a signed-out
visitor sees only a sign-in screen (no snapshot is opened), a signed-in person not on the allow-list sees one line
saying so, and everyone else gets their role. The role is worked out again from Streamlit's signed identity
(`st.user`, read from a cookie Streamlit signed) on every call: it is never kept where a browser could set it.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, unquote, urlsplit

import streamlit as st
from streamlit.errors import StreamlitAPIException

from flowgauge.access.roles import NotAllowed, Role, check_role, role_for
from flowgauge.org_config.sign_in import SignIn
from flowgauge.ui.text import plain

RETURN_COOKIE = "fg_return"  # the link a signed-out visitor opened, kept in their browser across the provider's pages
_RETURN_MAX_SECONDS = 15 * 60
_MAX_LINK_CHARS = 4000

# The [sign_in] in force for this process (None: no sign-in). The frame sets it from the config on every run; it is
# a module value rather than session state because a browser can send values for session-state keys.
_sign_in: SignIn | None = None


def configure(sign_in: SignIn | None) -> None:
    """Set the [sign_in] in force for this server process (None: no sign-in)."""
    global _sign_in
    _sign_in = sign_in


def sign_in_in_force() -> SignIn | None:
    """The [sign_in] this process enforces, or None."""
    return _sign_in


def current_role() -> Role:
    """The role of the person this run serves: admin when there is no sign-in; NotAllowed when signed out or not
    on the allow-list."""
    if _sign_in is None:
        return Role.ADMIN
    user = st.user
    if user.get("is_logged_in") is not True:
        raise NotAllowed("Sign in to use this dashboard")
    return role_for(_sign_in, _text(user.get("email")), user.get("email_verified"))


def signed_in_email() -> str | None:
    """The signed-in person's address as the provider gave it (for "edited by"); None without sign-in."""
    if _sign_in is None or st.user.get("is_logged_in") is not True:
        return None
    return _text(st.user.get("email"))


def can(role: Role | str) -> bool:
    """Whether the person this run serves has at least this role (never raises)."""
    try:
        return current_role() >= _role(role)
    except NotAllowed:
        return False


def require(role: Role | str, action: str) -> None:
    """Raise RoleRequired (or NotAllowed) unless the person has at least this role; call it in the function that
    writes, not only where the widget is drawn. action names what was tried: "Uploading files"."""
    check_role(current_role(), _role(role), action)


def enforce(page_url_path: str) -> None:
    """Stop the run unless the visitor may see pages: draw the sign-in screen or the refusal instead.

    page_url_path is the page being run ("" for the default page), to tell whether a shared link opened before
    signing in still has to be reopened.
    """
    if _sign_in is None:
        return
    user = st.user
    if user.get("is_logged_in") is not True:
        _draw_sign_in(provider_settings_found="is_logged_in" in user)
        st.stop()
    try:
        role = current_role()
    except NotAllowed as refusal:
        st.error(plain(str(refusal)), icon=":material/block:")
        if st.button("Sign out", key="fg_sign_out_refused"):
            st.logout()
        st.stop()
    _reopen_shared_link(page_url_path)
    side = st.sidebar
    side.caption(plain(f"Signed in as {_text(user.get('email'))} ({role.label})"))
    if side.button("Sign out", key="fg_sign_out", icon=":material/logout:"):
        st.logout()


def _draw_sign_in(provider_settings_found: bool) -> None:
    st.title("Flowgauge")
    # Remember the link that was opened (page and view) in this browser: the provider sends everyone back to the app's
    # root, and the first run after signing in reopens it from there.
    st.html(
        "<script>document.cookie = "
        f"'{RETURN_COOKIE}=' + encodeURIComponent(location.pathname + location.search) + "
        f"'; path=/; max-age={_RETURN_MAX_SECONDS}; samesite=lax' + "
        "(location.protocol === 'https:' ? '; secure' : '');</script>",
        unsafe_allow_javascript=True,
    )
    if not provider_settings_found:
        st.error(
            "This dashboard requires sign-in ([sign_in] in flowgauge.toml), but the server was started without the "
            "provider's settings (see docs/sign-in.md).",
            icon=":material/block:",
        )
        return
    st.write("This organisation's delivery metrics are for signed-in colleagues only.")
    if st.button("Sign in", type="primary", key="fg_sign_in", icon=":material/login:"):
        try:
            st.login()
        except StreamlitAPIException as error:  # Streamlit's settings are incomplete: say so in one line
            st.error(plain(" ".join(str(error).split())))


def return_link(cookie: str | None) -> str | None:
    """The app-relative link kept in the return cookie, or None when there is none or it is not a plain path on this
    server (so it can never send anyone to another site)."""
    if not cookie:
        return None
    link = unquote(cookie)
    parts = urlsplit(link)
    if (
        len(link) > _MAX_LINK_CHARS
        or not link.startswith("/")
        or link.startswith("//")
        or "\\" in link
        or parts.scheme
        or parts.netloc
        or any(ord(char) < 0x20 or ord(char) == 0x7F for char in link)
    ):
        return None
    return link


def is_current_view(link: str, base_path: str, page_url_path: str, query: dict[str, list[str]]) -> bool:
    """Whether link opens the page and query parameters this run already shows."""
    parts = urlsplit(link)
    path = parts.path.strip("/")
    base = base_path.strip("/")
    if base:
        if path != base and not path.startswith(base + "/"):
            return False
        path = path[len(base) :].strip("/")
    return path == page_url_path.strip("/") and parse_qs(parts.query, keep_blank_values=True) == query


def _reopen_shared_link(page_url_path: str) -> None:
    cookie = st.context.cookies.get(RETURN_COOKIE)
    if not isinstance(cookie, str):  # no link kept
        return
    link = return_link(cookie)
    forget = f"document.cookie = '{RETURN_COOKIE}=; path=/; max-age=0';"
    query = {key: st.query_params.get_all(key) for key in st.query_params}
    base_path = st.get_option("server.baseUrlPath") or ""
    if link is None or is_current_view(link, base_path, page_url_path, query):
        st.html(f"<script>{forget}</script>", unsafe_allow_javascript=True)
        return
    # json.dumps quotes the link for JavaScript; "</" is escaped so it cannot close the script element.
    target = json.dumps(link).replace("</", "<\\/")
    st.html(f"<script>{forget} window.location.replace({target});</script>", unsafe_allow_javascript=True)
    st.caption("Opening the link you followed…")
    st.stop()


def _role(role: Role | str) -> Role:
    return role if isinstance(role, Role) else Role[role.upper()]


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
