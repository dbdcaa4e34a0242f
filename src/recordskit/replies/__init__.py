"""Reading an agency's reply to a public records request.

``read_reply`` takes a saved email (.eml, any MIME structure) or pasted text and reports what
the reply is (its kind, or ranked candidates when unsure), its reference numbers, the receipt it
states, the dates it sets, exemptions cited, sums of money and its sender, each with the words
it rests on. It reads only; logging the reply is the caller's step.
"""

from __future__ import annotations

from recordskit.replies.mime import ReplyFileError
from recordskit.replies.reader import read_reply, read_reply_file
from recordskit.replies.reading import (
    Attachment,
    CitedExemption,
    KindCandidate,
    MoneyAmount,
    Reference,
    ReplyKind,
    ReplyReading,
    Sender,
    StatedDate,
)

__all__ = [
    "Attachment",
    "CitedExemption",
    "KindCandidate",
    "MoneyAmount",
    "Reference",
    "ReplyFileError",
    "ReplyKind",
    "ReplyReading",
    "Sender",
    "StatedDate",
    "read_reply",
    "read_reply_file",
]
