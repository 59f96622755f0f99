"""The unified social credit code (统一社会信用代码) of GB 32100-2015: its check character and what is wrong with a code.

Used to validate the codes of imported sheets (see `validate.valid_credit_codes` for many at
once) and to make valid codes for demos and tests.
"""

from __future__ import annotations

# Hyphens and dashes people type inside a code to group it (91500113-MA5U000010).
DASHES = dict.fromkeys(map(ord, "-\u2010\u2011\u2012\u2013\u2014\u2015"))

CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CODE_VALUE = {c: i for i, c in enumerate(CODE_CHARS)}
CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_digit(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a credit code.

    Raises ValueError when `first17` is not 17 characters of the code's character set.
    Used to validate codes and to generate valid ones for demos and tests.
    """
    if len(first17) != 17 or any(c not in _CODE_VALUE for c in first17):
        raise ValueError(f"统一社会信用代码前17位应为17个字符(数字或除 I O Z S V 外的大写字母): {first17!r}")
    total = sum(_CODE_VALUE[c] * w for c, w in zip(first17, CODE_WEIGHTS))
    return CODE_CHARS[(31 - total % 31) % 31]


def credit_code_valid(code: str) -> bool:
    """Whether an 18-character unified social credit code has the right GB 32100-2015 check character.

    Expects a normalized code (see parse_codes): lower case or spaces make it invalid.
    """
    if not isinstance(code, str) or len(code) != 18 or any(c not in _CODE_VALUE for c in code):
        return False
    return credit_code_check_digit(code[:17]) == code[17]


def credit_code_problem(code: str) -> tuple[str, str]:
    """What is wrong with a code that fails the check, as (what, hint) for the user.

    Tells the cases apart: wrong length (应为18位,实为17位; a 15-digit number is the old
    business registration number), characters a code never holds (named), or, when the
    code is well formed, a wrong check character. Hyphens are not counted: they are
    accepted around a valid code.
    """
    t = str(code).translate(DASHES)
    illegal = list(dict.fromkeys(c for c in t if c not in _CODE_VALUE))
    parts = []
    if len(t) != 18:
        parts.append(f"应为18位,实为{len(t)}位")
    if illegal:
        parts.append("含有代码中不会出现的字符" + "".join(f"「{c}」" for c in illegal))
    if not parts:
        return "校验位不正确", "请核对18位代码(GB 32100-2015)是否有字符抄错;最后一位是由前17位算出的校验位。"
    if len(t) == 15 and t.isdigit():
        hint = "15位数字是旧的工商注册号;请填写营业执照上的18位统一社会信用代码。"
    elif len(t) != 18:
        hint = "统一社会信用代码为18位(GB 32100-2015),请核对是否漏填或多填了字符。"
    else:
        hint = "代码只由数字和大写字母组成,不含 I、O、Z、S、V;请核对是否误写(如字母 O 应为数字 0)。"
    return ",".join(parts), hint

