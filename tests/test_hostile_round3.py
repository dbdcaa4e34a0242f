"""Under attack, round three: each defect reproduced as the trial wrote it, and a test walking
every door of its class. Real catalogs, real files, the real command line and real databases."""

from __future__ import annotations

import ast
import re
import shutil
import sqlite3
import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import yaml
from click.testing import CliRunner

from recordskit import i18n
from recordskit.cli import cli
from recordskit.errors import DirectoryError
from recordskit.service import UserError
from recordskit.tracking.schema import SCHEMA_VERSION
from tests.conftest import FROZEN_AGENCIES, FROZEN_TEMPLATES, POSTGRES_URL, ROOT

Answers = Callable[..., dict[str, Any]]
SECRET = "s3cr3t-Pa55"  # noqa: S105 (a password the tests plant, to find it shown)
PACKAGE = ROOT / "src" / "recordskit"


def invoke(*args: str, env: dict[str, str | None] | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), env=env)


# 1. and 14. Translations: a placeholder reaching through its value, a broken catalog.
Edit = Callable[[str, Callable[[bytes], bytes]], Path]


@pytest.fixture
def catalogs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Edit]:
    """A copy of the shipped catalogs in use; ``edit(code, change)`` changes one's bytes."""
    root = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, root)

    def clear() -> None:
        i18n._catalog.cache_clear()
        i18n._language_names.cache_clear()
        i18n._own_name.cache_clear()
        i18n._warned.clear()

    def edit(code: str, change: Callable[[bytes], bytes]) -> Path:
        po = root / code / "LC_MESSAGES" / "recordskit.po"
        po.write_bytes(change(po.read_bytes()))
        clear()
        return po

    monkeypatch.setattr(i18n, "LOCALE_DIR", root)
    clear()
    yield edit
    i18n.set_language("en")
    monkeypatch.undo()
    clear()


def translated(msgid: str, msgstr: str) -> Callable[[bytes], bytes]:
    """A change that gives ``msgid`` the translation ``msgstr`` (as a .po writes it)."""
    def change(po: bytes) -> bytes:
        text = po.decode("utf-8")
        pattern = re.compile(r'(msgid "' + re.escape(msgid) + r'"\nmsgstr )"[^\n]*"')
        assert pattern.search(text), msgid
        escaped = msgstr.replace("\\", "\\\\").replace('"', '\\"')
        return pattern.sub(lambda m: m.group(1) + f'"{escaped}"', text, count=1).encode()
    return change


def test_a_translation_cannot_print_the_environment(catalogs: Edit, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """Defect 1 as reported: "Wrote {path}" translated to reach the environment."""
    monkeypatch.setenv("SECRET", SECRET)
    catalogs("es", translated(
        "Wrote {path}", "Escrito {path} {path.absolute.__globals__[os].environ[SECRET]}"))
    i18n.set_language("es")
    shown = i18n._("Wrote {path}").format(path=tmp_path / "letter.docx")
    assert SECRET not in shown
    assert shown == f"Wrote {tmp_path / 'letter.docx'}"  # the English original instead
    assert "Wrote {path}" in " ".join(i18n.catalog_problems("es"))
    assert "shown in English" in capsys.readouterr().err
    # The rest of the catalog is still Spanish.
    assert "ya existe" in i18n._("{path}: already exists; nothing was written. Allow replacing "
                                 "it to write it again")


def test_a_command_in_a_poisoned_language_prints_no_secret(
        catalogs: Edit, tmp_path: Path, answers: Answers,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Defect 1 through the command line: `new` in Spanish, refusing to replace its own files,
    formats a folder (a Path) into a translation that tries to reach the environment."""
    monkeypatch.setenv("SECRET", SECRET)
    msgid = ("{folder}: already holds {files}; nothing was written. Choose another folder, or "
             "allow replacing them")
    catalogs("es", translated(msgid, "{folder} {files} "
                                     "{folder.absolute.__globals__[os].environ[SECRET]}"))
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(answers()))
    args = ["new", "--answers", str(path), "--out", str(tmp_path / "o"), "--lang", "es"]
    assert invoke(*args).exit_code == 0
    again = invoke(*args)
    assert again.exit_code == 1, again.output
    assert SECRET not in again.output
    assert "already holds" in again.stderr and "nothing was written" in again.stderr
    assert "Traceback" not in again.output


# Everything a translation may try beyond its named placeholders.
BAD_TRANSLATIONS = [
    "Escrito {path} {path.absolute.__globals__[os].environ[SECRET]}",
    "Escrito {path.parent}",
    "Escrito {path[0]}",
    "Escrito {path!r}",
    "Escrito {path:>999999999}",
    "Escrito {0}",
    "Escrito {}",
    "Escrito {msg}",
    "Escrito {",
    "Escrito }",
    "Escrito {path",
    "Escrito",  # a placeholder lost: the person would not learn where the file went
]


@pytest.mark.parametrize("translation", BAD_TRANSLATIONS)
def test_a_translation_fills_only_its_named_placeholders(
        translation: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The class, the formatter's door: whatever a translation says, formatting it fills only
    its named placeholders, never raises, and falls back to the English original."""
    monkeypatch.setenv("SECRET", SECRET)
    path = tmp_path / "letter.docx"
    message = i18n.Message(translation, "Wrote {path}")
    shown = message.format(path=path)
    assert SECRET not in shown
    if translation == "Escrito":  # nothing to fill: the translation is as good as it gets
        assert shown == "Escrito"
    else:
        assert shown == f"Wrote {path}"
    # format_map, the other door of str, is the same.
    assert message.format_map({"path": path}) == shown


@pytest.mark.parametrize("translation", BAD_TRANSLATIONS)
def test_a_catalog_entry_with_other_placeholders_is_refused_at_load(
        translation: str, catalogs: Edit, tmp_path: Path) -> None:
    """The class, the catalog's door: an entry whose placeholders are not its original's is
    left out when the catalog is read (that message stays English), and the check the catalog
    test runs names it."""
    assert i18n.placeholder_problem("Wrote {path}", translation)
    catalogs("es", translated("Wrote {path}", translation))
    i18n.set_language("es")
    assert str(i18n._("Wrote {path}")) == "Wrote {path}"
    assert any("Wrote {path}" in problem for problem in i18n.catalog_problems("es"))
    # A translation that moves its placeholders is a good one.
    catalogs("es", translated("Wrote {path}", "{path}: escrito"))
    i18n.set_language("es")
    assert i18n._("Wrote {path}").format(path=tmp_path) == f"{tmp_path}: escrito"
    assert i18n.catalog_problems("es") == ()


def test_every_shipped_catalog_uses_only_its_originals_placeholders() -> None:
    """Every door of the class that ships: each language's every entry."""
    from babel.messages.pofile import read_po

    # The originals themselves use plain names only: the formatter fills nothing else.
    pot = read_po((i18n.LOCALE_DIR / "recordskit.pot").open("rb"))
    for message in pot:
        if message.id:
            assert not i18n.placeholder_problem(str(message.id), str(message.id)), message.id
    for code in i18n.languages():
        if code == "en":
            continue
        assert i18n.catalog_problems(code) == (), code
        po = read_po((i18n.LOCALE_DIR / code / "LC_MESSAGES" / "recordskit.po").open("rb"))
        for message in po:
            if message.id and message.string:
                assert not i18n.placeholder_problem(str(message.id), str(message.string)), (
                    code, message.id)


@pytest.mark.parametrize("translation", ["Error {msg}", "Error: {", "Error: {message!r:>99}"])
def test_a_broken_error_translation_still_reports_the_error(
        translation: str, catalogs: Edit) -> None:
    """Defect 14: a bad placeholder crashed even inside the error handler."""
    catalogs("es", translated("Error: {message}", translation))
    result = invoke("show", "ffffffff", "--lang", "es")
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Error: " in result.stderr and "ffffffff" in result.stderr
    assert "Traceback" not in result.output


BREAKAGES: dict[str, Callable[[bytes], bytes]] = {
    "a broken Plural-Forms": lambda po: po.replace(b"plural=(n != 1);", b"plural=(n !!= 1;", 1),
    "a byte that is not UTF-8": lambda po: po.replace(b'msgstr "', b'msgstr "\xff', 3),
    "an unknown charset": lambda po: po.replace(b"charset=utf-8", b"charset=klingon-8", 1),
    "a line that does not parse": lambda po: po + b'\nmsgid "x"\nthis is not a catalog\n',
    "not a catalog": lambda po: b"\x00\x01\x02" * 100,
}


@pytest.mark.parametrize("breakage", list(BREAKAGES))
def test_a_broken_catalog_breaks_no_command(breakage: str, catalogs: Edit, tmp_path: Path,
                                            answers: Answers,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """Defect 14 and its class: one broken language folder (Haitian Creole here) breaks no
    command for an English user (LANG=C.UTF-8: language detection reads every folder's name),
    and its own speakers get English with one warning on stderr."""
    if breakage == "a broken Plural-Forms":
        assert b"plural=(n != 1);" in (i18n.LOCALE_DIR / "ht" / "LC_MESSAGES"
                                       / "recordskit.po").read_bytes()
    catalogs("ht", BREAKAGES[breakage])
    english = {"LANGUAGE": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": "C.UTF-8"}
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(answers()))
    made = invoke("new", "--answers", str(path), "--out", str(tmp_path / "o"), env=english)
    assert made.exit_code == 0, made.output
    assert "warning" not in made.stderr  # English users never read the broken catalog
    for args in (["status"], ["status", "--json"]):
        result = invoke(*args, env=english)
        assert result.exit_code == 0, result.output
    request_id = re.search(r'"id": "([0-9a-f]+)"', invoke("status", "--json").output)
    assert request_id is not None
    shown = invoke("show", request_id.group(1), env=english)
    assert shown.exit_code == 0 and "warning" not in shown.stderr, shown.output
    # In the broken language itself: English, and a warning once.
    haitian = {**english, "LANG": "ht_HT.UTF-8"}
    for args in (["status"], ["show", request_id.group(1)], ["show", request_id.group(1),
                                                              "--lang", "ht"]):
        i18n._catalog.cache_clear()  # each command is a process of its own
        i18n._warned.clear()
        result = invoke(*args, env=haitian)
        assert result.exit_code == 0, result.output
        assert result.stderr.count("translation") == 1, result.stderr
        assert "cannot be read" in result.stderr and "shown in English" in result.stderr
    assert i18n.catalog_problems("ht")
    assert i18n.languages()["ht"]  # still listed: a person asking for it is told, in English


# 7. YAML: every read goes through the one bounded loader.
def _bomb(levels: int) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


PAYLOADS = {
    "an alias bomb": (_bomb(4), "anchor or alias"),
    "deep nesting": ("a: " + "[" * 60 + "]" * 60 + "\n", "nesting"),
    "a python tag": ("a: !!python/object/apply:os.system ['echo hi']\n", "not valid YAML"),
    "a syntax error": ("agencies: [\n", "not valid YAML"),
    "a number of 5,000 digits": ("a: " + "9" * 5000 + "\n", "too many digits"),
    "a hexadecimal number of 5,000 digits": ("a: 0x" + "f" * 5000 + "\n", "too many digits"),
    "bytes that are not UTF-8": ("a: caf\udce9\n", "not UTF-8"),
    "a wrong type": ("- just\n- a list\n", ""),
    "a wrong type inside": ("agencies: 5\nprecedents: {a: 1}\n", ""),
}


def _write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8", errors="surrogateescape"))
    return path


def _copy_made(tmp_path: Path) -> Path:
    from recordskit.service import init_user_copy

    return init_user_copy("1.0", target=tmp_path / "config" / "agencies.yaml",
                          shipped=FROZEN_AGENCIES)


def _read_answers(path: Path, tmp_path: Path) -> None:
    from recordskit.service import load_answers, load_directory

    load_answers(path, load_directory(FROZEN_AGENCIES))


def _read_directory(path: Path, tmp_path: Path) -> None:
    from recordskit.service import load_directory

    load_directory(path)


def _open_for_edit(path: Path, tmp_path: Path) -> None:
    from recordskit.service import EditableDirectory

    EditableDirectory.open(path)


def _release(path: Path, tmp_path: Path) -> None:
    from recordskit.service import update_user_copy

    copy = _copy_made(tmp_path)
    before = copy.read_bytes()
    try:
        update_user_copy(target=copy, shipped=path)
    finally:
        assert copy.read_bytes() == before  # nothing written


def _base(path: Path, tmp_path: Path) -> None:
    from recordskit.directory.copies import base_file
    from recordskit.service import update_user_copy

    copy = _copy_made(tmp_path)
    shutil.copy(path, base_file(copy))
    before = copy.read_bytes()
    try:
        update_user_copy(target=copy, shipped=FROZEN_AGENCIES)
    finally:
        assert copy.read_bytes() == before


def _own_copy(path: Path, tmp_path: Path) -> None:
    from recordskit.service import update_user_copy

    copy = _copy_made(tmp_path)
    shutil.copy(path, copy)
    update_user_copy(target=copy, shipped=FROZEN_AGENCIES)


def _init(path: Path, tmp_path: Path) -> None:
    from recordskit.service import init_user_copy

    target = tmp_path / "config" / "agencies.yaml"
    try:
        init_user_copy("1.0", target=target, shipped=path)
    finally:
        assert not target.exists()


def _batch(path: Path, tmp_path: Path) -> None:
    from recordskit.intake.rows import read_rows

    read_rows(path)


def _translators_catalog(path: Path, tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    try:
        from extract_messages import catalog
    finally:
        sys.path.remove(str(ROOT / "tools"))
    catalog(path)


def _command_line_value(path: Path, tmp_path: Path) -> None:
    from recordskit import inputfile

    inputfile.parse_value(path.read_bytes().decode("utf-8", errors="replace"), "--set")


READERS: dict[str, Callable[[Path, Path], None]] = {
    "an answers file": _read_answers,
    "agencies.yaml": _read_directory,
    "agencies.yaml opened to edit": _open_for_edit,
    "agencies update: the release": _release,
    "agencies update: the base": _base,
    "agencies update: your copy": _own_copy,
    "agencies init: the shipped file": _init,
    "a batch file": _batch,
    "the translators' catalog tool": _translators_catalog,
    "a value on the command line": _command_line_value,
}


def _reads() -> list[Any]:
    """Every reader × every payload: the quick run (``-m "not slow"``) gives each reader a
    third of the payloads, in turn (each payload to three or four readers); CI all 90."""
    return [pytest.param(reader, payload, id=f"{reader}-{payload}",
                         marks=() if (r + p) % 3 == 0 else pytest.mark.slow)
            for r, reader in enumerate(READERS) for p, payload in enumerate(PAYLOADS)]


@pytest.mark.parametrize(("reader", "payload"), _reads())
def test_every_yaml_read_is_bounded_and_a_clear_error(reader: str, payload: str,
                                                      tmp_path: Path) -> None:
    """The class: every place recordskit reads YAML, fed each thing an attacker or an accident
    puts in one, refuses it as a ``UserError`` naming the problem: never a traceback, never
    memory."""
    text, message = PAYLOADS[payload]
    if reader == "a value on the command line" and (payload.startswith("bytes") or not message):
        pytest.skip("a command line's value is text, of any type its field then checks")
    path = _write(tmp_path / "input.yaml", text)
    if reader == "a batch file" and payload == "a wrong type":
        from recordskit.intake.rows import read_rows

        assert all(row.malformed for row in read_rows(path))  # each row reported as its own
        return
    with pytest.raises(UserError) as refused:
        READERS[reader](path, tmp_path)
    assert message in str(refused.value), str(refused.value)[:300]


def test_a_release_alias_bomb_is_refused_unexpanded(tmp_path: Path) -> None:
    """Defect 7 as reported: a 9-level alias bomb (2.9 GB expanded) as the new release."""
    from recordskit.service import update_user_copy

    copy = _copy_made(tmp_path)
    release = _write(tmp_path / "release.yaml", FROZEN_AGENCIES.read_text() + _bomb(9))
    before = copy.read_bytes()
    with pytest.raises(DirectoryError, match="anchor or alias"):
        update_user_copy(target=copy, shipped=release)
    assert copy.read_bytes() == before


def test_a_merge_over_the_limit_is_refused_before_it_is_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Defect 7: a valid release merged into a copy over the size limit every command reads
    it within; the merge is refused and nothing is written (the copy and its base unchanged),
    so every command still reads the directory."""
    from recordskit.directory.copies import base_file
    from recordskit.service import load_directory, update_user_copy

    copy = _copy_made(tmp_path)
    text = FROZEN_AGENCIES.read_text()
    new_agency = ("  - id: boston-housing\n    name: Boston Housing Authority\n"
                  "    short_name: BHA\n    kind: municipal\n    calendar: boston\n"
                  "    records_officer:\n      mailing_address: 52 Chauncy Street\n"
                  "    delivery: [mail]\n    sources:\n"
                  "      - url: https://www.bostonhousing.org/\n"
                  "        verified_on: 2026-11-20\n")
    release = _write(tmp_path / "release.yaml", text.replace(
        "  - id: supervisor-of-records", new_agency + "  - id: supervisor-of-records", 1))
    # The copy and the release each within the limit; the copy with the release's agency not.
    monkeypatch.setenv("RECORDSKIT_MAX_INPUT_BYTES", str(len(copy.read_bytes()) + 100))
    assert len(release.read_bytes()) <= len(copy.read_bytes()) + 100
    before, base_before = copy.read_bytes(), base_file(copy).read_bytes()
    with pytest.raises(DirectoryError, match=r"over the limit .*RECORDSKIT_MAX_INPUT_BYTES.*"
                                             r"nothing was written"):
        update_user_copy(target=copy, shipped=release)
    assert (copy.read_bytes(), base_file(copy).read_bytes()) == (before, base_before)
    load_directory(copy)  # every command still reads it
    # And the limit is what the init checks too: a shipped file at the limit makes no copy.
    monkeypatch.setenv("RECORDSKIT_MAX_INPUT_BYTES", str(len(FROZEN_AGENCIES.read_bytes())))
    from recordskit.service import init_user_copy

    with pytest.raises(DirectoryError, match="over the limit"):
        init_user_copy("1.0", target=tmp_path / "again" / "agencies.yaml",
                       shipped=FROZEN_AGENCIES)
    assert not (tmp_path / "again").exists()


_YAML_READS = {"safe_load", "load", "full_load", "unsafe_load", "load_all", "safe_load_all",
               "full_load_all", "unsafe_load_all", "compose", "compose_all", "parse", "scan"}


def _yaml_reads(path: Path) -> list[str]:
    """Every call that reads YAML in one module: ``yaml.safe_load(...)``, a reader imported by
    name (``from yaml import load``), or a ruamel ``YAML()`` however it is reached."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {alias.asname or alias.name: alias.name for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[-1]
                == "yaml" for alias in node.names}
    modules = {"yaml"} | {alias.asname or alias.name for node in ast.walk(tree)
                          if isinstance(node, ast.Import) for alias in node.names
                          if alias.name == "yaml"}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and (func.attr == "YAML" or (
                func.attr in _YAML_READS and isinstance(func.value, ast.Name)
                and func.value.id in modules | set(imported))):
            found.append(f"{path.name}:{node.lineno}: yaml.{func.attr}")
        if isinstance(func, ast.Name) and func.id in imported and (
                imported[func.id] == "YAML" or imported[func.id] in _YAML_READS):
            found.append(f"{path.name}:{node.lineno}: {func.id}()")
    return found


_SOURCES = sorted(str(p.relative_to(ROOT)) for p in [*PACKAGE.rglob("*.py"),
                                                      *(ROOT / "tools").glob("*.py")])


@pytest.mark.parametrize("source", _SOURCES)
def test_no_yaml_is_read_but_through_the_bounded_loader(source: str) -> None:
    """The class, statically: no module but ``inputfile`` reads YAML, and ``directory/edit``'s
    round-trip reader (kept for writing back comments) reads only what ``inputfile`` checked."""
    reads = _yaml_reads(ROOT / source)
    if source == "src/recordskit/inputfile.py":
        return
    if source == "src/recordskit/directory/edit.py":
        text = (ROOT / source).read_text()
        opened = text[text.index("    def open("):text.index("    def agency(")]
        assert opened.index("inputfile.parse(") < opened.index("_yaml().load(")
        assert [r.split(": ", 1)[1] for r in reads] == ["YAML()"], reads
        return
    assert reads == []


# 8. Outside links: the relationships are XML, read as XML.
IMAGE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
RELS = "word/_rels/document.xml.rels"


def _rels(relationship: str, *, encoding: str = "utf-8", declaration: str = "") -> bytes:
    original = zipfile.ZipFile(FROZEN_TEMPLATES / "request.docx").read(RELS).decode("utf-8")
    body = original.split("?>", 1)[1] if original.startswith("<?xml") else original
    xml = declaration + body.replace("</Relationships>", relationship + "</Relationships>")
    return xml.encode(encoding)


def _docx(tmp_path: Path, rels: bytes, *, name: str = RELS, twice: bool = False) -> Path:
    out = tmp_path / "request.docx"
    with zipfile.ZipFile(FROZEN_TEMPLATES / "request.docx") as old, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info.filename)
            if info.filename == RELS:
                if twice:  # the first, harmless, copy is what a last-wins reader sees
                    new.writestr(name, rels)
                    new.writestr(info, data)
                    continue
                new.writestr(name, rels)
                continue
            new.writestr(info, data)
    return out


OUTSIDE = "http://evil.example/x.png"
LINKS = {
    "double quotes": _rels(f'<Relationship Id="rIdX" Type="{IMAGE}" Target="{OUTSIDE}" '
                           'TargetMode="External"/>'),
    "single quotes": _rels(f"<Relationship Id='rIdX' Type='{IMAGE}' Target='{OUTSIDE}' "
                           "TargetMode='External'/>"),
    "spaces around =": _rels(f'<Relationship Id = "rIdX" Type = "{IMAGE}" Target = "{OUTSIDE}" '
                             'TargetMode = "External" />'),
    "a type ending #/hyperlink": _rels(f'<Relationship Id="rIdX" Type="{IMAGE}#/hyperlink" '
                                       f'Target="{OUTSIDE}" TargetMode="External"/>'),
    "UTF-16": _rels(f'<Relationship Id="rIdX" Type="{IMAGE}" Target="{OUTSIDE}" '
                    'TargetMode="External"/>', encoding="utf-16",
                    declaration='<?xml version="1.0" encoding="UTF-16"?>'),
    "a character reference": _rels(f'<Relationship Id="rIdX" Type="{IMAGE}" Target="{OUTSIDE}" '
                                   'TargetMode="&#69;xternal"/>'),
    "an outside address marked internal": _rels(f'<Relationship Id="rIdX" Type="{IMAGE}" '
                                                f'Target="{OUTSIDE}"/>'),
    "an attribute on another line": _rels(f'<Relationship\nId="rIdX"\nType="{IMAGE}"\n'
                                          f'Target="{OUTSIDE}"\nTargetMode="External"/>'),
}


@pytest.mark.parametrize("shape", list(LINKS))
@pytest.mark.parametrize("door", ["template", "templates check", "pdf"])
def test_an_outside_link_is_refused_however_it_is_written(shape: str, door: str,
                                                         tmp_path: Path) -> None:
    """Defect 8 and its class: every way XML can write an outside link, at every door that
    hands a document on (rendering a template, checking one, converting to PDF)."""
    from recordskit.documents.rendering.pdf import to_pdf
    from recordskit.documents.template_check import check_template
    from recordskit.service import LetterTemplate

    path = _docx(tmp_path, LINKS[shape])
    wanted = f"links to an outside file ({OUTSIDE})"
    if door == "template":
        with pytest.raises(UserError, match=re.escape(wanted)):
            LetterTemplate(path)
    elif door == "templates check":
        assert any(wanted in p.message for p in check_template(path))
    else:
        with pytest.raises(UserError, match=re.escape(wanted)):
            to_pdf({"letter.docx": path.read_bytes()})


@pytest.mark.filterwarnings("ignore:Duplicate name")
@pytest.mark.parametrize(("shape", "docx", "message"), [
    ("a part name in capitals", lambda t: _docx(t, LINKS["double quotes"],
                                                name="word/_rels/document.xml.RELS"),
     "links to an outside file"),
    ("a part given twice", lambda t: _docx(t, LINKS["double quotes"], twice=True),
     "links to an outside file"),
    ("an entity bomb", lambda t: _docx(t, (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="&c;" Type="x" Target="y"/></Relationships>')),
     "DOCTYPE"),
    ("an outside entity", lambda t: _docx(t, (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "http://evil.example/e">]>'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="a" Type="x" Target="&e;"/></Relationships>')),
     "cannot be read as XML"),
    ("relationships that are not XML", lambda t: _docx(t, b"<Relationships><Rel"),
     "cannot be read as XML"),
])
def test_relationships_are_read_as_a_package_reader_would(
        shape: str, docx: Callable[[Path], Path], message: str, tmp_path: Path) -> None:
    from recordskit.documents.rendering.package import package_problem

    assert message in package_problem(docx(tmp_path).read_bytes())


def test_a_hyperlink_may_still_point_outside(tmp_path: Path) -> None:
    from recordskit.documents.rendering.package import package_problem

    path = _docx(tmp_path, _rels(f"<Relationship Id='rIdX' Type = '{HYPERLINK}' "
                                 "Target='https://www.sec.state.ma.us/' TargetMode='External'/>"))
    assert package_problem(path.read_bytes()) == ""
    for template in FROZEN_TEMPLATES.glob("*.docx"):
        assert package_problem(template.read_bytes()) == "", template.name


# 5. A database URL never shows its password, and shows its port.
NOWHERE = "host=/nonexistent-socket-folder"
"""Where a URL that can be read points: a local socket that is not there (no network)."""
URLS = {
    "a libpq keyword string": f"host=db.example port=5432 user=clinic password={SECRET}",
    "a JDBC URL": f"jdbc:postgresql://db.example/records?user=clinic&password={SECRET}",
    "a MySQL URL": f"mysql://clinic@db.example/records?password={SECRET}",
    "a MySQL URL with a login": f"mysql://clinic:{SECRET}@db.example/records",
    "an unencoded / in the password": f"postgresql://clinic:{SECRET[:4]}/{SECRET[4:]}@db/rec",
    "an unencoded @ in the password": f"postgresql://clinic:{SECRET[:4]}@{SECRET[4:]}@db/rec",
    "a bad percent-escape": f"postgresql://clinic:{SECRET}%zz@db.example/records",
    "an unclosed IPv6 address": f"postgresql://clinic:{SECRET}@[::1",
    "a port that is not a number": f"postgresql://clinic:{SECRET}@db.example:{SECRET}/records",
    "a password in the query": f"postgresql://clinic@/records?{NOWHERE}&password={SECRET}",
    "a password in the login": f"postgresql://clinic:{SECRET}@/records?{NOWHERE}&port=6543",
    "an encoded password": (f"postgresql://clinic:{SECRET[:4]}%2F{SECRET[4:]}@/records?"
                            f"{NOWHERE}"),
    "no scheme at all": f"clinic:{SECRET}@db.example/records",
    "just the password": SECRET,
}


@pytest.mark.parametrize("shape", list(URLS))
def test_no_database_url_shows_its_password(shape: str) -> None:
    """Defect 5 and its class: every shape a database URL comes in, through the library and the
    command line; the password (or any part of it) is never shown, and nothing crashes."""
    from recordskit.service import open_log

    url = URLS[shape]
    said = []
    try:
        log = open_log(url)
        said.append(log.location)
        log.all()
    except UserError as exc:
        said.append(str(exc))
    result = invoke("--database", url, "status")
    assert result.exit_code == 1 and not isinstance(result.exception, (KeyError, ValueError))
    said.append(result.output)
    for text in said:
        for part in (SECRET, SECRET[:4], SECRET[4:]):
            assert part not in text, (shape, text)


def test_a_database_url_is_shown_with_its_port_and_without_its_password() -> None:
    from recordskit.service import open_log

    shown = {
        f"postgresql://clinic:{SECRET}@db.example:6543/records":
            "postgresql://clinic@db.example:6543/records",
        f"postgres://clinic:{SECRET}@[::1]:6543/records?sslmode=require":
            "postgresql://clinic@[::1]:6543/records",
        "postgresql://clinic@h1:5433,h2:5434/records": "postgresql://clinic@h1:5433,h2:5434/records",
        "postgresql://clinic@/records?host=/run/pg&port=6543":
            "postgresql://clinic@/records?host=/run/pg&port=6543",
        "postgresql://db.example/records": "postgresql://db.example/records",
    }
    for url, location in shown.items():
        assert open_log(url).location == location


# 20. and 19. The log's schema: read with read rights only; a tampered version.
@pytest.fixture
def database() -> Iterator[str]:
    """A fresh database on the test server (PostgreSQL only)."""
    if not POSTGRES_URL:
        pytest.skip("no PostgreSQL test server (tools/test_postgres.sh start)")
    import psycopg

    from tests.conftest import postgres_database

    name = f"rk_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield postgres_database(name)
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def reader(database: str) -> Iterator[str]:
    """The URL of ``database`` as a role that may only connect and read."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict

    role = f"rk_reader_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
    name = conninfo_to_dict(database)["dbname"]
    with psycopg.connect(database, autocommit=True) as owner:
        owner.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(
            sql.Identifier(str(name))))
        owner.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        owner.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
            sql.Identifier(str(name)), sql.Identifier(role)))
        owner.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(
            sql.Identifier(role)))
        owner.execute(sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON "
                              "TABLES TO {}").format(sql.Identifier(role)))
    parts = urlsplit(database)
    yield urlunsplit((parts.scheme, f"{role}@{parts.netloc.rpartition('@')[2]}", parts.path,
                      parts.query, ""))
    with psycopg.connect(database, autocommit=True) as owner:
        owner.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM {}").format(
            sql.Identifier(str(name)), sql.Identifier(role)))
        admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def test_a_read_only_role_reads_the_log(database: str, reader: str, tmp_path: Path,
                                        answers: Answers) -> None:
    """Defect 20: every connection ran CREATE TABLE IF NOT EXISTS, so a role that may only
    read could not. It reads now; it is refused clearly only what it may not do."""
    from recordskit.service import open_log

    as_reader = reader
    # An empty database: nothing to read, and nothing made.
    assert open_log(as_reader).all() == []
    empty = invoke("--database", as_reader, "status")
    assert empty.exit_code == 0, empty.output
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(answers()))
    made = invoke("--database", database, "new", "--answers", str(path), "--out",
                  str(tmp_path / "o"))
    assert made.exit_code == 0, made.output
    logged = open_log(as_reader).all()
    assert len(logged) == 1
    for args in (["status"], ["status", "--json"], ["show", logged[0].id]):
        result = invoke("--database", as_reader, *args)
        assert result.exit_code == 0, result.output
        assert logged[0].id[:8] in result.output
    refused = invoke("--database", as_reader, "log", logged[0].id, "received", "--on",
                     "2026-06-12")
    assert refused.exit_code == 1 and "permission denied" in refused.stderr
    assert "Traceback" not in refused.output


def test_an_older_log_is_upgraded_only_by_who_may(database: str, reader: str) -> None:
    import psycopg

    from recordskit.service import open_log

    open_log(database).create()
    with psycopg.connect(database, autocommit=True) as db:
        db.execute("UPDATE recordskit_schema SET version = 1")
        db.execute("ALTER TABLE requests DROP COLUMN created_by")
        db.execute("ALTER TABLE events DROP COLUMN recorded_by")
        db.execute("ALTER TABLE events DROP COLUMN uid")
        for column in ("revision", "state", "next_step", "next_on", "next_now", "state_since",
                       "state_until", "state_basis", "state_problem"):  # schema 3's
            db.execute(f"ALTER TABLE requests DROP COLUMN {column}")
        for table in ("staff_sessions", "staff", "intakes", "audit"):  # schema 4's
            db.execute(f"DROP TABLE {table}")
    with pytest.raises(UserError, match=rf"needs its tables upgraded \(schema {SCHEMA_VERSION}"
                                        r"\), and this database user may not"):
        open_log(reader).all()
    assert open_log(database).all() == []  # the owner upgrades it
    assert open_log(reader).all() == []


WANTED = (r"the request log's schema version is .*; expected a whole number from 0 to "
          f"{SCHEMA_VERSION}")


@pytest.mark.parametrize("version", [-1, -2147483648])
def test_a_tampered_sqlite_version_is_a_clear_error(version: int, _private_log: Path) -> None:
    """Defect 19 and its class (SQLite): every version a log can be made to store that is not
    a whole number from 0 is a clear error naming the log and what is expected, and the log is
    left as it was."""
    from recordskit.service import open_log

    log = open_log()
    log.create()
    with sqlite3.connect(_private_log / "requests.sqlite3") as db:
        db.execute(f"PRAGMA user_version = {version}")
    with pytest.raises(UserError, match=WANTED) as refused:
        open_log().all()
    assert str(_private_log / "requests.sqlite3") in str(refused.value)
    result = invoke("status")
    assert result.exit_code == 1 and re.search(WANTED, result.stderr), result.output
    with sqlite3.connect(_private_log / "requests.sqlite3") as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == version


@pytest.mark.parametrize(("column", "versions"), [
    ("integer", ["-1"]),
    ("text", ["two"]),
    ("text", [" 2x"]),
    ("text", ["2", "bad"]),
    ("text", ["99999999999999999999"]),
])
def test_a_tampered_postgresql_version_is_a_clear_error(
        column: str, versions: list[str], database: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Defect 19 and its class (PostgreSQL): the version column made text, a word, a negative
    number, two rows: each a clear error naming the log, and the log left as it was."""
    import psycopg

    from recordskit.service import open_log

    open_log(database).create()
    with psycopg.connect(database, autocommit=True) as db:
        if column == "text":
            db.execute("ALTER TABLE recordskit_schema ALTER COLUMN version TYPE text")
        db.execute("DELETE FROM recordskit_schema")
        for version in versions:
            db.execute("INSERT INTO recordskit_schema VALUES (%s)", (version,))
    with pytest.raises(UserError, match=WANTED) as refused:
        open_log(database).all()
    assert open_log(database).location in str(refused.value)
    monkeypatch.setenv("RECORDSKIT_DATABASE_URL", database)
    result = invoke("status")
    assert result.exit_code == 1 and re.search(WANTED, result.stderr), result.output
    with psycopg.connect(database) as db:
        stored = db.execute("SELECT version::text FROM recordskit_schema").fetchall()
    assert sorted(row[0] for row in stored) == sorted(v.strip() if column == "integer" else v
                                                      for v in versions)


def test_the_version_reader_takes_only_whole_numbers() -> None:
    from recordskit.tracking.schema import stored_version

    assert stored_version([], "log") == 0
    assert stored_version([2], "log") == stored_version(["2"], "log") == 2
    for bad in (-1, "-1", "two", "²", True, "9" * 5000, None, 2.0, "0x2"):
        with pytest.raises(UserError, match="log: the request log's schema version"):
            stored_version([bad], "log")




def test_a_driver_message_never_carries_the_password() -> None:
    """Should the driver ever echo the password (raw or percent-encoded) in its message, the
    log's message takes it out."""
    from recordskit.tracking.postgres import PostgresLog

    log = PostgresLog(f"postgresql://clinic:{SECRET}%2F1@/records?{NOWHERE}")
    for echoed in (f"{SECRET}/1", f"{SECRET}%2F1"):
        reason = log._reason(RuntimeError(f'FATAL: bad password "{echoed}"\nDETAIL: more'))
        assert SECRET not in reason and reason.startswith("FATAL: bad password")


def _docx_body(tmp_path: Path, xml: str) -> Path:
    out = tmp_path / "request.docx"
    with zipfile.ZipFile(FROZEN_TEMPLATES / "request.docx") as old, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info.filename)
            if info.filename == "word/document.xml":
                text = data.decode("utf-8")
                start = text.index("<w:body>") + len("<w:body>")
                data = (text[:start] + xml + text[start:]).encode("utf-8")
            new.writestr(info, data)
    return out


def _field(*instructions: str) -> str:
    runs = "".join(f'<w:r><w:instrText xml:space="preserve">{part}</w:instrText></w:r>'
                   for part in instructions)
    return (f'<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>{runs}'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')


FIELDS = {
    "INCLUDEPICTURE": _field(f'INCLUDEPICTURE "{OUTSIDE}" \\d'),
    "a field split across runs": _field("INCLUDE", f'PICTURE "{OUTSIDE}"'),
    "lower case": _field(f'includepicture "{OUTSIDE}"'),
    "a simple field": f'<w:p><w:fldSimple w:instr=" INCLUDETEXT &quot;{OUTSIDE}&quot; "/></w:p>',
    "a LINK field": _field(f'LINK Excel.Sheet.8 "{OUTSIDE}" "Sheet1" \\a'),
}


@pytest.mark.parametrize("shape", list(FIELDS))
@pytest.mark.parametrize("door", ["template", "templates check", "pdf"])
def test_a_field_that_fetches_a_file_is_refused(shape: str, door: str, tmp_path: Path) -> None:
    """The class beyond relationships: a Word field that brings in a file by address."""
    from recordskit.documents.rendering.pdf import to_pdf
    from recordskit.documents.template_check import check_template
    from recordskit.service import LetterTemplate

    path = _docx_body(tmp_path, FIELDS[shape])
    wanted = "field, which brings in another file"
    if door == "template":
        with pytest.raises(UserError, match=wanted):
            LetterTemplate(path)
    elif door == "templates check":
        assert any(wanted in p.message for p in check_template(path))
    else:
        with pytest.raises(UserError, match=wanted):
            to_pdf({"letter.docx": path.read_bytes()})


def _instructions_walked(data: bytes) -> str:
    """A part's field instructions as every element is visited in document order: each
    ``instrText``'s text, then each ``instr`` attribute's value, in any namespace."""
    from lxml import etree

    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, remove_comments=True))
    found = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag.rpartition("}")[2] == "instrText":
            found.append(element.text or "")
        found += [str(value) for key, value in element.attrib.items()
                  if key.rpartition("}")[2] == "instr"]
    return "".join(found)


@pytest.mark.parametrize("xml", [
    *FIELDS.values(),
    '<w:p><w:fldSimple w:instr="INCLUDE"><w:r><w:instrText w:instr="TEXT">PICTURE</w:instrText>'
    '</w:r></w:fldSimple><w:r><w:instrText>x<w:t>kept</w:t>y</w:instrText></w:r></w:p>',
    '<w:p><w:r><instrText>IN</instrText><w:t instr="CLUDE" other:instr="TEXT" '
    'xmlns:other="urn:other"/></w:r><!-- INCLUDETEXT --><?pi LINK?></w:p>',
])
def test_field_instructions_are_read_in_document_order(xml: str) -> None:
    # The field check reads the instructions with one XPath: the same text, in the same order,
    # as visiting every element (a field split across runs and attributes is found joined).
    from lxml import etree

    from recordskit.documents.rendering.package import _instructions, _parser

    data = (f'<w:document xmlns:w="{W_NS}"><w:body>{xml}</w:body></w:document>').encode()
    root = etree.fromstring(data, _parser())
    read = "".join(node.text or "" if isinstance(node, etree._Element) else str(node)
                   for node in _instructions()(root))
    assert read == _instructions_walked(data)
    with zipfile.ZipFile(FROZEN_TEMPLATES / "request.docx") as archive:
        for name in archive.namelist():
            if name.startswith("word/") and name.endswith(".xml"):
                part = archive.read(name)
                root = etree.fromstring(part, _parser())
                assert "".join(node.text or "" if isinstance(node, etree._Element)
                               else str(node) for node in _instructions()(root)
                               ) == _instructions_walked(part)


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def test_fields_that_fetch_nothing_are_kept(tmp_path: Path) -> None:
    from recordskit.documents.rendering.package import package_problem

    for xml in (_field(' HYPERLINK "https://www.sec.state.ma.us/" '), _field(" PAGE "),
                "<w:p><w:r><w:t>INCLUDEPICTURE, typed as text</w:t></w:r></w:p>"):
        assert package_problem(_docx_body(tmp_path, xml).read_bytes()) == "", xml


def test_a_release_over_the_limit_is_refused_unread(tmp_path: Path) -> None:
    """Defect 7 as reported: a valid 2.3 MB release was merged, and every command then refused
    the directory as over its limit. It is refused before it is read, saying how to raise the
    limit; the copy every command reads is unchanged."""
    from recordskit.service import load_directory, update_user_copy

    copy = _copy_made(tmp_path)
    padding = "".join(f"# a note of the release, line {n:07d} {'.' * 40}\n"
                      for n in range(2_300_000 // 80))
    release = _write(tmp_path / "release.yaml", FROZEN_AGENCIES.read_text() + padding)
    assert 2_200_000 < release.stat().st_size < 2_400_000
    before = copy.read_bytes()
    with pytest.raises(DirectoryError, match=r"the file is over the limit of 2,000,000 bytes.*"
                                             r"RECORDSKIT_MAX_INPUT_BYTES"):
        update_user_copy(target=copy, shipped=release)
    assert copy.read_bytes() == before
    load_directory(copy)
