"""Personal fields at rest: sealed with Fernet (AES-128-CBC + HMAC-SHA256, `cryptography`), never written plain.

The keys come from the setting ENROLLMENT_KEY: one or more Fernet keys separated by spaces or commas.
MultiFernet encrypts with the first and decrypts with any, so a key is rotated by putting a new one first,
running `navigator rotate-enrollment-key` (re-seals every application with it) and then dropping the old
one (docs/enrollment.md). Duplicates are found by keyed hashes (HMAC-SHA256 with a key derived from the
first Fernet key), so nothing needs decrypting to find them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

#: What a sealed record holds (all optional but the names; see navigator.enrollment.intake).
PERSONAL_FIELDS = ("parent_name", "phone", "email", "child_name", "child_birth_year", "comment", "token")


class SealError(ValueError):
    """The record cannot be opened with the configured keys (a key was dropped too early)."""


@dataclass(frozen=True)
class Sealer:
    """Seals and opens the personal record of an application."""

    keys: tuple[bytes, ...]

    @classmethod
    def from_setting(cls, text: str) -> Sealer:
        keys = tuple(key.encode() for key in re.split(r"[\s,]+", text.strip()) if key)
        if not keys:
            raise ValueError("NAVIGATOR_ENROLLMENT_KEY holds no key")
        for key in keys:
            Fernet(key)  # a malformed key is refused at start, not at the first application
        return cls(keys)

    @property
    def _fernet(self) -> MultiFernet:
        return MultiFernet([Fernet(key) for key in self.keys])

    def seal(self, record: dict) -> bytes:
        return self._fernet.encrypt(json.dumps(record, ensure_ascii=False).encode())

    def open(self, sealed: bytes | None) -> dict:
        """The record (empty once erased)."""
        if sealed is None:
            return {}
        try:
            return json.loads(self._fernet.decrypt(sealed))
        except InvalidToken as problem:
            raise SealError("the application was sealed with a key that is no longer configured") from problem

    def reseal(self, sealed: bytes) -> bytes:
        """The same record sealed with the first key (key rotation)."""
        return self._fernet.rotate(sealed)

    def fingerprint(self, *parts: str) -> str:
        """A keyed hash of normalized parts: equal inputs match, the hash reveals nothing without the key."""
        key = hashlib.sha256(b"navigator-enrollment-duplicates:" + self.keys[0]).digest()
        return hmac.new(key, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()

