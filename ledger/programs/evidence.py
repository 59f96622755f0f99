"""Where a stored fact was read: the evidence an audit shows beside each verdict."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    """Where a fact was read: the file, its sheet, the 1-based Excel row, and the file's sha256."""

    file: str
    sheet: str
    row: int
    sha256: str

    def to_json(self) -> dict:
        return {"file": self.file, "sheet": self.sheet, "row": self.row, "sha256": self.sha256}

    def __str__(self) -> str:
        return f"{self.file}[{self.sheet}]第{self.row}行"

