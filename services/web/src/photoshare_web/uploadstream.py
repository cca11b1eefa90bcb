"""Where an uploaded file waits while it is checked and sent on: a named temporary file on disk.

Werkzeug spools uploads over 500 KB to an anonymous temporary file. boto3 can only stream a file it
can open by name (S3 multipart parts read from disk as they are sent); from an open stream it copies
every 5 MB part into memory, which is 5 MB per concurrent upload. A name makes uploads cost the web
next to no memory, however large and however many.
"""

import tempfile
from io import BytesIO
from typing import IO

from flask import Request
from werkzeug.exceptions import RequestEntityTooLarge

from photoshare_web.formlimits import form_limit_refusal

_IN_MEMORY_BYTES = 500 * 1024  # Werkzeug's own bound: a small form stays in memory


class UploadRequest(Request):
    """Flask's request, with large uploaded files spooled to named temporary files, and refusals
    that say which of the form's limits was broken."""

    def _load_form_data(self) -> None:
        try:
            super()._load_form_data()
        except RequestEntityTooLarge as error:
            refusal = form_limit_refusal(error, max_parts=self.max_form_parts, max_text_bytes=self.max_form_memory_size)
            if refusal is None:
                raise
            raise refusal from None

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        if total_content_length is not None and total_content_length <= _IN_MEMORY_BYTES:
            return BytesIO()
        return tempfile.NamedTemporaryFile("w+b")  # removed when the request closes it
