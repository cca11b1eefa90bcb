"""Which of Werkzeug's form limits a request broke, so that the person is told the real one.

Werkzeug raises the same bare RequestEntityTooLarge for a body over MAX_CONTENT_LENGTH, for a form
of more parts than MAX_FORM_PARTS and for a text field over MAX_FORM_MEMORY_SIZE. Where it was
raised tells them apart: the multipart decoder's next_event counts the parts, its receive_data
and the parser's parse measure text fields, and anything else is the body's own length (the
tests of each message keep this in step with Werkzeug).
"""

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import MultiPartParser
from werkzeug.sansio.multipart import MultipartDecoder

from photoshare_web.errors import HttpError

_COUNTS_PARTS = {MultipartDecoder.next_event.__code__}
_MEASURES_TEXT_FIELDS = {MultipartDecoder.receive_data.__code__, MultiPartParser.parse.__code__}


def form_limit_refusal(
    error: RequestEntityTooLarge, *, max_parts: int | None, max_text_bytes: int | None
) -> HttpError | None:
    """The refusal that names the limit `error` was raised for; None for the body's length."""
    traceback = error.__traceback__
    while traceback is not None and traceback.tb_next is not None:
        traceback = traceback.tb_next
    raised_in = traceback.tb_frame.f_code if traceback is not None else None
    if raised_in in _COUNTS_PARTS and max_parts is not None:
        # A form of more parts than any form of this site has: a malformed request.
        return HttpError(
            400,
            f"The form has more than {max_parts} parts (fields and files); "
            "an upload needs only the photo, as the field 'file'.",
        )
    if raised_in in _MEASURES_TEXT_FIELDS and max_text_bytes is not None:
        return HttpError(
            413, f"A text field of the form is over {max_text_bytes // 1000} KB; only the photo may be large."
        )
    return None
