"""Sealing the refresh token kept in the session cookie: encrypted and authenticated (Fernet), with a key
derived from the app's secret key (HKDF), so the cookie's holder can read neither the token nor change it.

The rest of the cookie stays merely signed: the account's id and username are no secret, and the
signature already stops anyone changing them.
"""

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# A key of its own, apart from the one that signs the cookie and the CSRF tokens.
_PURPOSE = b"photoshare session refresh token v1"


class SealBroken(Exception):
    """The sealed value was not made with this secret key, or was changed."""


@lru_cache(maxsize=4)
def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PURPOSE).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret_key: str, text: str) -> str:
    """`text` encrypted and authenticated under a key derived from `secret_key`."""
    return _fernet(secret_key).encrypt(text.encode()).decode("ascii")


def unseal(secret_key: str, sealed: str) -> str:
    """The text `seal` was given; SealBroken when it came from another key or was altered."""
    try:
        return _fernet(secret_key).decrypt(sealed.encode("ascii")).decode()
    except (InvalidToken, UnicodeError, ValueError) as error:
        raise SealBroken("the sealed session does not open with this secret key") from error
