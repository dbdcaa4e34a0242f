"""``python -m recordskit``."""

from recordskit.cli import main

main()
