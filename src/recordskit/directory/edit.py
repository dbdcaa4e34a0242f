"""Changing ``agencies.yaml`` in place, the way a careful volunteer would by hand.

ruamel.yaml's round trip keeps every comment, the order of keys and the formatting of what is
not changed (a value wrapped by hand over several lines, which ruamel writes on one, is put
back as it was written); a change that changes nothing leaves the file byte for byte as it
was. The result is checked with the same rules as ``agencies validate`` before it is written,
and written atomically, so a wrong edit never reaches the file.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

try:
    import fcntl
except ImportError:  # Windows: the check of the content still catches a concurrent edit
    fcntl = None  # type: ignore[assignment]
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import LiteralScalarString

from recordskit import inputfile
from recordskit.directory.load import check_directory_text
from recordskit.errors import DirectoryError, Problem, UserError
from recordskit.files import atomic_write, not_regular, open_regular
from recordskit.limits import LIMITS

# Keys of a new agency, in the order the shipped file writes them.
AGENCY_KEYS = ("id", "name", "short_name", "description", "kind", "role",
               "population_over_20000", "calendar", "records_officer", "delivery", "handled_by",
               "notes", "sources", "records")
OFFICER_KEYS = ("title", "office", "mailing_address", "email", "phone", "fax", "portal_url")


def _yaml() -> Any:
    yaml = YAML()  # round trip: comments, order and quoting survive
    yaml.indent(mapping=2, sequence=4, offset=2)  # the shipped file's style
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long line someone wrote on purpose
    return yaml


def round_trip(text: str) -> Any:
    """``text`` (already read and checked as any YAML input is: ``inputfile``) as the editor
    holds a file: each value with its style, a folded block with its line breaks, its
    comments, so that a value copied from it into another file is written as it was here."""
    return _yaml().load(text)


@dataclass
class EditableDirectory:
    """An agencies.yaml opened for changes."""

    path: Path
    original: str
    data: Any
    _checked: str | None = dataclasses.field(default=None, init=False, repr=False)
    """The last text that passed :meth:`check`: checked once, however often it is asked."""

    @classmethod
    def open(cls, path: Path) -> EditableDirectory:
        data_bytes = inputfile.read_bytes(path, LIMITS["input_bytes"], DirectoryError)
        try:
            text = data_bytes.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DirectoryError(path, [Problem("", f"not UTF-8 text (byte {exc.start}); save "
                                                    "the file as UTF-8")]) from None
        inputfile.parse(text, path, DirectoryError, duplicates=False)  # its limits, first
        try:
            data = _yaml().load(text)
        except YAMLError as exc:
            raise DirectoryError(path, [Problem("", f"not valid YAML: {exc}")]) from None
        if not isinstance(data, dict) or not isinstance(data.get("agencies"), list):
            raise DirectoryError(path, [Problem("agencies", "expected a list of agencies")])
        return cls(path, text, data)

    def agency(self, agency_id: str) -> Any:
        for agency in self.data["agencies"]:
            if isinstance(agency, dict) and agency.get("id") == agency_id:
                return agency
        known = ", ".join(str(a.get("id")) for a in self.data["agencies"] if isinstance(a, dict))
        raise UserError(f"no agency has id {agency_id!r}; expected one of: {known}")

    def set(self, agency_id: str, field: str, value: Any) -> None:
        """Set ``field`` (dotted, such as ``records_officer.phone``) of one agency."""
        target = self.agency(agency_id)
        *parents, last = field.split(".")
        for name in parents:
            child = target.get(name)
            if child is None:
                child = target[name] = CommentedMap()
            if not isinstance(child, dict):
                raise UserError(f"{field}: {name} is not a mapping in agency {agency_id!r}")
            target = child
        if value in (None, "") and last in target:
            del target[last]
        elif value not in (None, "") and last in target:
            target[last] = styled(value)
        elif value not in (None, ""):
            # A new field goes where the canonical order puts it, not at the end: two
            # volunteers adding different fields to one agency then touch different lines,
            # and git merges both.
            order = OFFICER_KEYS if parents == ["records_officer"] else (
                AGENCY_KEYS if not parents else ())
            target.insert(_position(target, last, order), last, styled(value))
        # An address to send requests to is a way of sending them too
        channel = _CHANNEL_OF.get(field)
        if channel and value not in (None, ""):
            delivery = self.agency(agency_id).get("delivery")
            if isinstance(delivery, list) and channel not in delivery:
                delivery.append(channel)

    def apply_answers(self, agency_id: str, answers: dict[str, Any]) -> None:
        """Set an agency's fields from the contact questions' answers: the records officer's
        fields each, an answer left blank removing its field. The fax is kept: the questions do
        not ask for it (``--set records_officer.fax=…`` changes it)."""
        for field, value in answers.items():
            if field != "records_officer":
                self.set(agency_id, field, value)
                continue
            officer = self.agency(agency_id).get("records_officer") or {}
            for key, item in value.items():
                self.set(agency_id, f"records_officer.{key}", item)
            for key in list(officer):
                if key not in value and key != "fax":
                    self.set(agency_id, f"records_officer.{key}", None)

    def record_source(self, agency_id: str, url: str, verified_on: date) -> None:
        """Note that ``url`` was checked on ``verified_on``: update its date, or add it first."""
        agency = self.agency(agency_id)
        sources = agency.get("sources")
        if sources is None:
            sources = agency["sources"] = CommentedSeq()
        for source in sources:
            if source.get("url") == url:
                source["verified_on"] = verified_on
                return
        entry = CommentedMap()
        entry["url"] = url
        entry["verified_on"] = verified_on
        sources.insert(0, entry)

    def add_agency(self, fields: dict[str, Any]) -> None:
        """Add an agency, before the appeal body so the request targets stay together."""
        if any(isinstance(a, dict) and a.get("id") == fields.get("id")
               for a in self.data["agencies"]):
            raise UserError(f"an agency with id {fields.get('id')!r} already exists; edit it "
                            "instead")
        agency = CommentedMap()
        for key in AGENCY_KEYS:
            if fields.get(key) not in (None, "", [], {}):
                agency[key] = styled(fields[key])
        agencies = self.data["agencies"]
        position = next((i for i, a in enumerate(agencies)
                         if isinstance(a, dict) and a.get("role") == "appeals"), len(agencies))
        agencies.insert(position, agency)

    def text(self) -> str:
        """The file as it will be written. Each call writes the whole file out (a tenth of a
        second for the shipped one), so a caller asking several things of one change passes
        it to :meth:`diff`, :meth:`check` and :meth:`save`."""
        out = io.StringIO()
        _yaml().dump(self.data, out)
        return _wrapped_as_written(self.original, out.getvalue(), self.path)

    def diff(self, text: str | None = None) -> str:
        """The change as a unified diff of the file (empty when nothing changed); ``text``: the
        changed file, when the caller has it from :meth:`text` already."""
        text = self.text() if text is None else text
        return "".join(difflib.unified_diff(
            self.original.splitlines(keepends=True), text.splitlines(keepends=True),
            fromfile=f"{self.path} (now)", tofile=f"{self.path} (after this change)"))

    def check(self, text: str | None = None) -> None:
        """Refuse the change when the file would not validate, naming every problem, or would
        be over the size limit every command reads it within."""
        text = self.text() if text is None else text
        if text == self._checked:
            return
        size, limit = len(text.encode("utf-8")), LIMITS["input_bytes"]
        if size > limit.value:
            raise DirectoryError(self.path, [Problem("", limit.exceeded(
                "the file after this change", f"{size:,} bytes") + "; nothing was written")])
        _directory, problems = check_directory_text(text, self.path)
        if problems:
            raise DirectoryError(self.path, [
                Problem(p.field, f"{p.message} (after this change; nothing was written)", p.line,
                        p.column) for p in problems])
        self._checked = text

    def save(self, text: str | None = None) -> bool:
        """Check the changed file and write it; False when nothing changed (nothing written)."""
        text = self.text() if text is None else text
        if text == self.original:
            return False
        self.check(text)
        with _locked(self.path) as handle:
            # Two editors at once: the second finds the file changed under it and refuses,
            # instead of writing its old copy over the first one's change.
            original = self.original.encode("utf-8")
            if handle.read(len(original) + 1) != original:
                raise UserError(f"{self.path}: changed by someone else since it was opened; "
                                "nothing was written. Run the command again")
            atomic_write(self.path, text.encode("utf-8"))
        return True


def _wrapped_as_written(original: str, dumped: str, path: Path) -> str:
    """``dumped``, with every stretch that ruamel only re-wrapped put back as the file wrote it.

    ruamel keeps a block scalar's lines, but writes a plain or quoted value that a volunteer
    wrapped over several lines on one line, on every save, however far it is from the change.
    A stretch of lines whose words are the same in both, only the line breaks and indentation
    differing, is taken from the file as it was, as long as the file still reads exactly as
    ruamel wrote it (each stretch is tried alone when all at once would not)."""
    if dumped == original:
        return dumped
    old, new = original.splitlines(keepends=True), dumped.splitlines(keepends=True)
    pieces: list[list[str]] = []
    rewrapped: dict[int, list[str]] = {}
    opcodes = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    for tag, old_from, old_to, new_from, new_to in opcodes:
        if tag == "replace" and ("".join(old[old_from:old_to]).split()
                                 == "".join(new[new_from:new_to]).split()):
            rewrapped[len(pieces)] = old[old_from:old_to]
        pieces.append(new[new_from:new_to])
    if not rewrapped:
        return dumped
    wanted = _read_as(dumped, path)
    if wanted is None:  # refused by the checks that follow, as ruamel wrote it
        return dumped
    every = [rewrapped.get(index, piece) for index, piece in enumerate(pieces)]
    if _read_as("".join(line for piece in every for line in piece), path) == wanted:
        return "".join(line for piece in every for line in piece)
    for index, lines in rewrapped.items():
        trial = [*pieces[:index], lines, *pieces[index + 1:]]
        if _read_as("".join(line for piece in trial for line in piece), path) == wanted:
            pieces = trial
    return "".join(line for piece in pieces for line in piece)


def _read_as(text: str, path: Path) -> Any:
    """What ``text`` holds, read as any YAML input is (None when it cannot be read)."""
    try:
        return inputfile.parse(text, path, DirectoryError, duplicates=False)[0]
    except (DirectoryError, UserError):
        return None


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[BinaryIO]:
    """An exclusive lock on the file's current content while it is checked and replaced."""
    try:
        opened = open_regular(path)
    except OSError as exc:
        raise UserError(f"{path}: {not_regular(path, exc)}; nothing was written") from None
    with opened as handle:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield handle


def styled(value: Any) -> Any:
    """Plain values as ruamel writes them well: several lines as a ``|`` block, lists in flow."""
    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value)
    if isinstance(value, dict) and not isinstance(value, CommentedMap):
        mapping = CommentedMap()
        for key, item in value.items():
            if item not in (None, "", [], {}):
                mapping[key] = styled(item)
        return mapping
    if isinstance(value, list) and not isinstance(value, CommentedSeq):
        items = CommentedSeq(styled(v) for v in value)
        if all(isinstance(v, str) for v in value):
            items.fa.set_flow_style()
        return items
    return value


_CHANNEL_OF = {"records_officer.email": "email", "records_officer.portal_url": "portal"}
"""The way of sending that a contact field is the address for."""


def _position(mapping: Any, key: str, order: tuple[str, ...]) -> int:
    """Where ``key`` goes in ``mapping``: after the last key that comes before it in
    ``order`` (at the end when ``order`` does not know it)."""
    if key not in order:
        return len(mapping)
    before = set(order[:order.index(key)])
    position = 0
    for index, existing in enumerate(mapping):
        if existing in before:
            position = index + 1
    return position
