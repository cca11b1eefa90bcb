"""Who is asking: a Bearer access token (API callers) or the signed session cookie (browsers).

The session cookie holds a random session id, the account's id and username, when its access
token expires, when the session ends (its refresh token's validity), and the refresh token sealed
(encrypted: see sealing.py). Once the access token's hour is up the next request refreshes it at
Cognito, which fails (and signs the browser out) when the account was deleted, disabled or its
token revoked. A sign-out is also shared through Redis for the session's whole life, so a copy of
the cookie dies with it even across renewals, and even when Cognito could not revoke the token.
The cookie is the session, so signing in and out keep working while Redis is down.
"""

import secrets
import time

from flask import current_app, g, request, session, url_for

from photoshare_shared.userpool import REFRESH_TOKEN_DAYS
from photoshare_web.accounts.cognito import UNAVAILABLE, AccountError, Tokens
from photoshare_web.accounts.provider import accounts
from photoshare_web.accounts.sealing import SealBroken, seal, unseal
from photoshare_web.accounts.tokens import Identity, InvalidToken, KeysUnavailable, UnacceptableUsername
from photoshare_web.errors import HttpError

SESSION_KEY = "account"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_RENEWAL_RETRY_S = 60
_SESSION_S = REFRESH_TOKEN_DAYS * 24 * 3600  # Cognito refuses the refresh token after this


def sign_in_required(message: str, *, token_refused: bool = False) -> HttpError:
    """401 with the Bearer challenge; a person asking for a page by GET is sent to sign in instead.

    Not when a token was refused: it comes again with the next request, so sending its bearer to
    the sign-in page would only loop.
    """
    challenge = 'Bearer realm="photoshare"' + (', error="invalid_token"' if token_refused else "")
    sign_in = None
    if request.method == "GET" and not token_refused:
        sign_in = url_for("accounts.signin", next=request.full_path.rstrip("?"))
    return HttpError(401, message, headers={"WWW-Authenticate": challenge}, page_redirect=sign_in)


def load_user() -> None:
    """Resolve the caller once per request into g.user (None when anonymous)."""
    g.user, g.signed_in_by = None, None
    header = request.headers.get("Authorization")
    if header is not None:
        g.user, g.signed_in_by = _bearer_identity(header), "token"
        return
    g.user = _session_identity()
    if g.user is not None:
        g.signed_in_by = "session"


def current_user() -> Identity | None:
    """The signed-in account of this request, if any."""
    return g.get("user")


def require_user(action: str) -> Identity:
    """The signed-in account, or 401 "Sign in to <action>."."""
    user = current_user()
    if user is None:
        raise sign_in_required(f"Sign in to {action}.")
    return user


def protect_cookie_writes() -> None:
    """A state change authorised by the session cookie must carry the page's CSRF token."""
    if g.get("signed_in_by") == "session" and request.method not in _SAFE_METHODS:
        current_app.extensions["csrf"].protect()


def remember(identity: Identity, tokens: Tokens, *, renewal: bool = False) -> None:
    """Sign this browser in, or renew its sign-in (the cookie is the session: nothing is kept here)."""
    now = int(time.time())
    saved = session.get(SESSION_KEY) or {}
    if not renewal:
        session.clear()  # a new sign-in starts from nothing; a renewal keeps the CSRF token and messages
        saved = {"sid": secrets.token_urlsafe(16), "ends_at": now + _SESSION_S}
    session[SESSION_KEY] = {
        "sid": saved["sid"],
        "sub": identity.sub,
        "username": identity.username,
        "refresh": seal(current_app.secret_key, tokens.refresh_token or ""),
        "expires_at": now + tokens.expires_in,
        "ends_at": saved["ends_at"],
    }
    session.permanent = True


def forget() -> str | None:
    """Sign this browser out, and any copy of its cookie; the refresh token it held, to revoke."""
    saved = session.get(SESSION_KEY)
    session.clear()
    if not _is_current(saved):
        return None
    accounts().signouts.add(session_id=saved["sid"], ends_at=saved["ends_at"])
    try:
        return unseal(current_app.secret_key, saved["refresh"]) or None
    except SealBroken:
        return None


def _bearer_identity(header: str) -> Identity:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise sign_in_required("Send a Cognito access token as 'Authorization: Bearer <token>'.", token_refused=True)
    try:
        return accounts().verifier.access_token(token.strip())
    except InvalidToken as reason:
        raise sign_in_required(f"The access token was refused: {reason}.", token_refused=True) from None
    except UnacceptableUsername as refusal:
        raise HttpError(403, str(refusal)) from None
    except KeysUnavailable:
        raise HttpError(503, UNAVAILABLE) from None


def _is_current(saved: object) -> bool:
    """A session of this version of the cookie (older cookies carried the refresh token in clear)."""
    return isinstance(saved, dict) and {"sid", "sub", "username", "refresh", "expires_at", "ends_at"} <= saved.keys()


def _session_identity() -> Identity | None:
    saved = session.get(SESSION_KEY)
    if saved is None:
        return None
    now = time.time()
    if not _is_current(saved) or now >= saved["ends_at"] or accounts().signouts.contains(session_id=saved["sid"]):
        session.clear()  # an old cookie, a session past its end, or a copy of a cookie that was signed out
        return None
    identity = Identity(sub=saved["sub"], username=saved["username"])
    if now < saved["expires_at"]:
        return identity
    try:
        refresh_token = unseal(current_app.secret_key, saved["refresh"])
        tokens = accounts().cognito.refresh(refresh_token=refresh_token)
        fresh = accounts().verifier.id_token(tokens.id_token)
    except KeysUnavailable:
        return _retry_renewal_later(saved, identity)
    except AccountError as error:
        if error.status >= 500:
            return _retry_renewal_later(saved, identity)
        session.clear()  # expired, revoked, or the account is gone: signed out
        return None
    except (InvalidToken, SealBroken, UnacceptableUsername):
        session.clear()
        return None
    remember(fresh, tokens, renewal=True)
    return fresh


def _retry_renewal_later(saved: dict, identity: Identity) -> Identity:
    """Cognito is unreachable: the signed cookie still proves who this is; try again in a minute,
    not on every request."""
    saved["expires_at"] = int(time.time()) + _RENEWAL_RETRY_S
    session.modified = True
    return identity
