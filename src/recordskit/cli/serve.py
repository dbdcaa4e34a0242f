"""``recordskit serve``: the family's pages in a browser, served from this computer."""

from __future__ import annotations

from pathlib import Path

import click

from recordskit.cli.app import cli, clinic_settings, directory_path, say, speak, today


@cli.command()
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              envvar="RECORDSKIT_PORT", show_envvar=True,
              help="The port to listen on [default: any free port; with --clinic, the "
                   "settings file's (--config), or 8765].")
@click.option("--no-browser", "no_browser", is_flag=True,
              help="Do not open the browser; only print the address.")
@click.option("--out", "out", type=click.Path(path_type=Path, file_okay=False),
              envvar="RECORDSKIT_REQUESTS", show_envvar=True,
              help="Folder where each request's folder is written [default: the current "
                   "folder; with --clinic, the settings file's].")
@click.option("--host", "host", default="127.0.0.1", show_default=True,
              help="The address to listen on. Anything but 127.0.0.1 lets other computers "
                   "reach the pages (with the token): only on a network you trust.")
@click.option("--lang", "lang", help="Language of what this command prints: en, es or ht.")
@click.option("--clinic", is_flag=True,
              help="Serve a clinic's pages behind its HTTPS proxy: families by the links "
                   "`intake link` makes, staff by signing in (`staff add`). Use the clinic's "
                   "PostgreSQL log (--database).")
@click.option("--public-host", "public_hosts", multiple=True,
              envvar="RECORDSKIT_PUBLIC_HOST", show_envvar=True,
              help="With --clinic: the name the proxy serves the pages under (repeatable) "
                   "[default: the settings file's].")
@click.pass_context
def serve(ctx: click.Context, port: int | None, no_browser: bool, out: Path | None, host: str,
          lang: str | None, clinic: bool, public_hosts: tuple[str, ...]) -> None:
    """Serve the family's pages in a web browser, on this computer only.

    The address printed holds a random key (a token): only a browser that opens it can use
    the pages. Every request is written in its own folder under --out, and logged as `new`
    logs it. Stop with Ctrl-C.

    \b
    Examples:
      recordskit serve
      recordskit serve --no-browser --port 8765
      recordskit --database postgresql://... serve --clinic --public-host records.example.org
      recordskit --config /etc/recordskit/clinic.env serve --clinic
    """
    from recordskit.service import UserError, _

    speak(lang)
    try:
        from recordskit.web.serve import run
    except ImportError:
        raise UserError(_("the pages need the web extra: pip install 'recordskit[web]'")
                        ) from None
    root = ctx.find_root().obj or {}
    if clinic:
        from recordskit.web.serve import run_clinic

        settings = clinic_settings(ctx)
        if settings is not None:
            public_hosts = public_hosts or settings.public_hosts
            port = port or settings.port
            out = out or settings.requests
        if public_hosts:
            from recordskit.service import check_public_hosts

            try:  # the settings file (and so systemd's environment) separates names by commas
                public_hosts = check_public_hosts(",".join(public_hosts))
            except ValueError as exc:
                raise UserError(f"--public-host: {exc}") from None
        run_clinic(folder=out or Path.cwd(), agencies_path=directory_path(ctx),
                   database_url=root.get("database_url") or "", host=host,
                   port=port or 8765, public_hosts=list(public_hosts), today=today, say=say)
        return
    run(folder=out or Path.cwd(), agencies_path=directory_path(ctx),
        database_url=root.get("database_url") or "", host=host, port=port or 0,
        open_browser=not no_browser, today=today, say=say)
