"""Proof under attack: what careless and malicious input tries, and that nothing breaks or leaks."""

from __future__ import annotations

import errno
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recordskit.cli import cli
from recordskit.documents.rendering.render import Stamp, template
from recordskit.errors import InputFileError, TemplateError
from recordskit.files import write_folder
from recordskit.intake.answers import request_from
from recordskit.service import Directory, LetterTemplate, UserError, prepare_request
from recordskit.text import sentence
from tests.conftest import docx_text

Answers = Callable[..., dict[str, Any]]
STAMP = Stamp(title="t", subject="s", law_version="v", template_name="x", recordskit_version="0")

# Any text a person can paste: every script, RTL marks, emoji, XML and Jinja syntax, tabs and
# line breaks; and, separately, the control characters a Word document cannot hold.
PRINTABLE = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufffe\uffff")
    | st.sampled_from(["\n", "\t", "&", "<", ">", '"', "'", "{", "}", "%", "#", "\u202e",
                       "\u200f", "🚓", "学", "ع"]),
    max_size=300,
)


@pytest.mark.slow
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=PRINTABLE, name=PRINTABLE)
def test_any_text_renders_and_comes_out_exactly(directory: Directory, answers: Answers,
                                                 text: str, name: str) -> None:
    if "\n" in name.strip():  # a name is one line: refused, naming the field
        with pytest.raises(InputFileError, match=r"requester\.name: must be one line"):
            request_from(answers(requester__name=name), directory)
        name = name.replace("\n", " ")
    data = answers(other_records=text, requester__name=name, requester__organization="Org")
    request = request_from(data, directory)
    letter = docx_text(prepare_request(request, directory).files["letter.docx"])
    if request.other_records:  # blank text is dropped: the catalog record stands alone
        # One paragraph, one sentence: spaces and line breaks run together, a capital first
        # and a closing full stop where it has none; nothing else changes.
        flowed = " ".join(request.other_records.split())
        shown = sentence(flowed)
        kept = flowed.rstrip(",:").rstrip() or flowed
        assert shown[1:].startswith(kept[1:]) and shown[:1] in (kept[:1], kept[:1].upper())
        assert f"Other records. {shown}" in letter
    else:
        assert "Other records." not in letter
    if request.requester.name:
        assert f"Sincerely,\n{request.requester.name}\nOrg" in letter


@pytest.mark.slow
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bad=st.characters(whitelist_categories=("Cc",), blacklist_characters="\n\t\r"))
def test_control_characters_are_refused_clearly(directory: Directory, answers: Answers,
                                                bad: str) -> None:
    with pytest.raises(InputFileError, match=r"other_records: contains an invisible control "
                                             r"character \(U\+"):
        request_from(answers(other_records=f"a{bad}b"), directory)


def test_ten_thousand_characters(directory: Directory, answers: Answers) -> None:
    long = ("Records about the BRIC & ICE <all of them> " * 250)[:10_000]
    request = request_from(answers(other_records=long), directory)
    assert long.strip() in docx_text(prepare_request(request, directory).files["letter.docx"])


def _template_with(tmp_path: Path, text: str) -> LetterTemplate:
    from docx import Document

    document = Document()
    document.add_paragraph(text)
    path = tmp_path / "evil.docx"
    document.save(path)
    return LetterTemplate(path)


@pytest.mark.parametrize("payload", [
    "{{ requester.parse_file('/etc/hostname') }}",
    "{{ requester.model_validate_json('{}') }}",
    "{{ requester.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.system('touch /tmp/recordskit-pwned') }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{% for x in range(100000000) %}{% endfor %}",
    "{{ self._TemplateReference__context }}",
    "{{ ''.join(['a'] * 10) }}{{ requester.name.format.__globals__ }}",
])
def test_template_payloads_are_refused(tmp_path: Path, payload: str) -> None:
    pwned = Path("/tmp/recordskit-pwned")
    pwned.unlink(missing_ok=True)
    with pytest.raises(TemplateError):
        _template_with(tmp_path, payload).render({"requester": {"name": "Ana"}}, STAMP)
    assert not pwned.exists()


def test_a_broken_template_is_a_clear_error_not_a_traceback(tmp_path: Path, answers: Answers,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    folder = tmp_path / "templates"
    shutil.copytree(Path(__file__).resolve().parent.parent / "letter_templates", folder)
    from docx import Document

    document = Document(folder / "request.docx")
    document.add_paragraph("{{ requester.__class__ }}")
    document.save(folder / "request.docx")
    monkeypatch.setenv("RECORDSKIT_TEMPLATES", str(folder))
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(answers()))
    result = CliRunner().invoke(cli, ["new", "--answers", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "request.docx: the template tried something the sandbox forbids" in result.output
    assert not (tmp_path / "o").exists()


# --- Files that cannot be written -------------------------------------------------------------


def test_full_disk_leaves_no_partial_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    import recordskit.files

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(recordskit.files.os, "fsync", full)
    with pytest.raises(UserError, match=r"letter.docx: cannot write: No space left on device"):
        write_folder(tmp_path / "out", {"letter.docx": b"x" * 1000, "answers.yaml": b"y"})
    assert list((tmp_path / "out").iterdir()) == []  # no letter, no temporary file


def test_read_only_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import recordskit.files

    def refused(*_args: Any, **_kwargs: Any) -> Any:
        raise PermissionError(errno.EACCES, "Permission denied")

    # (as root, a folder's mode refuses nothing: the file's creation is refused instead)
    monkeypatch.setattr(recordskit.files, "_new_temporary", refused)
    with pytest.raises(UserError, match=r"letter.docx: cannot write: Permission denied"):
        write_folder(tmp_path / "out", {"letter.docx": b"x"})
    assert not (tmp_path / "out" / "letter.docx").exists()


def test_output_folder_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file")
    with pytest.raises(UserError, match="exists and is not a folder"):
        write_folder(tmp_path / "taken", {"letter.docx": b"x"})
    with pytest.raises(UserError, match="cannot create the output folder"):
        write_folder(tmp_path / "taken" / "inside", {"letter.docx": b"x"})


def test_unreadable_answers_file(tmp_path: Path, directory: Directory,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from recordskit.service import load_answers

    path = tmp_path / "a.yaml"
    path.write_text("agency: bps\n")

    def refused(*_args: Any, **_kwargs: Any) -> str:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(Path, "open", refused)
    with pytest.raises(InputFileError, match=r"a.yaml: cannot be read: Permission denied"):
        load_answers(path, directory)


def test_yaml_bombs_and_tags_are_refused(tmp_path: Path, directory: Directory) -> None:
    from recordskit.service import load_answers

    tagged = tmp_path / "tagged.yaml"
    tagged.write_text("agency: !!python/object/apply:os.system ['touch /tmp/recordskit-pwned']\n")
    with pytest.raises(InputFileError, match="not valid YAML or JSON"):
        load_answers(tagged, directory)
    assert not Path("/tmp/recordskit-pwned").exists()


# --- No network, ever ---------------------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every way out of this process fails loudly and is recorded."""
    attempts: list[str] = []

    def refuse(*args: Any, **_kwargs: Any) -> Any:
        attempts.append(repr(args)[:80])
        raise OSError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield attempts


@pytest.mark.slow
def test_every_command_works_offline(no_network: list[str], tmp_path: Path,
                                     answers: Answers) -> None:
    from recordskit.intake.rows import COLUMNS, EXAMPLE_ROW

    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(answers(sent_on="2026-11-23")))
    runner = CliRunner()
    env = {"RECORDSKIT_TODAY": "2026-12-28"}
    for args in (["new", "--answers", str(path), "--out", str(tmp_path / "new"), "--past"],
                 ["agencies", "list"], ["agencies", "show", "bpd"], ["agencies", "validate"],
                 ["agencies", "stale"], ["templates", "check"], ["status", "--json"],
                 ["calendar", "--out", str(tmp_path / "all.ics")]):
        result = runner.invoke(cli, args, env=env)
        assert result.exit_code == 0, (args, result.output)
    from recordskit.service import open_log

    request_id = open_log().all()[0].id
    for args in (["followup", request_id, "--out", str(tmp_path / "f")],
                 ["appeal", request_id, "--out", str(tmp_path / "a")]):
        assert runner.invoke(cli, args, env=env).exit_code == 0
    batch = tmp_path / "b.csv"
    batch.write_text(",".join(COLUMNS) + "\n" + ",".join(
        f'"{EXAMPLE_ROW[c]}"' for c in COLUMNS) + "\n")
    assert runner.invoke(cli, ["batch", str(batch), "--out", str(tmp_path / "b")]).exit_code == 0
    assert no_network == []


@pytest.mark.slow
def test_the_installed_command_opens_no_socket(tmp_path: Path, answers: Answers) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(answers()))
    guard = (
        "import socket, sys\n"
        "class Blocked(socket.socket):\n"
        "    def __init__(self, *a, **k):\n"
        "        raise SystemExit('NETWORK: a socket was opened')\n"
        "socket.socket = Blocked\n"
        "from recordskit.cli import main\n"
        "sys.argv = ['recordskit', 'new', '--answers', sys.argv[1], '--out', sys.argv[2]]\n"
        "main()\n"
    )
    result = subprocess.run([sys.executable, "-c", guard, str(path), str(tmp_path / "o")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "NETWORK" not in result.stdout + result.stderr
    assert (tmp_path / "o" / "letter.docx").exists()


# --- Word compatibility: LibreOffice opens every kind of document --------------------------------

needs_libreoffice = pytest.mark.skipif(
    shutil.which("soffice") is None and shutil.which("libreoffice") is None,
    reason="LibreOffice is not installed (CI installs it)")


@pytest.mark.slow
@needs_libreoffice
def test_libreoffice_converts_every_kind_of_document() -> None:
    from recordskit.documents.rendering.pdf import to_pdf
    from recordskit.service import SAMPLE_CONTEXTS, stamp

    documents = {name: template(name).render(make(), stamp("t", name))
                 for name, make in SAMPLE_CONTEXTS.items()}
    pdfs = to_pdf(documents)
    assert sorted(pdfs) == sorted(Path(n).with_suffix(".pdf").name for n in documents)
    for name, pdf in pdfs.items():
        assert pdf.startswith(b"%PDF"), name
        assert len(pdf) > 5000, name
    if shutil.which("pdftotext"):
        for name, pdf in pdfs.items():
            text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                                  check=True).stdout.decode()
            assert "Boston Public Schools" in text or "BPS" in text, name


@pytest.mark.slow
@needs_libreoffice
def test_new_with_pdf_writes_a_one_page_schedule(tmp_path: Path, answers: Answers) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(answers()))
    result = CliRunner().invoke(cli, ["new", "--answers", str(path), "--out",
                                      str(tmp_path / "o"), "--pdf"])
    assert result.exit_code == 0, result.output
    assert _pages(tmp_path / "o" / "schedule.pdf") == 1
    assert (tmp_path / "o" / "letter.pdf").read_bytes().startswith(b"%PDF")


def _pages(pdf: Path) -> int:
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
        return int(next(line.split()[-1] for line in info.stdout.splitlines()
                        if line.startswith("Pages:")))
    import re

    return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))


def test_pdf_without_libreoffice_says_how_to_get_it(tmp_path: Path, answers: Answers,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))  # LibreOffice is not found
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(answers()))
    result = CliRunner().invoke(cli, ["new", "--answers", str(path), "--out",
                                      str(tmp_path / "o"), "--pdf"])
    assert result.exit_code == 1
    assert "PDF needs LibreOffice" in result.output
    assert "sudo apt-get install libreoffice-writer-nogui" in result.output
    assert (tmp_path / "o" / "letter.docx").exists()  # the DOCX files were written


def test_the_characters_refused_are_exactly_those_unicode_calls_control_and_surrogate() -> None:
    # Answers are checked with one regular expression, not a look-up per character: its ranges
    # must be Unicode's own (categories Cc and Cs, less tab and line break, and U+FFFE/U+FFFF).
    import unicodedata

    from recordskit.models import _UNHOLDABLE

    every = [chr(code) for code in range(sys.maxunicode + 1)]
    refused = [char for char in every if _UNHOLDABLE.fullmatch(char)]
    assert refused == [char for char in every if char not in "\n\t" and (
        unicodedata.category(char) in ("Cc", "Cs") or char in "\ufffe\uffff")]
    # and the privacy scan passes ASCII through unfolded: NFKC keeps it, none of it is a format
    # character
    ascii_text = "".join(chr(code) for code in range(128))
    assert unicodedata.normalize("NFKC", ascii_text) == ascii_text
    assert not any(unicodedata.category(char) == "Cf" for char in ascii_text)


def test_a_leftover_temporary_of_the_same_name_is_stepped_past_not_followed(
        tmp_path: Path) -> None:
    # Temporary names are this process's number and a count: a killed process's leftover under
    # a reused number, or a link planted there, is skipped (created only if absent).
    import os

    import recordskit.files

    out = tmp_path / "out"
    out.mkdir()
    upcoming = next(recordskit.files._TEMPORARY_NUMBERS) + 1
    victim = tmp_path / "victim"
    victim.write_text("keep")
    (out / f".letter.docx.rk{os.getpid()}.{upcoming}.tmp").symlink_to(victim)
    (out / f".letter.docx.rk{os.getpid()}.{upcoming + 1}.tmp").write_text("leftover")
    write_folder(out, {"letter.docx": b"new"}, force=True)
    assert (out / "letter.docx").read_bytes() == b"new"
    assert victim.read_text() == "keep"
    assert (out / f".letter.docx.rk{os.getpid()}.{upcoming + 1}.tmp").read_text() == "leftover"


@pytest.mark.parametrize("size", [0, 1, 99, 100, 101, 5000])
@pytest.mark.parametrize("grown", [0, 1, 4000])
def test_a_bounded_read_reads_the_whole_file_up_to_its_limit_however_it_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int, grown: int) -> None:
    # read_limited asks for the size the file had when opened (not for the whole limit at
    # once); a file that grew after that is still read whole, and one over the limit refused.
    import os

    import recordskit.files as files
    from recordskit.files import LimitError, read_limited
    from recordskit.limits import Limit

    limit = Limit("test_bytes", 100, "bytes")
    path = tmp_path / "f"
    data = (bytes(range(256)) * 40)[:size + grown]
    path.write_bytes(data)
    real_fstat = os.fstat

    def fstat_before_it_grew(descriptor: int) -> Any:
        found = real_fstat(descriptor)
        return os.stat_result((*found[:6], max(0, found.st_size - grown), *found[7:]))

    monkeypatch.setattr(files.os, "fstat", fstat_before_it_grew)
    if size + grown > 100:
        with pytest.raises(LimitError):
            read_limited(path, limit)
    else:
        assert read_limited(path, limit) == data
