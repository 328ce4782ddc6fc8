"""Keeps secrets out of the logs: tokens in the paths and query strings that the access log writes."""
from __future__ import annotations

import logging
import re

# Query parameters that carry a credential, and paths whose last segment is one.
_QUERY = re.compile(r"(?i)([?&](?:token|api_key|key|secret|code)=)[^&#\s\"]+")
_PATH = re.compile(r"(/(?:api/v1/)?track/|/open311/v2/tokens/)[^/?#\s\"]+")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    return _PATH.sub(r"\1" + REDACTED, _QUERY.sub(r"\1" + REDACTED, text))


class RedactSecrets(logging.Filter):
    """Rewrites the arguments of uvicorn's access lines (client, method, path, version, status) before they are
    formatted, so that no handler, file or log shipper ever sees a token."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def install(logger_name: str = "uvicorn.access") -> None:
    """Adds the filter once to the access logger (each worker process calls create_app)."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, RedactSecrets) for f in logger.filters):
        logger.addFilter(RedactSecrets())
