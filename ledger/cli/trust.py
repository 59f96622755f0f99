"""Commands that keep the ledger trustworthy: `void`, `backup`, `export`."""

from __future__ import annotations
