"""How each bench part hands back its figures: JSON on stdout, and in --out for `make bench`."""

import json
from pathlib import Path
from typing import Any


def emit(figures: dict[str, Any], out: Path | str | None) -> None:
    """Print the figures as JSON, and write them to `out` when given."""
    text = json.dumps(figures, indent=1)
    if out:
        Path(out).write_text(text)
    print(text)
