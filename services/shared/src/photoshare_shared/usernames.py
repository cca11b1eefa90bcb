"""The site's username rule, in one place for the sign-up page, the check of every token the web
accepts, and the user pool's pre-sign-up Lambda, which refuses an account made at Cognito directly
(the app client is public). deploy/template.yaml carries this file verbatim as the Lambda's code; a
unit test holds the two equal, so this file uses the standard library only.

ASCII letters and digits only: no name passes for another (a Cyrillic "е" in "dеmo") or carries markup.
"""

import re

USERNAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{2,31}")
USERNAME_RULES = "3 to 32 letters, digits, dots, dashes or underscores, starting with a letter or digit"


def is_valid_username(username: object) -> bool:
    """Whether `username` keeps the rule, all of it (a trailing newline does not slip through)."""
    return isinstance(username, str) and USERNAME_PATTERN.fullmatch(username) is not None
