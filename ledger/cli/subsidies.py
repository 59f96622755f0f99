"""Commands of incubator subsidies: `audit subsidies`."""

from __future__ import annotations
