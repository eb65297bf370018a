"""Reading what the test SMTP server received (tests/conftest.py `smtp_server`)."""

import email
from email.header import decode_header, make_header
from email.message import Message
from typing import Any


def parsed(envelope: Any) -> Message:
    return email.message_from_bytes(envelope.content)


def subject(envelope: Any) -> str:
    return str(make_header(decode_header(parsed(envelope)["Subject"])))


def body(envelope: Any) -> str:
    """The text of a plain message (or of its first part), decoded."""
    message = parsed(envelope)
    while message.is_multipart():
        message = message.get_payload(0)  # type: ignore[assignment]
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(message.get_content_charset() or "utf-8")
