"""The subsidy audit's headline figures in one DuckDB query: the bare work `audit subsidies` is timed against.

`ledger audit subsidies` judges every payment with the plain Python rules of
`ledger.programs.incubator`; this module states the same eight rules once more as set
operations over the base tables (voided rows left out the way the `v_` views do), with the
policy's `[[incubator]]` versions inlined as a VALUES list. It counts what the audit's
headline counts: payments, eligible, ineligible, the amount of the payments with a finding
(amount_ineligible) and the amount paid beyond what the policy allows (amount_excess: all of a
payment not allowed at all, the amount above the policy's figure of one paid too much), in
total, per 补助项目 and per carrier. It builds no reasons, citations or evidence.

Two statements of one policy that must agree: bench/run.py compares the figures at city scale
and tests/test_speed.py on the ledger that plants one ineligible payment per rule.

Names are compared the way `incubator.name_key` does for what the ledger stores (NFKC is
applied on import): whitespace removed, lower case. DuckDB's `\\s` is ASCII whitespace only, so a
事项 text spaced with other Unicode spaces would be keyed differently here; no bench data has one.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ledger.store import sql_text

SECTION = "incubator"
MONEY = ("municipal_incubator_award", "municipal_maker_space_award", "national_match_ratio")


def _date(value) -> str:
    return f"DATE '{value.isoformat()}'" if isinstance(value, dt.date) else "NULL::DATE"


def _number(version, name: str) -> str:
    return f"{version.money(name)}::DECIMAL(18,4)" if name in version.params else "NULL::DECIMAL(18,4)"


def _versions(policy) -> tuple[str, str]:
    """The policy's incubator versions and their performance awards, as two VALUES lists."""
    versions, awards = [], []
    for n, v in enumerate(policy.versions(SECTION)):
        window = v.params.get("recognition_window_days")
        versions.append(
            f"({n}, {_date(v.effective_from)}, {_date(v.effective_to)}, "
            + ", ".join(_number(v, name) for name in MONEY)
            + f", {_date(v.params.get('recognised_on_or_after'))}, "
            + (f"{window}" if isinstance(window, int) and not isinstance(window, bool) else "NULL::INTEGER")
            + ")"
        )
        for category, amount in v.params.get("performance_awards", {}).items():
            awards.append(f"({n}, {sql_text(category)}, {Decimal(str(amount))}::DECIMAL(18,2))")
    none_version = "(NULL::INTEGER, NULL::DATE, NULL::DATE, NULL::DECIMAL(18,4), NULL::DECIMAL(18,4), NULL::DECIMAL(18,4), NULL::DATE, NULL::INTEGER)"
    none_award = "(NULL::INTEGER, NULL::VARCHAR, NULL::DECIMAL(18,2))"
    return ", ".join(versions) or none_version, ", ".join(awards) or none_award


def statements(policy, live) -> list[str]:
    """The query, for `policy`; `live(table, alias)` is the condition that leaves voided rows out."""
    versions, awards = _versions(policy)
    return [
        f"""
WITH ver(v, since, until, incubator_award, maker_award, match_ratio, recognised_from, window_days) AS (VALUES {versions}),
award(v, category, amount) AS (VALUES {awards}),
p AS (
  SELECT s.id, s.operator_code, s.carrier_name, s.programme, s.category, s.amount, s.paid_on, s.matter, s.matter_code,
         lower(regexp_replace(s.carrier_name, '\\s+', '', 'g')) AS k,
         s.programme IN ('能力建设补助', '国家级配套补助') AS one_time,
         CASE s.programme WHEN '能力建设补助' THEN '市级' WHEN '国家级配套补助' THEN '国家级' END AS ground_level,
         s.programme || coalesce('-' || s.category, '') AS label,
         CASE s.programme WHEN '能力建设补助' THEN 1 WHEN '国家级配套补助' THEN 2 ELSE 3 END AS rank
  FROM subsidies s WHERE {live('subsidies', 's')}
),
r AS (
  SELECT lower(regexp_replace(c.carrier_name, '\\s+', '', 'g')) AS k, c.operator_code, c.carrier_type, c.level, c.recognized_on, c.id
  FROM carriers c WHERE {live('carriers', 'c')}
),
-- what each payment's carrier holds: recognitions at all, standing on the payment date, and the one it rests on
held AS (
  SELECT p.id,
         count(r.k) AS recs,
         count(r.k) FILTER (WHERE r.recognized_on <= p.paid_on) AS standing,
         count(r.k) FILTER (WHERE r.recognized_on <= p.paid_on AND r.operator_code = p.operator_code) AS standing_operator,
         count(r.k) FILTER (WHERE r.recognized_on <= p.paid_on AND r.level = '市级') AS standing_municipal,
         count(r.k) FILTER (WHERE r.recognized_on <= p.paid_on AND r.level = '国家级') AS standing_national,
         count(r.k) FILTER (WHERE r.recognized_on <= p.paid_on AND r.level = p.ground_level) AS standing_level,
         arg_min(r.recognized_on, (r.recognized_on, r.id)) FILTER (WHERE r.level = p.ground_level) AS ground_on,
         coalesce(arg_min(r.carrier_type, (r.recognized_on, r.id)) FILTER (WHERE r.level = p.ground_level),
                  arg_min(r.carrier_type, (r.recognized_on, r.level, r.id))) AS ground_type
  FROM p LEFT JOIN r ON r.k = p.k GROUP BY p.id
),
f AS (
  SELECT p.*, held.* EXCLUDE (id), ver.*, award.amount AS award_amount,
         p.one_time AND held.standing_level > 0
           AND row_number() OVER (PARTITION BY p.k, p.programme, held.standing_level > 0 ORDER BY p.paid_on, p.id) > 1 AS one_time_repeat,
         p.programme = '绩效奖励' AND coalesce(p.matter_code, '') <> ''
           AND row_number() OVER (PARTITION BY p.programme, p.category, p.matter_code ORDER BY p.paid_on, p.id) > 1 AS code_repeat,
         p.programme = '绩效奖励' AND coalesce(trim(p.matter), '') <> ''
           AND row_number() OVER (PARTITION BY p.programme, p.category, lower(regexp_replace(p.matter, '\\s+', '', 'g'))
                                  ORDER BY p.paid_on, p.id) > 1 AS text_repeat,
         CASE WHEN p.programme = '绩效奖励' THEN award.amount
              WHEN held.ground_type IS NULL THEN NULL
              ELSE round(CASE WHEN held.ground_type = '科技企业孵化器' THEN ver.incubator_award ELSE ver.maker_award END
                         * CASE WHEN p.programme = '国家级配套补助' THEN ver.match_ratio ELSE 1 END, 2) END AS expected
  FROM p JOIN held USING (id)
  LEFT JOIN ver ON ver.since <= p.paid_on AND (ver.until IS NULL OR p.paid_on < ver.until)
  LEFT JOIN award ON award.v = ver.v AND award.category = p.category
),
verdict AS (
  SELECT label, rank, carrier_name, amount, expected,
    coalesce(
      (v IS NULL)                                                                    -- policy_in_force
      OR recs = 0 OR standing = 0 OR standing_operator = 0                          -- recognised_carrier
      OR (one_time AND recs > 0 AND (standing_municipal = 0
          OR (programme = '国家级配套补助' AND standing_national = 0)))              -- recognition_level
      OR one_time_repeat                                                             -- one_time_once
      OR (v IS NOT NULL AND ((programme = '绩效奖励' AND award_amount IS NULL)       -- amount_matches: no figure
          OR (one_time AND ground_type IS NOT NULL AND expected IS NULL)))
      OR (v IS NOT NULL AND one_time AND ground_on <= paid_on
          AND (ground_on < recognised_from OR paid_on - ground_on > window_days))   -- recognition_window
      OR (programme = '绩效奖励' AND coalesce(matter_code, '') = '' AND coalesce(trim(matter), '') = '')  -- performance_evidence
      OR code_repeat OR text_repeat,                                                 -- performance_once
      false) AS whole,                                                               -- not allowed at all
    coalesce(v IS NOT NULL AND amount <> expected, false) AS mismatch                -- amount_matches: another figure
  FROM f
)
SELECT GROUPING(label, carrier_name) AS grouping, coalesce(label, carrier_name, '合计'), count(*), coalesce(sum(amount), 0),
       count(*) FILTER (WHERE NOT (whole OR mismatch)), count(*) FILTER (WHERE whole OR mismatch),
       coalesce(sum(amount) FILTER (WHERE whole OR mismatch), 0),
       coalesce(sum(CASE WHEN whole THEN amount WHEN mismatch THEN greatest(amount - expected, 0) ELSE 0 END), 0)
FROM verdict
GROUP BY GROUPING SETS ((label, rank), (carrier_name), ())
ORDER BY grouping, rank, label, carrier_name
"""
    ]
