"""Keep passwords and tokens out of logs even at DEBUG, where botocore writes whole request and
response bodies (a Cognito InitiateAuth body holds the password; its answer holds the tokens)."""

import logging
import re

# "PASSWORD": "…", "RefreshToken": "…", "ConfirmationCode": "…" inside a JSON body, however quoted.
_SECRET_VALUE = re.compile(
    r'(["\'](?:PASSWORD|Password|ProposedPassword|PreviousPassword|NEW_PASSWORD|REFRESH_TOKEN|AccessToken|'
    r'IdToken|RefreshToken|Token|ConfirmationCode|Session)["\']\s*:\s*["\'])[^"\']*(["\'])'
)
_BODY_LOGGERS = ("botocore.endpoint", "botocore.parsers")


class _HideSecrets(logging.Filter):
    """Rewrites a record whose text carries a secret value, leaving everything else of it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        hidden = _SECRET_VALUE.sub(r"\1[hidden]\2", message)
        if hidden != message:
            record.msg, record.args = hidden, ()
        return True


def hide_secrets_in_aws_logs() -> None:
    """Install the filter on the loggers that write AWS request and response bodies (once)."""
    for name in _BODY_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _HideSecrets) for f in logger.filters):
            logger.addFilter(_HideSecrets())
