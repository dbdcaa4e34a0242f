"""The one writer: every file recordskit writes goes through here, so nothing good is lost.

Each file is written to a temporary file beside it and renamed into place, so a crash leaves
either the old file or the new one, never half of one. A file or folder that exists is never
replaced unless the caller says ``force``; a folder's files are checked before any is written.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import itertools
import os
import stat
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, BinaryIO

from recordskit.errors import FieldError, OutputExistsError, UserError
from recordskit.i18n import _
from recordskit.limits import Limit

TEMPORARY_SUFFIX = ".tmp"
"""Temporary files are ``.<name>.rk<pid>.<random or number>.tmp``: the process that owns one
is known."""


@contextlib.contextmanager
def atomic_writer(path: Path, *, durable: bool = True, private: bool = False
                  ) -> Iterator[IO[bytes]]:
    """A file handle whose content replaces ``path`` all at once when the block ends.

    ``durable`` also flushes it to the disk before the rename (survives a power cut, not only a
    killed process); a batch turns it off per file and flushes everything once at its end. The
    file keeps the mode of the one it replaces, or gets the mode the umask gives a new file
    (``private``: readable by its owner alone, for a file that holds a password);
    ``path`` itself is never a symbolic link followed (see ``refuse_link``).
    """
    refuse_link(path)
    # The one way this module makes a temporary file (``_new_temporary``), as a folder's files
    # are written: named by this process, created only if absent, with the final mode.
    mode = _mode_for(path, 0o600 if private else 0o666)
    descriptor, name = _new_temporary(str(path.parent), path.name, mode)
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            _set_mode(handle.fileno(), name, mode)
            yield handle
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        temporary.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


class LimitError(ValueError):
    """A file over its limit (the message says which, and how to raise it)."""


def open_regular(path: Path, *, follow: bool = True) -> BinaryIO:
    """``path`` opened for reading, as a regular file only: a folder, a device (``/dev/zero``),
    a pipe or a socket is refused before a byte is read, and the open file is checked to be the
    one looked at. ``follow=False`` refuses a symbolic link too, for files recordskit itself
    keeps (a batch's ``manifest.csv``), where a link is never what it wrote. Raises
    ``OSError``; ``not_regular`` words it."""
    found = path.stat() if follow else path.lstat()
    if stat.S_ISLNK(found.st_mode):
        raise OSError(errno.ELOOP, "is a symbolic link")
    if not stat.S_ISREG(found.st_mode):
        raise IsADirectoryError(errno.EISDIR, "is not a regular file; expected a saved file")
    handle = path.open("rb")
    opened = os.fstat(handle.fileno())
    if (opened.st_dev, opened.st_ino) != (found.st_dev, found.st_ino) \
            or not stat.S_ISREG(opened.st_mode):  # swapped between the look and the open
        handle.close()
        raise IsADirectoryError(errno.EISDIR, "is not a regular file; expected a saved file")
    return handle


def not_regular(path: Path, exc: OSError) -> str:
    """Why ``path`` could not be opened by ``open_regular``, as a problem's message."""
    if isinstance(exc, FileNotFoundError):
        return "file not found"
    if exc.errno == errno.ELOOP:
        return "is a symbolic link; recordskit reads the files it keeps only where it wrote them"
    if isinstance(exc, IsADirectoryError):
        return ("is a folder; expected a file" if path.is_dir() else
                "is not a regular file; expected a saved file")
    return f"cannot be read: {exc.strerror}"


def read_limited(path: Path, limit: Limit, *, follow: bool = True) -> bytes:
    """A regular file's bytes, never more than ``limit`` of them read: the one bounded reader,
    which every file recordskit reads goes through (``OSError`` when it cannot be opened;
    ``LimitError`` when it is larger)."""
    most = limit.value
    with open_regular(path, follow=follow) as handle:
        # As much as the file holds, and a byte more to see that it grew: asking for the whole
        # limit at once made a buffer of the limit's size (2 MB) for every file read, most of
        # the time of reading a small one (a batch reads a thousand schedules back).
        expected = min(os.fstat(handle.fileno()).st_size, most)
        data = handle.read(expected + 1)
        if len(data) > expected:  # larger than it was a moment ago, or than the limit
            data += handle.read(most + 1 - len(data))
    if len(data) > most:
        raise LimitError(limit.exceeded(str(path), "it is larger"))
    return data


def refuse_link(path: Path) -> None:
    """Refuse to write at a symbolic link: it could point anywhere (another user's file)."""
    if path.is_symlink():
        raise _link_error(path)


def _link_error(path: Path) -> UserError:
    return UserError(_("{path}: is a symbolic link; recordskit does not write through links. "
                       "Remove the link, or write to the file it points to").format(path=path))


def _replaced_mode(path: Path, new_mode: int) -> int:
    """The mode for the file that replaces ``path`` (its own, or ``new_mode`` when there is
    none), refusing a symbolic link: one look at the path."""
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        return new_mode
    if stat.S_ISLNK(found.st_mode):
        raise _link_error(path)
    return stat.S_IMODE(found.st_mode)


def _write_all(descriptor: int, data: bytes) -> None:
    """All of ``data``: one ``write`` may take only part of it (a signal, a pipe, some disks)."""
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view):]


def _mode_for(path: Path, new: int = 0o666) -> int:
    """The mode the written file gets: the replaced file's, or a new file's under the umask."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return new & ~_umask()


def _umask() -> int:
    # The umask can only be read by setting it; set it straight back.
    current = os.umask(0o022)
    os.umask(current)
    return current


def leftover_temporaries(folder: Path) -> list[Path]:
    """Temporary files in ``folder`` whose writing process has ended (a killed run's)."""
    found = []
    for candidate in folder.glob(f".*{TEMPORARY_SUFFIX}"):
        owner = candidate.name.rsplit(".rk", 1)[-1].split(".", 1)[0]
        if not owner.isdigit() or not _alive(int(owner)):
            found.append(candidate)
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """A killed process nobody has reaped yet (a killed batch's workers, where the container's
    first process does not reap orphans) still answers a signal, but writes nothing more."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # no /proc (macOS, Windows): trust the signal
        return False
    return stat.rsplit(")", 1)[-1].split()[:1] == ["Z"]


def atomic_write(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write ``data`` to ``path`` all at once: readers see the old file or the new, never part."""
    with atomic_writer(path, durable=durable) as handle:
        handle.write(data)


def write_if_changed(path: Path, chunks: bytes | Iterable[bytes], *, durable: bool = True
                     ) -> bool:
    """Write ``chunks`` into ``path`` unless it already holds exactly them; True when written.

    Given bytes, they are compared first and nothing is written when they are the same. Given
    an iterable, the content is never held in memory whole (a batch's calendar can be large): it
    is streamed to the temporary file, and the rename is skipped when the old file has the same
    digest.
    """
    if isinstance(chunks, bytes):
        if _holds(path, chunks):
            return False
        chunks = (chunks,)
    digest = hashlib.sha256()

    class _Same(Exception):
        pass

    try:
        with atomic_writer(path, durable=durable) as handle:
            for chunk in chunks:
                handle.write(chunk)
                digest.update(chunk)
            if _digest(path) == digest.digest():
                raise _Same
    except _Same:
        return False
    return True


def _holds(path: Path, data: bytes) -> bool:
    """Whether ``path`` is a regular file, not a link, holding exactly ``data`` (read no
    further than one byte past it: a link to ``/dev/zero`` is not read at all)."""
    try:
        with open_regular(path, follow=False) as handle:
            return handle.read(len(data) + 1) == data
    except OSError:
        return False


def _digest(path: Path) -> bytes:
    """The digest of a regular file that is not a link; nothing for anything else."""
    found = hashlib.sha256()
    try:
        handle = open_regular(path, follow=False)
    except OSError:
        return b""
    with handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            found.update(block)
    return found.digest()


def refuse_to_replace(path: Path) -> None:
    """Stop when ``path`` exists: call it before costly work, when replacing is not allowed."""
    if os.path.lexists(path):
        raise OutputExistsError(_("{path}: already exists; nothing was written. Allow "
                                  "replacing it to write it again").format(path=path))


def write_file(path: Path, data: bytes | Iterable[bytes], *, force: bool = False,
               private: bool = False) -> None:
    """Write one file, refusing to replace one that exists unless ``force``; ``data`` may come
    in pieces (a whole log's calendar), never held in memory at once. ``private``: a new file
    is readable by its owner alone."""
    if not force:
        refuse_to_replace(path)
    try:
        with atomic_writer(path, private=private) as handle:
            for piece in [data] if isinstance(data, bytes) else data:
                handle.write(piece)
    except OSError as exc:
        raise UserError(_("{path}: cannot write: {reason}").format(
            path=path, reason=exc.strerror)) from None


def refuse_existing(folder: Path, names: Iterable[str]) -> None:
    """Stop before writing anything when any of ``names`` already exists in ``folder`` (a
    dangling symbolic link counts: it exists, though what it points to does not)."""
    existing = [name for name in names if os.path.lexists(folder / name)]
    if existing:
        raise OutputExistsError(_(
            "{folder}: already holds {files}; nothing was written. Choose another folder, or "
            "allow replacing them").format(folder=folder, files=", ".join(existing)))


def write_folder(folder: Path, files: Mapping[str, bytes], *, force: bool = False,
                 durable: bool = True) -> list[Path]:
    """Write every file into ``folder`` as one set, refusing to overwrite any unless ``force``.

    Every file is written to its temporary file first, and only then are they renamed into
    place, in order: a full disk or a refused write leaves the folder's old files as they were,
    all of them, never a mix of old and new.
    """
    try:
        folder.mkdir(parents=True)
        made_now = True  # so no file of it can exist yet, let alone a link
    except FileExistsError:
        if not folder.is_dir():
            raise FieldError(_("{folder}: exists and is not a folder; choose another output "
                               "folder").format(folder=folder), field="out") from None
        made_now = False
    except OSError as exc:
        raise UserError(_("{folder}: cannot create the output folder: {reason}").format(
            folder=folder, reason=exc.strerror)) from None
    if not force and not made_now:
        refuse_existing(folder, files)
    # Each temporary file is named by a string, never a ``Path``: a batch writes eight files a
    # row, and building ``Path`` objects for them took as long as the system calls that write.
    staged: list[tuple[str, Path]] = []
    path = folder
    directory = os.fspath(folder)
    umask = _umask()
    try:
        for name, data in files.items():
            path = folder / name
            mode = 0o666 & ~umask if made_now else _replaced_mode(path, 0o666 & ~umask)
            # The descriptor itself, not a file object: a batch writes eight files a row, and
            # the file object's own calls (stat, seek, terminal check) were half of them.
            descriptor, temporary = _new_temporary(directory, name, mode)
            staged.append((temporary, path))
            try:
                _write_all(descriptor, data)
                if mode & umask:  # a replaced file's mode gives what the umask takes away
                    _set_mode(descriptor, temporary, mode)
                if durable:
                    os.fsync(descriptor)
            finally:
                os.close(descriptor)
    except OSError as exc:
        _remove(staged)
        raise UserError(_("{path}: cannot write: {reason}; nothing in {folder} was "
                          "changed").format(path=path, reason=exc.strerror,
                                            folder=folder)) from None
    except BaseException:
        _remove(staged)
        raise
    for temporary, path in staged:
        os.replace(temporary, path)  # noqa: PTH105 (a string: see above)
    return [path for _temporary, path in staged]


_TEMPORARY_NUMBERS = itertools.count()
_CREATE = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
           | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))


def _new_temporary(directory: str, name: str, mode: int) -> tuple[int, str]:
    """A new temporary file beside ``name``, open for writing, created with ``mode`` (less the
    umask, as any new file; never more open than the file it becomes).

    Named by this process and a number it counts, as no other running process names one, and
    created only if absent (``O_EXCL``, which never follows a link), so a killed process's
    leftover under a reused process number is stepped past. (``tempfile.mkstemp`` does the same
    with random names and mode 0600, then needs a second call to set the mode: a batch makes
    eight of these a row.)
    """
    while True:
        temporary = (f"{directory}{os.sep}.{name}.rk{os.getpid()}.{next(_TEMPORARY_NUMBERS)}"
                     f"{TEMPORARY_SUFFIX}")
        try:
            return os.open(temporary, _CREATE, mode), temporary
        except FileExistsError:
            continue


def _set_mode(descriptor: int, name: str, mode: int) -> None:
    """Set the mode on the open file where the system can (Linux, macOS), else by its name."""
    if hasattr(os, "fchmod"):
        os.fchmod(descriptor, mode)
    else:
        Path(name).chmod(mode)


def _remove(staged: list[tuple[str, Path]]) -> None:
    for temporary, _path in staged:
        with contextlib.suppress(OSError):
            Path(temporary).unlink()
