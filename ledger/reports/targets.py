"""Progress towards a district's 双倍增 targets (高新技术企业 and 科技型企业 counts), from the registry.

The targets are policy data (`[[targets]]` in the policy file: milestones by year, e.g.
黔江: 80 高企 / 700 科技型企业 by 2025, 100 / 1000 by 2027); the counts come from the
enterprise registry as it stands (企业名录, void-aware): an enterprise with a 科技型企业
入库编号 counts as 科技型企业, one marked 是否高新技术企业 = 是 as 高新技术企业. A version may
name its `district`; then only the registry's enterprises of that district count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import duckdb

from ..policy import Policy, Version

COUNTS_SQL = """
SELECT
  count(DISTINCT credit_code) FILTER (WHERE is_hnte),
  count(DISTINCT credit_code) FILTER (WHERE nullif(trim(tech_sme_no), '') IS NOT NULL),
  count(DISTINCT credit_code)
FROM v_enterprises
WHERE $district IS NULL OR district = $district
"""

# (key in the policy milestone, label)
MEASURES = (("hnte", "高新技术企业"), ("tech_sme", "科技型企业"))


@dataclass(frozen=True)
class Goal:
    """One measure's count against one milestone."""

    measure: str
    label: str
    year: int
    target: int
    current: int

    @property
    def share(self) -> Decimal | None:
        """current ÷ target (1 = met); None for a zero target."""
        return Decimal(self.current) / Decimal(self.target) if self.target else None

    @property
    def gap(self) -> int:
        """How many more enterprises the milestone needs (0 once met)."""
        return max(self.target - self.current, 0)

    def to_json(self) -> dict:
        """The goal with its share (4-place decimal string) and gap."""
        from ..money import ratio

        share = self.share
        return {
            "measure": self.measure,
            "year": self.year,
            "target": self.target,
            "current": self.current,
            "share": None if share is None else f"{ratio(share, 1, 4):.4f}",
            "gap": self.gap,
        }


@dataclass(frozen=True)
class TargetProgress:
    """The registry's counts against every milestone of the targets in force on `as_of`."""

    as_of: dt.date
    district: str | None
    hnte: int
    tech_sme: int
    registered: int
    goals: tuple[Goal, ...]
    source: str
    effective_from: dt.date | None  # None: no targets in force (the registry's counts alone)
    source_district: str = ""

    @property
    def years(self) -> list[int]:
        """The milestone years, in order."""
        return sorted({g.year for g in self.goals})

    def goal(self, measure: str, year: int) -> Goal | None:
        """The goal of one measure ("hnte" or "tech_sme") in one milestone year, if set."""
        return next((g for g in self.goals if g.measure == measure and g.year == year), None)

    def next_year(self) -> int | None:
        """The first milestone year not yet past on `as_of` (else the last one)."""
        years = self.years
        return next((y for y in years if y >= self.as_of.year), years[-1] if years else None)

    def to_json(self) -> dict:
        """The `report targets --json` object."""
        return {
            "as_of": self.as_of.isoformat(),
            "district": self.district,
            "registry": {"hnte": self.hnte, "tech_sme": self.tech_sme, "enterprises": self.registered},
            "goals": [g.to_json() for g in self.goals],
            "policy": None
            if self.effective_from is None
            else {"source": self.source, "source_district": self.source_district, "effective_from": self.effective_from.isoformat()},
        }


def milestones(version: Version) -> list[dict]:
    """The milestones of a targets version by year (their shape is checked when the policy is loaded)."""
    return sorted(version.params.get("milestones", []), key=lambda m: m["year"])


def target_progress(con: duckdb.DuckDBPyConnection, policy: Policy, as_of: dt.date) -> TargetProgress | None:
    """The registry's 高企 / 科技型企业 counts against the targets in force on `as_of` (None if none are)."""
    if policy.in_force("targets", as_of) is None:
        return None
    return registry_progress(con, policy, as_of)


def registry_progress(con: duckdb.DuckDBPyConnection, policy: Policy, as_of: dt.date) -> TargetProgress:
    """The registry's counts against the targets in force on `as_of`; without targets, the counts alone (no goals)."""
    version = policy.in_force("targets", as_of)
    district = (version.params.get("district") or None) if version else None
    hnte, tech_sme, registered = con.execute(COUNTS_SQL, {"district": district}).fetchone()
    if version is None:
        return TargetProgress(as_of, None, hnte, tech_sme, registered, (), "", None)
    current = {"hnte": hnte, "tech_sme": tech_sme}
    goals = tuple(
        Goal(key, label, m["year"], m[key], current[key])
        for m in milestones(version)
        for key, label in MEASURES
        if key in m
    )
    return TargetProgress(
        as_of, district, hnte, tech_sme, registered, goals, version.source, version.effective_from, version.source_district
    )
