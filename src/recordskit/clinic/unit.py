"""The systemd unit that runs a clinic's server, for ``recordskit clinic setup --unit``.

``deploy/recordskit-clinic.service`` in the checkout is this unit for the paths README shows (a
test keeps the two equal), so a clinic that copies the file and one that lets setup write it get
the same sandbox.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

UNIT = """\
# A clinic's recordskit server, run by systemd. Put it in /etc/systemd/system/, then:
#   sudo systemctl daemon-reload && sudo systemctl enable --now recordskit-clinic
# It listens on 127.0.0.1 only: the clinic's HTTPS reverse proxy (deploy/Caddyfile) is what
# the world reaches. Its settings are in {config} (`recordskit clinic setup` wrote them).
[Unit]
Description=recordskit: a clinic's public records requests, served to families and staff
After=network-online.target postgresql.service
Wants=network-online.target

[Service]
Type=simple
User={user}
Group={user}
EnvironmentFile={config}
# systemd reads the settings (as root) and hands them to the server as its environment
ExecStart={program} serve --clinic
Restart=on-failure
# The server needs its folder of requests and nothing else of the disk
ReadWritePaths={requests}
ProtectSystem=strict
ProtectHome=true
PrivateTmp=true
NoNewPrivileges=true
ProtectKernelTunables=true
ProtectControlGroups=true
RestrictSUIDSGID=true
LockPersonality=true
UMask=0077

[Install]
WantedBy=multi-user.target
"""

_PLAIN_PATH = re.compile(r"/[A-Za-z0-9._/-]*")


def unit_text(*, program: Path, config: Path, requests: Path, user: str) -> str:
    """The unit for this install's ``recordskit`` (its whole path), the settings file, the
    requests folder and the account it runs as; a path systemd would read otherwise (a space,
    a percent sign) is refused rather than quoted."""
    for path in (program, config, requests):
        if not _PLAIN_PATH.fullmatch(str(path)):
            raise ValueError(f"{shlex.quote(str(path))}: a unit needs a whole path of "
                             "letters, digits, '.', '_', '-' and '/'")
    if not re.fullmatch(r"[a-z_][a-z0-9_-]{0,31}", user):
        raise ValueError(f"{user!r} is not a system account name")
    return UNIT.format(program=program, config=config, requests=requests, user=user)
