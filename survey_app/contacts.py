"""Follow-up contact details, sealed with Fernet (the `cryptography` library) under
`CONTACT_KEY` from the environment. They are stored with no link to any response,
so nobody can join a name or phone number to answers."""
from __future__ import annotations

import json
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app


class ContactKeyMissing(RuntimeError):
    """Contact details cannot be taken or read without `CONTACT_KEY`."""


@dataclass(frozen=True)
class ContactDetails:
    name: str
    phone: str
    email: str


def _fernet() -> Fernet:
    key = current_app.config["CONTACT_KEY"]
    if not key:
        raise ContactKeyMissing("CONTACT_KEY is not set; generate one with "
                                "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'")
    return Fernet(key.encode() if isinstance(key, str) else key)


def enabled() -> bool:
    return bool(current_app.config["CONTACT_KEY"])


def seal(details: ContactDetails) -> bytes:
    return _fernet().encrypt(json.dumps(details.__dict__, ensure_ascii=False).encode())


def unseal(sealed: bytes) -> ContactDetails:
    try:
        return ContactDetails(**json.loads(_fernet().decrypt(sealed)))
    except InvalidToken:
        return ContactDetails(name="(cannot be read with the current key)", phone="", email="")
