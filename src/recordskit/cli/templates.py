"""``recordskit templates ...``: check and preview the DOCX letter templates."""

from __future__ import annotations

from pathlib import Path

import click

from recordskit.cli.app import cli, say
from recordskit.service import UserError


@cli.group()
def templates() -> None:
    """The letter templates in letter_templates/: check them, and preview them."""


@templates.command("check")
@click.argument("folder", required=False, type=click.Path(path_type=Path, file_okay=False))
def templates_check(folder: Path | None) -> None:
    """Check every DOCX template for anything that would break a letter.

    Reports Jinja syntax errors, variables and fields the renderer does not supply, unknown
    filters, what the sandbox would refuse, and tags Word has mangled, each with the text of
    its paragraph. Exits with status 1 on any error (warnings do not fail).

    \b
    Example:
      recordskit templates check
    """
    from recordskit.service import check_folder, templates_dir

    folder = folder or templates_dir()
    errors = 0
    for name, problems in check_folder(folder).items():
        for problem in problems:
            say(problem.render())
        errors += sum(problem.severity == "error" for problem in problems)
        if not problems:
            say(f"{name}: OK")
    if errors:
        raise UserError(f"{folder}: {errors} template error{'s' if errors != 1 else ''}")


@templates.command("preview")
@click.argument("name")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="Where to write the filled-in example (.docx).")
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
def templates_preview(name: str, out: Path, force: bool) -> None:
    """Fill a template with a realistic sample request, to see the result in Word.

    \b
    Example:
      recordskit templates preview request.docx --out preview.docx
    """
    from recordskit.service import (
        SAMPLE_CONTEXTS,
        LetterTemplate,
        refuse_to_replace,
        stamp,
        templates_dir,
        write_file,
    )

    if name not in SAMPLE_CONTEXTS:
        raise UserError(f"no template {name!r}; expected one of: {', '.join(SAMPLE_CONTEXTS)}")
    if not force:
        refuse_to_replace(out)
    template = LetterTemplate(templates_dir() / name)
    data = template.render(SAMPLE_CONTEXTS[name](), stamp(
        f"Preview of {name}", name, subject="recordskit template preview"))
    write_file(out, data, force=True)
    say(f"Wrote {out}")
