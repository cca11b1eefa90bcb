"""`photoshare upload PATH...`: send photos and folders of photos to a Photoshare site.

Signs in like the API (`POST /api/auth/token`), hashes each file and skips those you have
uploaded before, sends the rest straight to the site's bucket several files and parts at a time,
and resumes what a Ctrl-C or a lost connection cut short when run again.

    photoshare upload ~/Pictures/2026 IMG_0001.HEIC --site https://photos.example.com --username alice

The password comes from PHOTOSHARE_PASSWORD, or is asked for.
"""

import argparse
import getpass
import os
import sys
from pathlib import Path

from photoshare_cli.files import collect
from photoshare_cli.resume import ResumeBook, default_path
from photoshare_cli.site import Site, SiteError
from photoshare_cli.upload import Result, Summary, Uploader


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="photoshare", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    upload = commands.add_parser("upload", help="upload files and folders (recursively)")
    upload.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    upload.add_argument("--site", default=os.environ.get("PHOTOSHARE_SITE", "http://127.0.0.1:8000"))
    upload.add_argument("--username", default=os.environ.get("PHOTOSHARE_USERNAME"))
    upload.add_argument("--jobs", type=int, default=3, help="files at a time (default 3)")
    upload.add_argument("--part-jobs", type=int, default=4, help="parts at a time per file (default 4)")
    upload.add_argument("--resume-file", type=Path, default=None, help=f"default {default_path()}")
    upload.add_argument("--no-progress", action="store_true", help="no progress bars")
    return parser.parse_args(argv)


def summary_text(summary: Summary) -> str:
    """The closing report: counts, then each refused file with its reason."""
    lines = [
        f"uploaded {summary.count(Result.UPLOADED)}, already there {summary.count(Result.DUPLICATE)}, "
        f"refused {summary.count(Result.REFUSED)}"
    ]
    lines += [f"  refused {o.path}: {o.detail}" for o in summary.outcomes if o.result is Result.REFUSED]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run a command; 0 when every file is uploaded or already there, 1 when any was refused."""
    args = _parse(argv)
    try:
        paths = collect(args.paths)
    except FileNotFoundError as error:
        print(f"photoshare: {error}", file=sys.stderr)
        return 2
    if not paths:
        print("photoshare: no photos found there", file=sys.stderr)
        return 2
    username = args.username or input("username: ")
    password = os.environ.get("PHOTOSHARE_PASSWORD") or getpass.getpass(f"password for {username}: ")
    site = Site(args.site)
    try:
        site.sign_in(username, password)
    except SiteError as error:
        print(f"photoshare: cannot sign in: {error}", file=sys.stderr)
        return 2
    book = ResumeBook(args.resume_file or default_path(), site=site.base_url, username=username)
    show = False if args.no_progress else None  # None: bars when writing to a terminal
    uploader = Uploader(site, book, jobs=max(1, args.jobs), part_jobs=max(1, args.part_jobs), show_progress=show)
    try:
        summary = uploader.run(paths)
    except KeyboardInterrupt:
        print("\nphotoshare: interrupted; run the same command again to resume", file=sys.stderr)
        return 130
    print(summary_text(summary))
    return 1 if summary.count(Result.REFUSED) else 0


if __name__ == "__main__":
    sys.exit(main())
