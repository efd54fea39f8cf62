"""Password and token hashing, and what makes a password acceptable."""

from __future__ import annotations

import hashlib
import string

from pwdlib import PasswordHash

from un1540.errors import Problem, text
from un1540.reference.languages import N_
from un1540.reference.passwords import common_passwords

PASSWORDS = PasswordHash.recommended()  # argon2id
# Verified against when an e-mail is unknown, so timing does not reveal which accounts exist.
# Made at its first use (it costs a real hash, ~0.4 s, which every command would pay at import).
DUMMY_HASH: str | None = None


def dummy_hash() -> str:
    global DUMMY_HASH
    if DUMMY_HASH is None:
        DUMMY_HASH = PASSWORDS.hash("not-a-real-password-but-a-real-hash")
    return DUMMY_HASH


# NIST SP 800-63B: at least 8 (we ask 12: passphrases are easy to type), allow at least 64, check
# against known-common passwords, no composition rules. The maximum bounds the hashing work.
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128
MIN_DISTINCT_CHARACTERS = 5
TOKEN_PREFIX = "u1540_"
_DECORATION = string.digits + string.punctuation + string.whitespace


def password_core(password: str) -> str:
    """The password lowercased without leading and trailing digits, punctuation and spaces:
    "Password2024!" -> "password" (the usual way a common password is dressed up)."""
    return password.strip().lower().strip(_DECORATION)


def password_problems(password: str, email: str) -> list[Problem]:
    """What makes this password unacceptable for the account with this e-mail (nothing: [])."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(
            Problem(
                "password",
                text(
                    N_("must have at least %(min_password_length)s characters"),
                    min_password_length=MIN_PASSWORD_LENGTH,
                ),
            )
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(
            Problem(
                "password",
                text(
                    N_("must have at most %(max_password_length)s characters"),
                    max_password_length=MAX_PASSWORD_LENGTH,
                ),
            )
        )
    lowered, core = password.strip().lower(), password_core(password)
    email = email.strip().lower()
    local_part = email.partition("@")[0]
    if lowered == email or (len(local_part) >= 3 and core in (local_part, email)):
        problems.append(Problem("password", N_("must not be the e-mail address or its name part")))
    elif lowered in common_passwords() or core in common_passwords():
        problems.append(
            Problem(
                "password", N_("is one of the most common passwords (or one with digits added)")
            )
        )
    elif len(set(lowered)) < MIN_DISTINCT_CHARACTERS or not core:
        problems.append(
            Problem(
                "password",
                text(
                    N_(
                        "is too predictable: use at least %(min_distinct_characters)s "
                        "different characters, and not only digits and punctuation"
                    ),
                    min_distinct_characters=MIN_DISTINCT_CHARACTERS,
                ),
            )
        )
    return problems


def token_hash(token: str) -> str:
    # Tokens are 256 random bits: a fast hash is enough (nothing to brute-force).
    return hashlib.sha256(token.encode()).hexdigest()
