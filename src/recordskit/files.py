"""Writing output files so that nothing already good is lost.

Each file is written to a temporary file beside it and renamed into place, so a crash leaves
either the old file or the new one, never half of one. A folder's files are checked before any
is written: without ``force``, an existing file stops the whole write.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from recordskit.errors import OutputExistsError, UserError


def atomic_write(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write ``data`` to ``path`` all at once: readers see the old file or the new, never part.

    ``durable`` also flushes it to the disk before the rename (survives a power cut, not only a
    killed process); a batch turns it off per file and flushes everything once at its end.
    """
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed below, before the rename)
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
    )
    temporary = Path(handle.name)
    try:
        with handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        temporary.chmod(0o644)
        temporary.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


def write_folder(folder: Path, files: Mapping[str, bytes], *, force: bool = False,
                 durable: bool = True) -> list[Path]:
    """Write every file into ``folder``, refusing to overwrite any unless ``force``."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise UserError(f"{folder}: exists and is not a folder; choose another --out") from None
    except OSError as exc:
        raise UserError(f"{folder}: cannot create the output folder: {exc.strerror}") from None
    targets = [folder / name for name in files]
    existing = [path for path in targets if path.exists()]
    if existing and not force:
        names = ", ".join(path.name for path in existing)
        raise OutputExistsError(
            f"{folder}: already holds {names}; nothing was written. Choose another --out "
            "folder, or add --force to replace them."
        )
    written: list[Path] = []
    for path, data in zip(targets, files.values(), strict=True):
        try:
            atomic_write(path, data, durable=durable)
        except OSError as exc:
            done = f" ({', '.join(p.name for p in written)} already written)" if written else ""
            raise UserError(f"{path}: cannot write: {exc.strerror}{done}") from None
        written.append(path)
    return written
