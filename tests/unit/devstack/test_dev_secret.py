"""`make dev` signs sessions with a random key of its own, kept in .dev/ so sign-ins outlive a restart."""

import stat

from photoshare_devstack.stackenv import StackEnv, kept_secret_key
from photoshare_web.signing import PUBLISHED_SECRET_KEYS, signing_key


def test_the_key_is_made_once_random_and_private_then_kept(tmp_path):
    dev_dir = tmp_path / ".dev"
    first = kept_secret_key(dev_dir)
    assert len(first) >= 40 and first not in PUBLISHED_SECRET_KEYS
    assert stat.S_IMODE((dev_dir / "secret-key").stat().st_mode) == 0o600
    assert kept_secret_key(dev_dir) == first  # the next `make dev`
    assert kept_secret_key(tmp_path / "another-checkout") != first


def test_the_dev_web_is_told_it_is_published_on_loopback():
    stack = StackEnv(redis_url="redis://127.0.0.1:1/0", aws_endpoint_url="http://127.0.0.1:2", secret_key="k")
    assert stack.environ({})["PHOTOSHARE_PUBLISHED_ADDRESS"] == "127.0.0.1"
    # So even a published development key, exported in the shell, serves `make dev`.
    published = StackEnv(
        redis_url="redis://127.0.0.1:1/0",
        aws_endpoint_url="http://127.0.0.1:2",
        secret_key="dev-only-not-secret-change-me",
    )
    assert signing_key(published.settings()) == "dev-only-not-secret-change-me"
