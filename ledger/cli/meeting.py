"""Commands of the monthly meeting pack: `report brief` and the summary's periods and workbook."""

from __future__ import annotations
