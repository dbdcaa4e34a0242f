"""PDFs of the DOCX documents, by LibreOffice when it is installed (never a hard dependency).

PDFs are made after every other file is written, so a missing LibreOffice costs nothing but the
PDFs, and its error says how to install it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from recordskit.documents.rendering.package import package_problem
from recordskit.errors import FieldError, UserError
from recordskit.files import (
    LimitError,
    not_regular,
    read_limited,
    refuse_existing,
    write_folder,
)
from recordskit.i18n import N_, _
from recordskit.limits import LIMITS

PDF_HELP = N_(
    "PDF needs LibreOffice, which is not installed here. The DOCX files were written and open "
    "in Word or LibreOffice. To get PDFs: on Debian or Ubuntu, `sudo apt-get install "
    "libreoffice-writer-nogui fonts-liberation`; on macOS or Windows, install LibreOffice from "
    "libreoffice.org; then ask for the PDFs again, allowing the files already written to be "
    "replaced"
)
PDF_TIMEOUT_SECONDS = 180


def write_with_pdfs(folder: Path, files: dict[str, bytes], *, force: bool,
                    pdf_of: tuple[str, ...] = ()) -> dict[str, bytes]:
    """Write ``files``, then PDFs of the DOCX files named in ``pdf_of``; return the PDFs.

    The PDFs come after the rest, so a missing LibreOffice costs nothing but the PDFs (its
    error says how to install it); existing PDFs stop everything up front, as other files do.
    """
    if not force:
        refuse_existing(folder, [*files, *(Path(n).with_suffix(".pdf").name for n in pdf_of)])
    write_folder(folder, files, force=force)
    if not pdf_of:
        return {}
    try:
        made = pdfs_beside([folder], pdf_of)
    except KeyboardInterrupt as stopped:  # Ctrl-C while LibreOffice works: say what is there
        stopped.add_note(f"The other files were written in {folder}; only the PDFs were not "
                         "made.")
        raise
    return {path.name: data for path, data in made.items()}


def pdfs_beside(folders: Sequence[Path], names: tuple[str, ...], *, chunk: int = 40
                ) -> dict[Path, bytes]:
    """A PDF beside each DOCX file ``names`` gives in each folder, already written there (so
    PDFs always come after their DOCX), made by LibreOffice a chunk of folders per call and
    written by the one writer (``write_folder``: whole or not at all, never through a link),
    replacing an older PDF; every PDF written, by its path.

    ``new``, ``followup`` and ``appeal`` ask it for one folder, a batch for all of its rows."""
    written: dict[Path, bytes] = {}
    for start in range(0, len(folders), chunk):
        group = folders[start:start + chunk]
        documents = {f"{index}-{name}": _written(folder / name)
                     for index, folder in enumerate(group) for name in names}
        for name, data in to_pdf(documents).items():
            index, _, real = name.partition("-")
            folder = group[int(index)]
            write_folder(folder, {real: data}, force=True)
            written[folder / real] = data
    return written


def _written(path: Path) -> bytes:
    """A document already written in a folder, read as a regular file, never through a link,
    within the limit of a document."""
    try:
        return read_limited(path, LIMITS["template_unpacked_bytes"], follow=False)
    except OSError as exc:
        raise UserError(f"{path}: {not_regular(path, exc)}; the PDFs were not made") from None
    except LimitError as exc:
        raise UserError(f"{exc}; the PDFs were not made") from None


def libreoffice() -> str | None:
    """The LibreOffice command, when it is installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


@cache
def network_isolation() -> tuple[str, ...]:
    """The command prefix that runs a program with no network at all, where this machine allows
    it: ``unshare -rn`` gives it a network namespace of its own holding only a loopback that is
    down. Where user namespaces are off (some containers, macOS, Windows) the prefix is empty and
    the conversion relies on the refused outside links alone (``package_problem``)."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return ()
    try:
        probe = subprocess.run([unshare, "-rn", "true"], capture_output=True,  # noqa: S603
                               timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ()
    return (unshare, "-rn") if probe.returncode == 0 else ()


def _sealed_environment(scratch: Path) -> dict[str, str]:
    """LibreOffice's environment: its home, settings, caches and temporary files inside the
    scratch folder, so a conversion leaves nothing in the user's own folders (nor, stopped by
    Ctrl-C, its temporary files in the system's), and no desktop integration."""
    (scratch / "tmp").mkdir(exist_ok=True)
    return {**os.environ, "HOME": str(scratch), "XDG_CONFIG_HOME": str(scratch / "config"),
            "XDG_CACHE_HOME": str(scratch / "cache"), "XDG_DATA_HOME": str(scratch / "data"),
            "TMPDIR": str(scratch / "tmp"), "SAL_USE_VCLPLUGIN": "svp"}


def to_pdf(documents: dict[str, bytes]) -> dict[str, bytes]:
    """DOCX documents as PDFs, by LibreOffice: ``letter.docx`` gives ``letter.pdf``.

    Each call uses its own LibreOffice profile, so parallel conversions never collide.
    """
    # Nothing LibreOffice would fetch from outside, and where possible no network to fetch with.
    for name, data in documents.items():
        if problem := package_problem(data):
            raise UserError(f"{name}: {problem}")
    command = libreoffice()
    if command is None:
        raise FieldError(_(PDF_HELP), field="pdf")
    with tempfile.TemporaryDirectory(prefix="recordskit-pdf-") as scratch:
        work = Path(scratch)
        for name, data in documents.items():
            (work / name).write_bytes(data)
        profile = (work / "profile").as_uri()
        try:
            result = subprocess.run(  # noqa: S603 (a fixed program and our own files)
                [*network_isolation(), command, f"-env:UserInstallation={profile}",
                 "--headless", "--norestore", "--convert-to", "pdf", "--outdir", str(work / "pdf"),
                 *(str(work / name) for name in documents)],
                capture_output=True, text=True, timeout=PDF_TIMEOUT_SECONDS, check=False,
                env=_sealed_environment(work))
        except subprocess.TimeoutExpired:
            raise UserError(f"LibreOffice took longer than {PDF_TIMEOUT_SECONDS} s to make the "
                            "PDF; the DOCX files were written") from None
        pdfs = {}
        for name in documents:
            pdf = work / "pdf" / (Path(name).stem + ".pdf")
            if not pdf.exists():
                detail = (result.stderr or result.stdout).strip()[-300:]
                raise UserError(f"LibreOffice could not convert {name} to PDF ({detail}); the "
                                "DOCX files were written")
            try:  # LibreOffice's own output, in the scratch folder: still read within bounds
                pdfs[pdf.name] = read_limited(pdf, LIMITS["template_unpacked_bytes"],
                                              follow=False)
            except (OSError, LimitError) as exc:
                raise UserError(f"LibreOffice's PDF of {name} cannot be read ({exc}); the DOCX "
                                "files were written") from None
        return pdfs
