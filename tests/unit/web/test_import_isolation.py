"""The web never imports worker code: it publishes jobs by task name."""

import subprocess
import sys


def test_importing_the_web_app_loads_no_worker_module():
    code = (
        "import sys; from photoshare_web import create_app; "
        "from photoshare_web import api, pages, uploads; "
        "print(sorted(m for m in sys.modules if m.startswith('photoshare_worker')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
