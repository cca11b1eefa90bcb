"""Pages to sign up, confirm an account, sign in and sign out."""

import re
import unicodedata

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from photoshare_shared.usernames import USERNAME_RULES, is_valid_username
from photoshare_shared.userpool import PASSWORD_POLICY, PASSWORD_RULES
from photoshare_web.accounts.cognito import AccountError
from photoshare_web.accounts.current import current_user, forget, remember
from photoshare_web.accounts.provider import accounts
from photoshare_web.accounts.tokens import UnacceptableUsername
from photoshare_web.ratelimit import signin_limit

bp = Blueprint("accounts", __name__)

_EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
_MAX_PASSWORD_CHARS = 256  # Cognito's own bound
_CODE_PATTERN = re.compile(r"^\d{4,8}$")
Page = Response | tuple[str, int] | str
# Which sign-up field a Cognito refusal is about, so the page puts the cursor there.
_FIELD_AT_FAULT = {"InvalidPasswordException": "password", "AliasExistsException": "email"}


@bp.route("/signup", methods=["GET", "POST"])
@signin_limit
def signup() -> Page:
    """Create an account; then confirm it by email code (or, locally, go straight in)."""
    if request.method == "GET":
        return _form("signup.html")
    username = request.form.get("username", "").strip()
    email = request.form.get("email", "").strip()
    password = request.form.get("password", "")
    problem = _signup_problem(username, email, password)
    if problem:
        field, message = problem
        return _form("signup.html", error=message, status=400, focus=field, username=username, email=email)
    try:
        confirmed = accounts().cognito.sign_up(username=username, email=email, password=password)
        if not confirmed:
            flash(f"We emailed a confirmation code to {email}.")
            return redirect(url_for("accounts.confirm", username=username), code=303)
        return _signed_in(username, password, welcome=f"Welcome, {username}! Your account is ready.")
    except AccountError as error:
        field = _FIELD_AT_FAULT.get(error.code, "username")
        return _form(
            "signup.html", error=error.message, status=error.status, focus=field, username=username, email=email
        )


@bp.route("/confirm", methods=["GET", "POST"])
@signin_limit
def confirm() -> Page:
    """Enter the code Cognito emailed to a new account (or ask for a new one)."""
    username = (request.values.get("username") or "").strip()
    if request.method == "GET":
        return _form("confirm.html", username=username)
    try:
        if "resend" in request.form:
            accounts().cognito.resend_code(username=username)
            return _form("confirm.html", username=username, notice="A new code is on its way.")
        code = request.form.get("code", "").strip()
        if not _CODE_PATTERN.match(code):
            return _form(
                "confirm.html", error="Enter the code from the email (digits only).", status=400, username=username
            )
        accounts().cognito.confirm(username=username, code=code)
    except AccountError as error:
        return _form("confirm.html", error=error.message, status=error.status, username=username)
    flash("Your account is confirmed; sign in to start sharing.")
    return redirect(url_for("accounts.signin", username=username), code=303)


@bp.route("/signin", methods=["GET", "POST"])
@signin_limit
def signin() -> Page:
    """Sign in with username and password; back to where the person was going."""
    if request.method == "GET":
        username = request.args.get("username", "")
        return _form("signin.html", username=username, focus="password" if username else "username")
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    if not username or not password:
        return _form("signin.html", error="Enter your username and password.", status=400, username=username)
    try:
        return _signed_in(username, password)
    except AccountError as error:
        unconfirmed = error.code == "UserNotConfirmedException"
        return _form(
            "signin.html",
            error=error.message,
            status=error.status,
            username=username,
            unconfirmed=unconfirmed,
            focus="password",
        )


@bp.post("/signout")
def signout() -> Response:
    """Sign this browser out (the session ends at Cognito too)."""
    refresh_token = forget()
    if refresh_token:
        accounts().cognito.revoke(refresh_token=refresh_token)
    flash("You are signed out.")
    return redirect(url_for("pages.gallery"), code=303)


def safe_next(raw: str | None) -> str:
    """Where to go after signing in: a path on this site only (never another site)."""
    if raw and is_local_path(raw):
        return raw
    return url_for("pages.gallery")


def is_local_path(target: str) -> bool:
    r"""Whether a browser reads `target` as a path on this site.

    Browsers drop tabs and newlines anywhere in a URL and read "\" as "/", so "/\t/evil.example"
    is "//evil.example" (another site) to them: no control or space character passes, and what is
    left is judged with backslashes as slashes.
    """
    if any(ch.isspace() or unicodedata.category(ch).startswith("C") for ch in target):
        return False
    as_browsers_read = target.replace("\\", "/")
    return as_browsers_read.startswith("/") and not as_browsers_read.startswith("//")


def _signed_in(username: str, password: str, *, welcome: str | None = None) -> Response:
    tokens = accounts().cognito.sign_in(username=username, password=password)
    try:
        identity = accounts().verifier.id_token(tokens.id_token)
    except UnacceptableUsername as error:
        raise AccountError(403, str(error)) from None
    remember(identity, tokens)
    flash(welcome or f"Signed in as {identity.username}.")
    return redirect(safe_next(request.values.get("next")), code=303)


def _signup_problem(username: str, email: str, password: str) -> tuple[str, str] | None:
    """(the field to fix, what to tell), or None when the form is fit to send to Cognito."""
    if not is_valid_username(username):
        return "username", f"Choose a username of {USERNAME_RULES}."
    if len(email) > 254 or not _EMAIL_PATTERN.match(email):
        return "email", "Enter a valid email address: your confirmation code goes there."
    if not PASSWORD_POLICY["MinimumLength"] <= len(password) <= _MAX_PASSWORD_CHARS:
        return "password", f"Choose a stronger password: {PASSWORD_RULES}."
    return None


def _form(
    template: str, *, error: str | None = None, status: int = 200, focus: str = "username", **fields: object
) -> Page:
    if current_user() is not None and template != "confirm.html":
        return redirect(safe_next(request.values.get("next")), code=303)
    page = render_template(
        template,
        error=error,
        focus=focus,
        next=request.values.get("next", ""),
        password_rules=PASSWORD_RULES,
        username_rules=USERNAME_RULES,
        min_password=PASSWORD_POLICY["MinimumLength"],
        **fields,
    )
    return page, status
