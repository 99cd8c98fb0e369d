"""gunicorn settings for `make run` and the deployment in the README (`gunicorn -c gunicorn.conf.py`).

No visitor's address or query string is ever written (docs/security.md): there is no access
log, and the error log's messages are scrubbed before they are written. gunicorn itself names
the client in some of them ("Invalid request from ip=...") and prints the full URL of a request
that failed, query string included, which can hold a partner code or an answer.
"""
from __future__ import annotations

import logging
import re

from gunicorn import glogging

accesslog = None
errorlog = "-"
loglevel = "info"

_ADDRESS = re.compile(r"\bip=\S+")
_QUERY = re.compile(r"(/[^\s?]*)\?\S*")


class _NoVisitorDetails(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = _QUERY.sub(r"\1?[query not logged]", _ADDRESS.sub("ip=[not logged]", message))
        if scrubbed != message:
            record.msg, record.args = scrubbed, ()
        return True


class PrivateLogger(glogging.Logger):
    """gunicorn's logger, with every error-log message scrubbed of client addresses and query strings."""

    def setup(self, cfg) -> None:  # type: ignore[no-untyped-def]
        super().setup(cfg)
        self.error_log.addFilter(_NoVisitorDetails())


logger_class = PrivateLogger
