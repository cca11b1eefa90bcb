"""A measurement aid: the web app with the S3 upload TransferConfig proposed in the bench report.

`gunicorn 'bench.patched_web:create_app()'` serves the unchanged app except for
photoshare_shared.store._TRANSFER, so `python -m bench.stack --web bench.patched_web:create_app()`
shows the memory effect of the change before anyone edits product code.
"""

from boto3.s3.transfer import TransferConfig
from flask import Flask

from photoshare_shared import store

MB = 1024 * 1024

# Parts of S3's minimum size, sent one at a time, at most one part buffered per upload: memory per
# upload is ~5 MB whatever the file's size (s3transfer copies each part of a stream into memory).
PROPOSED = TransferConfig(multipart_threshold=8 * MB, multipart_chunksize=5 * MB, use_threads=False)


def create_app() -> Flask:
    store._TRANSFER = PROPOSED
    from photoshare_web import create_app as real

    return real()
