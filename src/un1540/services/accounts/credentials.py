"""Password and token hashing, and what makes a password acceptable."""

from __future__ import annotations

import hashlib

from pwdlib import PasswordHash

from un1540.errors import Problem

PASSWORDS = PasswordHash.recommended()  # argon2id
# Verified against when an e-mail is unknown, so timing does not reveal which accounts exist.
DUMMY_HASH = PASSWORDS.hash("not-a-real-password-but-a-real-hash")
MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "u1540_"


def password_problems(password: str, email: str) -> list[Problem]:
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(Problem("password", f"must have at least {MIN_PASSWORD_LENGTH} characters"))
    if password.strip().lower() == email.lower():
        problems.append(Problem("password", "must not be the e-mail address"))
    return problems


def token_hash(token: str) -> str:
    # Tokens are 256 random bits: a fast hash is enough (nothing to brute-force).
    return hashlib.sha256(token.encode()).hexdigest()
