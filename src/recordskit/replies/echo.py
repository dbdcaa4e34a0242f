"""Taking the requester's own words out of a reply, so they cannot decide what the reply is.

Agencies' replies repeat the request: a mail program quotes it (lines starting ">", "On ...
wrote:", an Outlook header block), the City's system lists it after its acknowledgment, and
letters quote it ("you requested "..."). A request asks for fee waivers and warns about
denials, so its words ("fee", "deny", "exempt", "extension") would otherwise outvote the
agency's. What is removed here is never classified; it is only noted that something was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Unechoed", "forwarded_sender", "last_agency_message", "strip_echo"]


@dataclass(frozen=True)
class Unechoed:
    """The reply's own text and whether anything echoed was taken out."""

    text: str
    removed: bool


# Where a quoted earlier message starts: everything from here on is the echo.
_REPLY_HEADERS = (
    # "On Mon, Dec 4, 2023 at 9:00 AM Jane <jane@x.org> wrote:", possibly wrapped on 2-3 lines
    re.compile(r"(?m)^[ \t]*On\b[^\n]{0,300}(?:\n[^\n]{0,300}){0,2}?\bwrote:[ \t]*$"),
    re.compile(r"(?im)^[ \t]*-{2,}[ \t]*Original Message[ \t]*-{2,}"),
    # Outlook: "From: ..." then "Sent:" or "Date:" then ("To:" or "Subject:") within 4 lines
    re.compile(r"(?im)^[ \t]*\*?From:\*?[^\n]*\n(?:[^\n]*\n){0,2}?[ \t]*\*?(?:Sent|Date):"
               r"\*?[^\n]*\n(?:[^\n]*\n){0,2}?[ \t]*\*?(?:To|Subject|Cc):"),
    re.compile(r"(?m)^[ \t]*_{10,}[ \t]*\n[ \t]*(?:From|De|Von):"),
)
# The City's system and others list the request under a heading after their own words.
_REQUEST_LISTINGS = re.compile(
    r"(?im)^[ \t]*(?:"
    r"request details\b|the (?:request )?details of (?:your|the) request|"
    r"(?:the )?request details (?:are|is) (?:listed )?below|"
    r"describe the records?(?:\(s\))? requested|type of records?(?:\(s\))? requested|"
    r"original request\b|your (?:original )?request (?:reads|read|was|is) as follows|"
    r"request description\b|records? requested:|text of (?:your|the) request\b|"
    r"your request:|you requested the following:?[ \t]*$|below is (?:a copy of )?your request"
    r")"
)
# The requester's own letter, pasted back: nobody but a requester writes "I hereby request".
_REQUEST_LETTER = re.compile(
    r"(?is)(?:^|(?<=\n))[ \t]*(?:(?:to whom it may concern|dear [^\n]{0,80})[:,]?[ \t]*\n\s*)?"
    r"[^\n]{0,200}?\b(?:I hereby request|I am requesting|I request (?:copies|the following|"
    r"access|records)|under the (?:massachusetts )?public records law,? I (?:am )?request)"
)
# A request quoted inside the agency's sentence: 'you requested "…"'.
_INLINE_QUOTE = re.compile(
    r"(?is)\b(you (?:have )?requested|your request (?:for|seeking|asking for)|you asked for|"
    r"in which you (?:requested|sought|asked for)|requesting|seeking)(\s*[:,]?\s*)"
    r"([\"“])(.{1,4000}?)([\"”])"
)
_FORWARD_MARKER = re.compile(
    r"(?im)^[ \t]*(?:-{3,}[ \t]*Forwarded message[ \t]*-{3,}|Begin forwarded message:|"
    r"-{3,}[ \t]*Forwarded by[^\n]*)[ \t]*$"
)
_FORWARD_HEADER = re.compile(r"(?im)^[ \t]*\*?(From|Date|Sent|Subject|To|Cc):\*?[ \t]*(.*)$")


def forwarded_sender(text: str) -> tuple[str, str | None]:
    """A forwarded reply's own text and its "From:" line, when the user forwarded it.

    The words above the marker are the user's ("FYI"); the reply is below it, after its own
    header lines.
    """
    marker = _FORWARD_MARKER.search(text)
    if marker is None:
        return text, None
    rest = text[marker.end():].lstrip("\n")
    sender = None
    lines = rest.split("\n")
    index = 0
    while index < len(lines) and (not lines[index].strip() or
                                  _FORWARD_HEADER.match(lines[index])):
        header = _FORWARD_HEADER.match(lines[index])
        if header and header.group(1).lower() == "from" and sender is None:
            sender = header.group(2).strip()
        index += 1
    return "\n".join(lines[index:]), sender


# A message's first line in a thread pasted from a web page: "From: Boston Police Department".
# Followed by "Sent:", "To:" or the like, it is a quoted mail header block instead (an echo).
_THREAD_FROM = re.compile(r"(?m)(?:\A|(?<=\n\n))[ \t]*From:[ \t]*(?P<sender>[^\n]{1,200})\n"
                          r"(?![ \t]*\*?(?:Sent|Date|To|Subject|Cc):)")
# What only a requester writes: a request letter, or a follow-up on one.
_REQUESTER_WORDS = re.compile(
    r"(?i)\bI (?:wanted|want|am writing) to follow up\b|\bcopied below\b|"
    r"\boriginally submitted on\b|" + _REQUEST_LETTER.pattern.removeprefix("(?is)")
)


def last_agency_message(text: str) -> tuple[str, str | None, int]:
    """From a thread pasted from a web page, the latest message that is not the requester's.

    Returns its text, its "From:" line (None when the text has none) and how many messages the
    thread holds. MuckRock's pages list the request first, then each message, each opening
    "From: NAME"; the newest answer is the one to log.
    """
    starts = list(_THREAD_FROM.finditer(text))
    if not starts:
        return text, None, 1
    messages = []
    for index, start in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
        messages.append((text[start.end():end], start.group("sender").strip()))
    chosen = messages[-1]
    for body, sender in reversed(messages):
        if not _REQUESTER_WORDS.search(body[:600]):
            chosen = (body, sender)
            break
    return chosen[0], chosen[1], len(messages)


def strip_echo(text: str, request_text: str | None = None) -> Unechoed:
    """The reply without the request it repeats.

    ``request_text``, when the caller knows what was sent, removes any paragraph of the reply
    that repeats it word for word even where no heading or quoting marks it.
    """
    original = text
    cut = len(text)
    for pattern in (*_REPLY_HEADERS, _REQUEST_LISTINGS):
        match = pattern.search(text)
        if match is not None and match.start() < cut:
            cut = match.start()
    text = text[:cut]
    text = _without_request_letters(text)
    text = "\n".join(line for line in text.split("\n") if not line.lstrip().startswith(">"))
    text = _INLINE_QUOTE.sub(lambda match: f"{match.group(1)}{match.group(2)}[the request]",
                             text)
    if request_text:
        text = _without_repeated_paragraphs(text, request_text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return Unechoed(text=text, removed=_squash(text) != _squash(original))


# Where a requester's letter ends: the closing and the name (and address) under it.
_CLOSING = re.compile(r"(?im)^[ \t]*(?:sincerely|regards|best regards|thank you|thanks|"
                      r"respectfully)[,.!]?[ \t]*\n(?:[ \t]*\n)?(?:[ \t]*\S[^\n]{0,80}\n?){0,3}")


def _without_request_letters(text: str) -> str:
    """The text without any requester's letter pasted into it, up to the letter's closing."""
    kept: list[str] = []
    position = 0
    while (letter := _REQUEST_LETTER.search(text, position)) is not None:
        kept.append(text[position:letter.start()])
        closing = _CLOSING.search(text, letter.end())
        position = closing.end() if closing is not None else len(text)
    kept.append(text[position:])
    return "\n".join(kept)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def _without_repeated_paragraphs(text: str, request_text: str) -> str:
    sent = _squash(request_text)
    kept = []
    for paragraph in re.split(r"\n\s*\n", text):
        squashed = _squash(paragraph)
        # Short paragraphs ("Thank you.") appear in both by chance; they are the reply's own.
        if len(squashed) >= 30 and squashed in sent:
            continue
        kept.append(paragraph)
    return "\n\n".join(kept)
