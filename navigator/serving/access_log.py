"""Access logs without the secrets some URLs carry: a parent's status token (/applications/<token>, which opens
her application and withdraws it) and a password-set token (/set-password/<token>).

A filter on the loggers that write request lines — werkzeug's (`make run`) and gunicorn's access log, when one
is switched on — rewrites each line with those tokens masked, wherever in the line they appear (the request,
a Referer). The pages that carry a token in their URL also send `Referrer-Policy: no-referrer`
(navigator/views/common/site.py), so their token is not repeated in the next request's Referer. A proxy in front
logs on its own and must mask them too (docs/deployment.md).
"""

from __future__ import annotations

import logging
import re

#: The paths whose last part is a secret; ids of the cabinet (/provider/applications/12) are short digits.
PRIVATE_PATH = re.compile(r"(/applications/|/set-password/)[A-Za-z0-9_-]{20,}")
MASK = r"\1***"
#: The loggers that write one line per request.
ACCESS_LOGGERS = ("werkzeug", "gunicorn.access")


def masked(line: str) -> str:
    """The line with every status and password-set token replaced by ***."""
    return PRIVATE_PATH.sub(MASK, line)


class PrivatePathFilter(logging.Filter):
    """Masks the tokens of a log record's finished message (its arguments are merged in first)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        hidden = masked(message)
        if hidden != message:
            record.msg, record.args = hidden, None
        return True


_FILTER = PrivatePathFilter()


def mask_private_paths() -> None:
    """Put the filter on the access loggers (once, however many apps a process makes)."""
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
