"""The nginx proxy's configuration, read without Docker: what start.sh renders into it, and that the
proxy says what the web says (tests/e2e/test_compose_slow_clients.py runs it for real)."""

import json
import re
from pathlib import Path

import yaml

from photoshare_shared.settings import Settings
from photoshare_web.errors import too_large_message

ROOT = Path(__file__).parents[3]
PROXY = ROOT / "services/web/proxy"
TEMPLATE = (PROXY / "nginx.conf.template").read_text()
START = (PROXY / "start.sh").read_text()


def _rendered_names() -> set[str]:
    (names,) = re.findall(r"envsubst '([^']*)'", START)
    return set(re.findall(r"\$\{(\w+)\}", names))


def _render(**values: str) -> str:
    return re.sub(r"\$\{(\w+)\}", lambda match: values[match.group(1)], TEMPLATE)


def _returned(rendered: str, location: str) -> str:
    """The body a `location = LOCATION { return CODE '...'; }` answers with."""
    (body,) = re.findall(rf"location = {re.escape(location)} {{[^}}]*?return \d+ '([^']*)';", rendered)
    return body.replace("\\n", "\n")


def test_start_renders_every_name_the_template_uses_and_exports_it():
    used = set(re.findall(r"\$\{(\w+)\}", TEMPLATE))
    assert used == _rendered_names()
    (exported,) = re.findall(r"^export (.*)$", START, flags=re.MULTILINE)
    assert used <= set(exported.split())


def test_the_proxys_413_says_what_the_webs_does():
    rendered = _render(
        PHOTOSHARE_MAX_UPLOAD_MB="7", PROXY_MAX_BODY_MB="8", PROXY_UPSTREAM="web:8000", PROXY_RESOLVER="x"
    )
    message = too_large_message(Settings(max_upload_mb=7))
    assert json.loads(_returned(rendered, "/_proxy/too-large.json")) == {"error": message}
    assert f'<p class="error" role="alert">{message}</p>' in _returned(rendered, "/_proxy/too-large.html")


def test_the_proxy_and_the_web_get_the_same_upload_limit_in_compose():
    services = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    limit = services["web"]["environment"]["PHOTOSHARE_MAX_UPLOAD_MB"]
    assert limit.startswith("${PHOTOSHARE_MAX_UPLOAD_MB")
    assert services["proxy"]["environment"]["PHOTOSHARE_MAX_UPLOAD_MB"] == limit
    assert "client_max_body_size ${PROXY_MAX_BODY_MB}m;" in TEMPLATE
    assert "PROXY_MAX_BODY_MB=$((PHOTOSHARE_MAX_UPLOAD_MB + 1))" in START
