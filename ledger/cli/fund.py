"""Commands of the risk-compensation fund: `report fund`, `report leverage`, `policy show`."""

from __future__ import annotations
