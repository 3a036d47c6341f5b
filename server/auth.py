"""Accounts: local single-user mode on loopback, multi-user mode (sign-up, login) otherwise.

Passwords are hashed with argon2id. A login creates a server-side session (the cookie holds a
random token; only its SHA-256 is stored, so a database leak does not leak live sessions).
Cookies are HttpOnly and SameSite=Strict. State-changing requests need the CSRF token issued
at login in an ``X-CSRF-Token`` header (double submit) and a same-origin ``Origin``.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Annotated

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel, Field
from sqlmodel import Field as SQLField
from sqlmodel import Session, SQLModel, select

from server.models import LOCAL_USER_ID, User, utcnow

SESSION_COOKIE = "coach_session"
CSRF_COOKIE = "coach_csrf"
CSRF_HEADER = "x-csrf-token"
SESSION_DAYS = 14
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}$")
_hasher = PasswordHasher()


class LoginSession(SQLModel, table=True):
    """A signed-in browser. ``token_hash`` is the SHA-256 of the cookie's token."""

    __tablename__ = "login_session"

    token_hash: str = SQLField(primary_key=True)
    user_id: str = SQLField(index=True, foreign_key="user.id")
    csrf_token: str
    created_at: datetime = SQLField(default_factory=utcnow)
    expires_at: datetime = SQLField(default_factory=lambda: utcnow() + timedelta(days=SESSION_DAYS))


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Credentials(BaseModel):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class Me(BaseModel):
    user_id: str
    email: str
    mode: str
    csrf_token: str | None = None


def multi_user(request: Request) -> bool:
    return request.app.state.settings.multi_user


def _engine(request: Request):
    return request.app.state.services.store.engine


def user_from_cookie(engine, token: str | None) -> tuple[User, LoginSession] | None:
    if not token or len(token) > 200:
        return None
    with Session(engine) as db:
        login = db.get(LoginSession, _hash_token(token))
        if login is None or _aware(login.expires_at) < utcnow():
            return None
        user = db.get(User, login.user_id)
        return (user, login) if user is not None else None


def _aware(dt):
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=utcnow().tzinfo)


def current_user(request: Request) -> str:
    """The signed-in user's id (the local user in single-user mode); 401 otherwise."""
    if not multi_user(request):
        return LOCAL_USER_ID
    found = user_from_cookie(_engine(request), request.cookies.get(SESSION_COOKIE))
    if found is None:
        raise HTTPException(401, "sign in first")
    user, login = found
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        check_csrf(request, login.csrf_token)
    return user.id


UserDep = Annotated[str, Depends(current_user)]


def check_csrf(request: Request, expected: str) -> None:
    """State-changing requests: same-origin ``Origin`` (when sent) and the CSRF token."""
    origin = request.headers.get("origin")
    if origin is not None and not same_origin(origin, request.headers.get("host", "")):
        raise HTTPException(403, "cross-origin request refused")
    sent = request.headers.get(CSRF_HEADER, "")
    if not secrets.compare_digest(sent, expected):
        raise HTTPException(403, f"missing or wrong {CSRF_HEADER} header")


def same_origin(origin: str, host: str) -> bool:
    from urllib.parse import urlsplit

    return urlsplit(origin).netloc == host


router = APIRouter(prefix="/api/auth", tags=["auth"])


def _start_login(response: Response, engine, user_id: str, secure: bool) -> str:
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    with Session(engine) as db:
        db.add(LoginSession(token_hash=_hash_token(token), user_id=user_id, csrf_token=csrf))
        db.commit()
    age = SESSION_DAYS * 86400
    response.set_cookie(
        SESSION_COOKIE, token, max_age=age, httponly=True, samesite="strict", secure=secure
    )
    response.set_cookie(
        CSRF_COOKIE, csrf, max_age=age, httponly=False, samesite="strict", secure=secure
    )
    return csrf


def _require_multi(request: Request) -> None:
    if not multi_user(request):
        raise HTTPException(404, "accounts are off: this coach runs in local single-user mode")


@router.post("/signup", status_code=201)
def signup(body: Credentials, request: Request, response: Response) -> Me:
    _require_multi(request)
    origin = request.headers.get("origin")
    if origin is not None and not same_origin(origin, request.headers.get("host", "")):
        raise HTTPException(403, "cross-origin request refused")
    email = body.email.strip().lower()
    if not _EMAIL.match(email):
        raise HTTPException(422, "email: not an email address")
    if len(body.password) < 10:
        raise HTTPException(422, "password: use at least 10 characters")
    engine = _engine(request)
    with Session(engine) as db:
        if db.exec(select(User).where(User.email == email)).first() is not None:
            raise HTTPException(409, "an account with that email exists; sign in instead")
        user = User(id=uuid.uuid4().hex, email=email, password_hash=_hasher.hash(body.password))
        db.add(user)
        db.commit()
        user_id = user.id
    csrf = _start_login(response, engine, user_id, request.url.scheme == "https")
    return Me(user_id=user_id, email=email, mode="multi", csrf_token=csrf)


@router.post("/login")
def login(body: Credentials, request: Request, response: Response) -> Me:
    _require_multi(request)
    origin = request.headers.get("origin")
    if origin is not None and not same_origin(origin, request.headers.get("host", "")):
        raise HTTPException(403, "cross-origin request refused")
    email = body.email.strip().lower()
    engine = _engine(request)
    with Session(engine) as db:
        user = db.exec(select(User).where(User.email == email)).first()
    ok = False
    if user is not None and user.password_hash:
        try:
            ok = _hasher.verify(user.password_hash, body.password)
        except (VerificationError, InvalidHashError):
            ok = False
    else:
        _hasher.hash(body.password)  # same work either way: no user enumeration by timing
    if not ok or user is None:
        raise HTTPException(401, "wrong email or password")
    csrf = _start_login(response, engine, user.id, request.url.scheme == "https")
    return Me(user_id=user.id, email=user.email, mode="multi", csrf_token=csrf)


@router.post("/logout", status_code=204)
def logout(request: Request, response: Response, user: UserDep) -> None:
    _require_multi(request)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with Session(_engine(request)) as db:
            row = db.get(LoginSession, _hash_token(token))
            if row is not None:
                db.delete(row)
                db.commit()
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)


@router.get("/me")
def me(request: Request, user: UserDep) -> Me:
    if not multi_user(request):
        return Me(user_id=LOCAL_USER_ID, email="local@localhost", mode="local")
    found = user_from_cookie(_engine(request), request.cookies.get(SESSION_COOKIE))
    assert found is not None
    account, login_row = found
    return Me(
        user_id=account.id, email=account.email, mode="multi", csrf_token=login_row.csrf_token
    )
