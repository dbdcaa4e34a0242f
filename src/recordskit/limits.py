"""Every size limit at recordskit's doors, in one place.

Input is whatever people, clinics, volunteers and attackers hand the program: each kind of input
has a limit, checked before the input is parsed or rendered, and each can be raised with an
environment variable when a real need exceeds it. README's security section lists them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from recordskit.errors import UserError


@dataclass(frozen=True)
class Limit:
    """One limit: its number, what it counts, and the variable that raises it."""

    key: str
    default: int
    counts: str

    @property
    def variable(self) -> str:
        return f"RECORDSKIT_MAX_{self.key.upper()}"

    @property
    def value(self) -> int:
        """The limit in force: the default, or the environment's whole number above zero."""
        raw = os.environ.get(self.variable, "").strip()
        if not raw:
            return self.default
        if not raw.isdigit() or int(raw) <= 0:
            raise UserError(f"{self.variable}={raw!r} is not a whole number above zero")
        return int(raw)

    def exceeded(self, what: str, found: int | str) -> str:
        """The message for ``what`` over this limit, saying how to raise it."""
        return (f"{what} is over the limit of {self.value:,} {self.counts} ({found}); if it is "
                f"really needed, raise the limit with {self.variable}")


_LIMITS = (
    Limit("input_bytes", 2_000_000, "bytes"),            # an answers file or agencies.yaml
    Limit("batch_bytes", 50_000_000, "bytes"),           # a CSV or XLSX batch file
    # YAML costs by the value it holds, not by the byte: a 20 MB batch took minutes and GBs.
    Limit("batch_yaml_bytes", 10_000_000, "bytes"),      # a YAML (or JSON) batch file
    Limit("batch_unpacked_bytes", 200_000_000, "bytes"),  # an XLSX file, unzipped
    Limit("batch_rows", 20_000, "rows"),
    Limit("batch_columns", 64, "columns"),
    Limit("yaml_depth", 40, "levels of nesting"),
    Limit("yaml_nodes", 500_000, "values"),              # in any YAML or JSON input
    Limit("text_chars", 20_000, "characters"),           # one answer
    Limit("template_unpacked_bytes", 20_000_000, "bytes"),  # a DOCX template, unzipped
    Limit("render_steps", 200_000, "loop steps"),        # one document's template loops
    Limit("render_chars", 5_000_000, "characters"),      # a string a template builds
    # An agency's reply, read from a saved email (.eml) or pasted text. Records sent as
    # attachments can make a real reply large, so the file's limit is generous; attachments are
    # measured but never decoded or unpacked, so a zip bomb costs nothing beyond its own bytes.
    Limit("reply_bytes", 40_000_000, "bytes"),           # the whole saved email or text
    Limit("reply_mime_parts", 200, "MIME parts"),        # counted before parsing, so it bounds
    Limit("reply_mime_depth", 8, "levels of nesting"),   # ... the parser's work and recursion
    Limit("reply_attachment_bytes", 30_000_000, "bytes"),  # one attachment, decoded
    Limit("reply_text_bytes", 2_000_000, "bytes"),       # one text or HTML part, decoded
    Limit("reply_text_chars", 400_000, "characters"),    # all the reply's text, HTML made text
    Limit("reply_header_chars", 4_000, "characters"),    # one header, decoded
    Limit("reply_findings", 200, "findings"),            # dates, sums or references reported;
                                                         # ... a note counts the rest
    # `recordskit log import`: read as a stream, line by line; the whole file is checked before
    # anything is written, so what it holds is kept in memory (about three times its bytes).
    Limit("import_bytes", 200_000_000, "bytes"),         # an export being imported
    Limit("import_line_bytes", 2_000_000, "bytes"),      # one request or event in it
    # `recordskit serve`: what one browser may send, and how many sessions the server keeps.
    Limit("web_body_bytes", 1_000_000, "bytes"),         # one posted form
    Limit("web_fields", 200, "form fields"),             # fields in one posted form
    Limit("web_sessions", 200, "sessions"),              # open sessions (oldest forgotten)
)
LIMITS: dict[str, Limit] = {limit.key: limit for limit in _LIMITS}
"""Every limit, by key."""
