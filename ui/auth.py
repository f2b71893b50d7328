"""Sign-in for the app: streamlit-authenticator's login form and cookie, decided by the core.

How the pieces fit (issue 12):
- The credentials streamlit-authenticator checks are built on every run from the users table
  (`ecomintel.accounts.login.credentials`: bcrypt hashes, only users who may sign in now — a disabled or
  locked user is not in them); there is no credentials file.
- A wrong password is counted by the core (`record_failure`: lockout after N, audited): we see it as the
  widget's own failure counter of that user going up during the run.
- A right password is confirmed by the core (`complete_login`: refuses disabled/locked users, audits) and
  the widget sets its re-authentication cookie (a JWT signed with ECOMINTEL_AUTH_COOKIE_KEY or the install's
  generated key).
- Every run, the session (or, after a reload, the cookie) is checked by the core (`check_session`): expired
  after ECOMINTEL_SESSION_HOURS, refused after a logout (which ends every session of the user), a password
  change, a disable or a lockout. The user's role and tenant are read from the database on every run, so a
  role change takes effect at the next click and nothing a browser sends can raise it.
- We never let the widget sign anybody in from a cookie by itself (`st.session_state["logout"] = True` before
  it runs): a cookie is only good when the core says so.
"""

from __future__ import annotations

import contextlib
import time
from datetime import datetime
from typing import Any

import streamlit as st

from ecomintel.accounts import invites, login, sessions
from ecomintel.accounts.login import SignedIn
from ecomintel.accounts.policy import COOKIE_NAME, AuthPolicy, cookie_key
from ecomintel.db.scoped import utcnow
from ui import errors, state

USER_KEY = "auth_user"  # SignedIn of this browser session
ISSUED_KEY = "auth_issued"  # when the session started (password sign-in, or the cookie's issue time)
NOTICE_KEY = "auth_notice"
COOKIE_PAUSE_S = 1.0  # lets the browser run the cookie component before the page reruns


def policy() -> AuthPolicy:
    return AuthPolicy.from_settings(state.settings())


def _cookie_days() -> float:
    return policy().session_hours / 24.0


def authenticator(credentials: dict[str, Any]) -> Any:
    import streamlit_authenticator as stauth

    return stauth.Authenticate(credentials, COOKIE_NAME, cookie_key(state.settings()),
                               cookie_expiry_days=_cookie_days(), auto_hash=False)


def _start(user: SignedIn, issued_at: datetime) -> None:
    st.session_state[USER_KEY] = user
    st.session_state[ISSUED_KEY] = issued_at


def _forget() -> None:
    for key in (USER_KEY, ISSUED_KEY):
        st.session_state.pop(key, None)
    st.session_state["authentication_status"] = None  # the widget shows its form again


def current_user() -> SignedIn | None:
    """The signed-in user of this run, checked against the database (session, else the cookie), or None."""
    engine = state.engine()
    user = st.session_state.get(USER_KEY)
    issued = st.session_state.get(ISSUED_KEY)
    if isinstance(user, SignedIn) and isinstance(issued, datetime):
        checked = sessions.check_session(engine, user.username, issued, policy())
        if checked is not None:
            st.session_state[USER_KEY] = checked  # role/tenant as the database has them now
            return checked
        _forget()
        st.session_state[NOTICE_KEY] = "Your session ended (expired, signed out elsewhere, or changed by an admin). " \
                                       "Please sign in again."
        return None
    if st.session_state.get("logout"):
        return None  # signed out in this browser session: its cookie is not used again
    token = st.context.cookies.get(COOKIE_NAME) if st.context.cookies else None
    claim = sessions.cookie_claim(token, cookie_key(state.settings()), _cookie_days()) if token else None
    if claim is None:
        return None
    checked = sessions.check_session(engine, claim[0], claim[1], policy())
    if checked is not None:
        _start(checked, claim[1])
    return checked


def _invite_form(code: str) -> None:
    st.subheader("Accept your invitation")
    about = invites.invite_summary(state.engine(), code)
    if about is None:
        st.error("This invitation is unknown, already used or expired.", icon=":material/error:")
        st.caption("Ask an admin of your team for a new invitation link.")
        return
    st.markdown(f"You are invited to **{about['tenant']}** as **{about['role']}** "
                f"(the link is valid until {str(about['expires_at'])[:16]} UTC).")
    st.caption("Choose your user name and password.")
    with st.form("invite"):
        username = st.text_input("User name", max_chars=100, help="Lowercase letters, digits, . _ @ -")
        name = st.text_input("Your name", max_chars=200)
        password = st.text_input("Password", type="password", max_chars=200, help="At least 8 characters.")
        again = st.text_input("Password again", type="password", max_chars=200)
        submitted = st.form_submit_button("Create my account", type="primary")
    if submitted:
        with errors.guarded("accepting the invitation"):
            if password != again:
                st.error("The two passwords differ.")
                return
            user = invites.accept_invite(state.engine(), code, username, password, name=name)
            del st.query_params["invite"]
            st.session_state[NOTICE_KEY] = f"Account {user.username!r} created ({user.role}). Sign in below."
            st.rerun()


def login_page() -> None:
    """Shown instead of the app when demo mode is off and nobody is signed in."""
    st.title("ecomintel")
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.info(notice, icon=":material/info:")
    # a link pasted with a trailing "/" or space ("…?invite=CODE/") still works: a code never contains "/"
    # (URL-safe base64), and the refusal ("unknown, used or expired") would not tell the newcomer why
    code = str(st.query_params.get("invite") or "").strip().rstrip("/")
    if code:
        _invite_form(code[:200])
        st.divider()
    st.caption("Sign in with your ecomintel user name and password. No account? Ask an admin of your tenant "
               "for an invitation.")
    engine = state.engine()
    creds = login.credentials(engine)
    counts = {name: entry.get("failed_login_attempts", 0) for name, entry in creds["usernames"].items()}
    auth = authenticator(creds)
    st.session_state["logout"] = True  # the widget must not sign in from a cookie by itself (see module doc)
    from streamlit_authenticator.utilities import LoginError

    try:
        auth.login(location="main", key="login",
                   fields={"Form name": "Sign in", "Username": "User name", "Password": "Password",
                           "Login": "Sign in"})
    except LoginError as exc:
        st.error(str(exc))
        return
    failed = [n for n, e in creds["usernames"].items() if e.get("failed_login_attempts", 0) > counts.get(n, 0)]
    for name in failed:
        result = login.record_failure(engine, name, policy())
        if result.reason == "locked":
            st.session_state["authentication_status"] = None
            st.error(result.message)
            return
    status = st.session_state.get("authentication_status")
    if status is False:
        st.error("Unknown user or wrong password.")
        st.session_state["authentication_status"] = None
        return
    if status and st.session_state.get("username"):
        result = login.complete_login(engine, str(st.session_state["username"]))
        if not result.ok or result.user is None:
            st.session_state["authentication_status"] = None
            st.error(result.message)
            return
        _start(result.user, utcnow())
        st.session_state["logout"] = False
        st.success(f"Signed in as {result.user.username}.")
        time.sleep(COOKIE_PAUSE_S)  # the cookie component reaches the browser before the rerun replaces it
        st.rerun()


def sign_out() -> None:
    """End every session of the user (server side), drop the cookie and this session's state."""
    user = st.session_state.get(USER_KEY)
    if isinstance(user, SignedIn):
        sessions.end_sessions(state.engine(), user)
    # the browser forgets the cookie (a copy of it is refused anyway: the sessions ended above)
    with contextlib.suppress(Exception):  # a cookie that was never set: nothing to delete
        authenticator({"usernames": {}}).cookie_controller.delete_cookie()
    _forget()
    st.session_state["logout"] = True
    st.session_state["authentication_status"] = None
    state.sign_out()
    time.sleep(COOKIE_PAUSE_S / 2)
