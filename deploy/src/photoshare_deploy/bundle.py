"""The source bundle: the repository's files packed as .tar.gz and uploaded to a private S3 bucket."""

import gzip
import hashlib
import io
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from photoshare_deploy import buckets
from photoshare_deploy.awsenv import Aws
from photoshare_deploy.errors import DeployError

REPO_ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Bundle:
    """A packed source tree and the version it is deployed as."""

    data: bytes
    version: str
    digest: str

    def key(self, stack: str) -> str:
        """S3 key: per stack, named by version and content, so every change reaches the host."""
        return f"bundles/{stack}/{self.version}-{self.digest[:12]}.tar.gz"


def _git(root: Path, *args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as error:
        raise DeployError(f"git {' '.join(args)} failed in {root}: is it a git checkout?") from error


def make_bundle(root: Path = REPO_ROOT) -> Bundle:
    """Pack tracked and untracked-but-not-ignored files of the working tree (what you see is what ships)."""
    names = sorted(set(_git(root, "ls-files", "--cached", "--others", "--exclude-standard", "-z").split("\0")) - {""})
    version = _git(root, "describe", "--always", "--dirty", "--abbrev=12").replace("/", "-")
    out = io.BytesIO()
    # mtime=0 in the gzip header too: the same files give the same digest, so no needless redeploy.
    with (
        gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for name in names:
            path = root / name
            if not path.is_file():
                continue  # deleted in the working tree but still in the index
            info = tar.gettarinfo(str(path), arcname=name)
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            info.mtime = 0  # same content, same digest
            with path.open("rb") as handle:
                tar.addfile(info, handle)
    data = out.getvalue()
    return Bundle(data=data, version=version, digest=hashlib.sha256(data).hexdigest())


def upload(aws: Aws, bundle: Bundle, stack: str) -> tuple[str, str]:
    """Upload the bundle; return (bucket, key)."""
    bucket = buckets.artifacts_bucket(aws)
    key = bundle.key(stack)
    aws.client("s3").put_object(Bucket=bucket, Key=key, Body=bundle.data, ContentType="application/gzip")
    return bucket, key
