"""Errors a user can meet, each with the exit code of the command-line contract.

0 ok; 1 the input was refused; 2 usage error; 3 the ledger is busy or damaged.
The CLI turns these into a Chinese message and the exit code; nothing else escapes.
"""

from __future__ import annotations


class LedgerError(Exception):
    """Base of every error meant for the user; `message` and `hint` are Chinese sentences."""

    exit_code = 1

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint


class Refused(LedgerError):
    """The input was refused (validation, duplicate file, unreadable file)."""

    exit_code = 1


class UsageError(LedgerError):
    """The command was called wrongly, e.g. a ledger that does not exist yet."""

    exit_code = 2


class LedgerBusy(LedgerError):
    """Another process holds the ledger for writing."""

    exit_code = 3


class LedgerDamaged(LedgerError):
    """The ledger file is damaged, or its journal does not verify."""

    exit_code = 3
