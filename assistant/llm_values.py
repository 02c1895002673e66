"""The values a text gives, in normalised form: what the LLM guard (:func:`assistant.llm.check_generated`)
compares between a generated text and its sources.

A text is first read as a model could write a value to slip it past a pattern (:func:`read`):

- digits of any script are ASCII digits (superscripts « ²⁰²⁷ », « 5⁰⁰ $ », subscripts, fullwidth
  « ２０２７ », Arabic-Indic…: ``unicodedata.digit``), other compatibility characters their NFKC form,
  and invisible ones (zero-width spaces, soft hyphens) are gone;
- obfuscated addresses are restored: « [.] », « (dot) », « (point) », « ville-quebec dot ca »,
  « www . x . com », « hxxps:// », « [at] », « (arobase) », « info at x dot com »;
- numbers in words, French and English, are digits: « deux millions » (2 millions),
  « quatre-vingt-dix-neuf », « deux mille vingt-sept », « twenty twenty-seven » (2027), and a run of
  digit words is those digits (« quatre un huit, cinq cinq cinq, un deux trois quatre »: a phone
  number). A lone « un », « une », « one » is an article or a pronoun, and « neuf » an adjective,
  unless a currency, a percentage or a duration follows (« un dollar », « un an », « neuf ans »).

Then :func:`values` finds: numbers (« 12 000 », « 12,5 », « 12.5 »), years and dates (« 3 mars »,
« March 3 », « 2026-03-03 »), amounts (« 12 M$ », « 500 000 $ », « $12 million »), web addresses and
e-mail addresses (lower case), North American phone numbers (digits only: « 1-900-… »,
« 418 555-1234 », « +1 … »). Each value keeps what was written (« deux mille vingt-sept »,
« ²⁰²⁷ », « ville-quebec[.]ca »), which a refusal names. Citation markers and action numbers are not
values (the guard checks them on their own)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from corpus.text import fold
from index.analysis import stopwords

MARKER = re.compile(r"\[(\d{1,3})\]")
ACTION_NUMBERS = re.compile(
    r"\bactions?\s+((?:n[o°]\.?\s*)?\d{1,3}(?:\.\d{1,2}){0,3}(?!\d)"
    r"(?:\s*(?:,|et|and|ou|or|à|to|-)\s*\d{1,3}(?:\.\d{1,2}){0,3}(?!\d))*)",
    re.I,
)
DOTTED = re.compile(r"(?<![\d.])\d{1,2}\.\d{1,2}\.\d{1,2}(?:\.\d{1,2})?(?![\d.])")
NUMBER_IN_GROUP = re.compile(r"\d{1,3}(?:\.\d{1,2}){0,3}")


def clean(raw: str) -> str:
    return " ".join(raw.split())


# ---------------------------------------------------------------------------- reading a text
@dataclass(frozen=True)
class Reading:
    """A text as the guard reads it (``text``), and where each of its characters was written:
    ``written[starts[i]:ends[i]]`` is what gave ``text[i]``."""

    written: str
    text: str
    starts: list[int] = field(repr=False)
    ends: list[int] = field(repr=False)

    def as_written(self, a: int, b: int) -> str:
        """What was written for ``text[a:b]`` (« deux mille vingt-sept » for « 2027 »)."""
        return self.written[self.starts[a] : self.ends[b - 1]] if a < b else ""

    def replaced(self, edits: list[tuple[int, int, str]]) -> Reading:
        """``text`` with ``text[a:b]`` read as ``new`` for each edit (sorted, not overlapping)."""
        if not edits:
            return self
        out: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        pos = 0
        for a, b, new in edits:
            out += [self.text[pos:a], new]
            starts += [*self.starts[pos:a], *[self.starts[a]] * len(new)]
            ends += [*self.ends[pos:a], *[self.ends[b - 1]] * len(new)]
            pos = b
        out.append(self.text[pos:])
        return Reading(self.written, "".join(out), starts + self.starts[pos:], ends + self.ends[pos:])


class _OneForOne(dict[int, str]):
    """For ``str.translate``: a digit of any script as its ASCII digit, another character as its
    NFKC form when that is one character (« ２ », « ² », « ٣ » → 2, 2, 3; « ｗ » → w)."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        digit = unicodedata.digit(ch, None)
        nfkc = unicodedata.normalize("NFKC", ch)
        out = str(digit) if digit is not None else nfkc if len(nfkc) == 1 else ch
        self[code] = out
        return out


_ONE_FOR_ONE = _OneForOne()

# Obfuscated addresses: « ville-quebec[.]ca », « x (dot) ca », « aide[at]x.ca », « hxxps:// ».
_TLD = r"com|ca|org|net|info|biz|io|quebec|fr|gouv|gov|edu|co|us|example"
_HXXP = re.compile(r"\bh(?:xx|\*\*|tt)p(s?)[ \t]*(?:\[:\]|\(:\)|:)[ \t]*//", re.I)
_BRACKETED = re.compile(
    r"(?<=\w)[ \t]*(?:\[|\(|\{)[ \t]*(?P<w>\.|dot|point|@|at|arobase)[ \t]*(?:\]|\)|\})[ \t]*(?=\w)", re.I
)
_AT_WORD = re.compile(
    r"(?<=[\w.+-])[ \t]+(?:arobase|at)[ \t]+(?=[a-z0-9-]+(?:[ \t]+(?:dot|point)[ \t]+[a-z0-9-]+)+\b)"
    r"|(?<=\w)[ \t]+arobase[ \t]+(?=\w)"
    r"|(?<=[\w.+-])[ \t]+@[ \t]*(?=\w)|(?<=[\w.+-])@[ \t]+(?=\w)",
    re.I,
)
_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
_SEP = r"[ \t]*\.[ \t]*|[ \t]+(?:dot|point)[ \t]+"
_DOMAIN = re.compile(rf"(?<![\w-])(?:{_LABEL}(?:{_SEP}))+(?:{_TLD})(?![\w-])", re.I)
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]+")  # « 2\u200b027 » is 2027
_PERCENT = re.compile(r"\b(?:pour|per)[ \t]?cent\b|\bpercent\b", re.I)


def _domain(m: re.Match[str]) -> str | None:
    """A domain written with « dot », « point » or spaces around its dots (« www . x . com », « x .com »),
    joined; not « fin. Ca » (a sentence's end)."""
    seps = re.findall(_SEP, m.group(), re.I)
    if all(s == "." for s in seps):
        return None
    spelled = any(s.strip() != "." or s.startswith((" ", "\t")) for s in seps)  # « dot », « x .com »
    return (
        re.sub(_SEP, ".", m.group(), flags=re.I) if spelled or m.group().lower().startswith("www") else None
    )


def _edits(pattern: re.Pattern[str], text: str, repl: Any) -> list[tuple[int, int, str]]:
    """Where ``pattern`` reads otherwise: ``repl`` (a text, or a function of the match, None to keep it)."""
    out = []
    for m in pattern.finditer(text):
        new = repl(m) if callable(repl) else repl
        if new is not None and new != m.group() and m.end() > m.start():
            out.append((m.start(), m.end(), new))
    return out


def read(text: str) -> Reading:
    """The text as the guard reads it (module docstring)."""
    text = unicodedata.normalize("NFC", text)
    folded = text.translate(_ONE_FOR_ONE)
    r = Reading(text, folded, list(range(len(text))), list(range(1, len(text) + 1)))
    r = r.replaced(_edits(_INVISIBLE, r.text, ""))
    r = r.replaced(_edits(_HXXP, r.text, lambda m: f"http{m.group(1).lower()}://"))
    r = r.replaced(
        _edits(_BRACKETED, r.text, lambda m: "." if m.group("w").lower() in (".", "dot", "point") else "@")
    )
    r = r.replaced(_edits(_AT_WORD, r.text, "@"))
    r = r.replaced(_edits(_DOMAIN, r.text, _domain))
    r = r.replaced(_edits(_PERCENT, r.text, "%"))
    return r.replaced(_spelled_numbers(r.text))


# ---------------------------------------------------------------------------- numbers in words
_UNITS = "zero un une deux trois quatre cinq six sept huit neuf one two three four five six seven eight nine"
_UNIT_VALUES = [0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9]
_TEENS = {
    "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {
    "vingt": 20, "vingts": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60,
    "septante": 70, "huitante": 80, "octante": 80, "nonante": 90, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES = {
    "mille": 10**3, "mil": 10**3, "thousand": 10**3, "thousands": 10**3, "million": 10**6, "millions": 10**6,
    "milliard": 10**9, "milliards": 10**9, "billion": 10**9, "billions": 10**9,
}  # fmt: skip
#: Number words (folded) → (kind, value).
NUMBER_WORDS: dict[str, tuple[str, int]] = {
    **{w: ("unit", v) for w, v in zip(_UNITS.split(), _UNIT_VALUES, strict=True)},
    **{w: ("teen", v) for w, v in _TEENS.items()},
    **{w: ("tens", v) for w, v in _TENS.items()},
    **{w: ("hundred", 100) for w in ("cent", "cents", "hundred", "hundreds")},
    **{w: ("scale", v) for w, v in _SCALES.items()},
}
#: Words that need a count before them to be a number (« deux cents », « a million », not « des millions »).
_NEED_COUNT = {"cents", "hundred", "hundreds", *(w for w in _SCALES if w not in ("mille", "mil"))}
#: English words: a number is written in one language (« un four » is an oven, not 14).
_ENGLISH_WORDS = (
    "a an one two three four five seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
    "eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred hundreds thousand thousands "
    "billion billions"
)
_ENGLISH = set(_ENGLISH_WORDS.split())
_SHARED = {"zero", "six", "million", "millions"}
#: After a number in digits, a month (« 3 sept ») or a multiplier (« 12 mille », « 50 cents »), read as written.
_AFTER_DIGITS_WORDS = {"sept", "cent", "cents", "mille", *_NEED_COUNT}
_ARTICLES = {"un", "une", "one"}
#: Words that are also adjectives or nouns (« un bâtiment neuf », « un four »): numbers before a plural.
_ALSO_WORDS = {"neuf", "four"}
_CONNECTORS = {"et", "and"}
_LETTERS = re.compile(r"[^\W\d_]+")
_JOIN = re.compile(r"[ \t\u00a0\u202f]*[-‐‑]?[ \t\u00a0\u202f]*")  # within a number: spaces, a hyphen
_CHAIN_GAP = re.compile(r"[ \t]*[,.;/–—-]?[ \t]*")  # between the parts of a spelled phone number
_DIGIT_BEFORE = re.compile(r"\d[ \t\u00a0\u202f]*\Z")
#: What makes a lone « un », « une », « one », « neuf » a number: a currency, a percentage, a duration.
_COUNTED = re.compile(
    r"[ \t\u00a0\u202f]*(?:\$|€|%|(?:dollars?|euros?|ans|an|années?|years?|mois|months?)\b)", re.I
)


@dataclass
class _Group:
    """One number being read word by word (« deux mille vingt-sept »)."""

    total: int = 0
    current: int = 0
    last: str = ""
    scale: int = 0  # the smallest multiplier so far
    big: bool = False  # has a hundred or a multiplier: never read as spelled digits

    @property
    def value(self) -> int:
        return self.total + self.current

    def takes(self, word: str) -> bool:
        kind, v = NUMBER_WORDS[word]
        last, cur = self.last, self.current
        if kind == "unit":
            return v > 0 and (last in ("tens", "hundred", "scale") or (last == "teen" and cur % 10 == 0))
        if kind == "teen":
            return last in ("hundred", "scale") or (last == "tens" and cur % 100 in (60, 80))
        if kind == "tens":  # « quatre-vingt »: 4 × 20
            return last in ("hundred", "scale") or (v == 20 and last == "unit" and cur % 100 == 4)
        if kind == "hundred":
            if word.startswith("cent"):  # « deux cents », « mille cent »
                return (last == "unit" and 2 <= cur <= 9) or last == "scale"
            return last in ("unit", "teen", "tens") and 0 < cur < 100  # « nineteen hundred »
        return self.value > 0 and cur < 1000 and (self.scale == 0 or v < self.scale)

    def add(self, word: str) -> None:
        kind, v = NUMBER_WORDS[word]
        if kind == "hundred":
            self.current = (self.current or 1) * 100
            self.big = True
        elif kind == "scale":
            self.total += (self.current or 1) * v
            self.current, self.scale, self.big = 0, v, True
        elif kind == "tens" and self.last == "unit" and self.current % 100 == 4:
            self.current += 76
        else:
            self.current += v
        self.last = kind

    def spelled(self) -> str:
        """In digits, or in millions (« 2.5 millions ») so that an amount reads as one."""
        for scale, word in ((10**9, "milliards"), (10**6, "millions")):
            if self.value >= scale:
                return f"{_canon(Decimal(self.value) / scale)} {word}"
        return str(self.value)


@dataclass
class _Run:
    start: int
    end: int
    words: list[str]
    groups: list[_Group]

    @property
    def digits_only(self) -> bool:
        return not any(g.big for g in self.groups)

    @property
    def spelled(self) -> str:
        return (
            self.groups[0].spelled() if len(self.groups) == 1 else "".join(str(g.value) for g in self.groups)
        )


def _language(word: str) -> str | None:
    return None if word in _SHARED else "en" if word in _ENGLISH else "fr"


def _run_at(text: str, words: list[tuple[int, int, str]], i: int) -> _Run | None:
    """The number written in words from ``words[i]``: one number (« quatre-vingt-dix-neuf »), or
    small numbers read one after another as digits (« quatre un huit », « twenty twenty-seven »)."""
    a, b, w = words[i]
    if w in ("a", "an") and i + 1 < len(words) and words[i + 1][2] in _NEED_COUNT - {"cents"}:
        w = "one"  # « a million »
    elif w not in NUMBER_WORDS or w in _NEED_COUNT:
        return None
    if w in _AFTER_DIGITS_WORDS and _DIGIT_BEFORE.search(text[max(0, a - 8) : a]):
        return None
    group = _Group()
    group.add(w)
    run = _Run(a, b, [w], [group])
    lang = _language(w)
    j = i + 1
    while j < len(words) and _JOIN.fullmatch(text[run.end : words[j][0]]):
        step, w = 1, words[j][2]
        if w in _CONNECTORS and j + 1 < len(words) and _JOIN.fullmatch(text[words[j][1] : words[j + 1][0]]):
            step, w = 2, words[j + 1][2]  # « vingt et un », « one hundred and five »: inside one number only
            if w not in NUMBER_WORDS or not run.groups[-1].takes(w):
                break
        if w not in NUMBER_WORDS or (lang and _language(w) not in (None, lang)):
            break
        lang = lang or _language(w)
        if run.groups[-1].takes(w):
            run.groups[-1].add(w)
        elif step == 1 and run.digits_only and NUMBER_WORDS[w][0] in ("unit", "teen", "tens"):
            run.groups.append(_Group())
            run.groups[-1].add(w)
        else:
            break
        run.words.append(w)
        run.end = words[j + step - 1][1]
        j += step
    return run


def _is_number(text: str, run: _Run, next_word: tuple[int, int, str] | None) -> bool:
    """Not a lone article (« un », « une », « one »), the adjective « neuf » (« un bâtiment neuf ») nor
    the oven (« un four ») unless counted (« un dollar », « neuf ans », « four units »); not part of a
    place's name (« Trois-Rivières »)."""
    if text.startswith("-", run.end) and text[run.end + 1 : run.end + 2].isupper():
        return False
    if run.start > 1 and text[run.start - 1] == "-" and text[run.start - 2].isalpha():
        return False
    if len(run.words) > 1 or run.words[0] not in _ARTICLES | _ALSO_WORDS:
        return True
    if _COUNTED.match(text, run.end):
        return True
    return (
        run.words[0] in _ALSO_WORDS
        and next_word is not None
        and re.fullmatch(r"[ \t]+", text[run.end : next_word[0]]) is not None
        and next_word[2] not in stopwords()
        and next_word[2].endswith(("s", "x"))
    )


def _spelled_numbers(text: str) -> list[tuple[int, int, str]]:
    """Edits that write numbers given in words in digits (module docstring)."""
    words = [(m.start(), m.end(), fold(m.group())) for m in _LETTERS.finditer(text)]
    runs: list[_Run] = []
    i = 0
    while i < len(words):
        run = _run_at(text, words, i)
        if run is None or (run.words[0] in _ARTICLES and len(run.groups) == 2 and run.groups[0].value == 1):
            i += 1  # « un neuf » (a new one): an article, then a word read on its own
            continue
        runs.append(run)
        while i < len(words) and words[i][0] < run.end:
            i += 1
    edits: list[tuple[int, int, str]] = []
    k = 0
    while k < len(runs):
        chain = [runs[k]]  # « quatre un huit, cinq cinq cinq, … »: one phone number
        while (
            k + len(chain) < len(runs)
            and chain[-1].digits_only
            and runs[k + len(chain)].digits_only
            and _CHAIN_GAP.fullmatch(text[chain[-1].end : runs[k + len(chain)].start])
        ):
            chain.append(runs[k + len(chain)])
        digits = "".join(r.spelled for r in chain)
        if len(chain) > 1 and 7 <= len(digits) <= 11:
            edits.append((chain[0].start, chain[-1].end, digits))
            k += len(chain)
            continue
        run = runs[k]
        after = next((w for w in words if w[0] >= run.end), None)
        if _is_number(text, run, after):
            edits.append((run.start, run.end, run.spelled))
        k += 1
    return edits


# ---------------------------------------------------------------------------- values of a text
# A number: « 12 », « 12 000 » (grouped by spaces), « 12,5 », « 12.5 », « 1,234,567.89 ».
_NUM = r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?(?!\d)|\d+(?:[.,]\d+)*"
NUMBER = re.compile(rf"(?<![\w.,])(?:{_NUM})")
_MULTIPLIERS = {
    "k": 10**3, "mille": 10**3, "thousand": 10**3,
    "m": 10**6, "million": 10**6, "millions": 10**6,
    "g": 10**9, "md": 10**9, "b": 10**9, "milliard": 10**9, "milliards": 10**9, "billion": 10**9, "billions": 10**9,
}  # fmt: skip
_MULT = r"millions?|milliards?|billions?|mille|thousand|Md|k|M|G|B"
_CURRENCY = r"\$|€|(?:dollars?|CAD|USD|euros?)\b"
_AMOUNT = re.compile(
    rf"(?:CA|US)?\$\s?(?P<n1>{_NUM})(?:\s?(?P<m1>{_MULT})\b)?"
    rf"|(?<![\w.,])(?P<n2>{_NUM})\s?(?:(?P<m2>{_MULT})\s?)?(?:de\s+|d['’])?(?:{_CURRENCY})"
    rf"|(?<![\w.,])(?P<n3>{_NUM})\s?(?P<m3>millions?|milliards?|billions?)\b",
    re.I,
)
_PHONE = re.compile(r"(?<![\w+])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-]?)\d{3}[\s.-]?\d{4}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.I)
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'«»()\[\]]+"
    rf"|(?<![\w@.-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:{_TLD})(?![\w-])(?:/[^\s<>\"'«»()\[\]]*)?",
    re.I,
)
_MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1, "january": 1, "février": 2, "fevrier": 2, "févr": 2, "fevr": 2,
    "february": 2, "feb": 2, "mars": 3, "march": 3, "avril": 4, "avr": 4, "april": 4, "apr": 4, "mai": 5,
    "may": 5, "juin": 6, "june": 6, "jun": 6, "juillet": 7, "juil": 7, "july": 7, "jul": 7, "août": 8,
    "aout": 8, "august": 8, "aug": 8, "septembre": 9, "sept": 9, "september": 9, "sep": 9, "octobre": 10,
    "oct": 10, "october": 10, "novembre": 11, "nov": 11, "november": 11, "décembre": 12, "decembre": 12,
    "déc": 12, "dec": 12, "december": 12,
}  # fmt: skip
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_TEXT_DATE = re.compile(
    rf"(?<![\w.,])(?P<d1>\d{{1,2}})(?:er|re|e|st|nd|rd|th)?\s+(?P<m1>{_MONTH})\b\.?(?:,?\s+(?P<y1>\d{{4}})(?!\d))?"
    rf"|\b(?P<m2>{_MONTH})\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?(?!\d)(?:,?\s+(?P<y2>\d{{4}})(?!\d))?",
    re.I,
)
_NUMERIC_DATE = re.compile(
    r"(?<![\w.,/-])(?:(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})"
    r"|(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<c>\d{4}|\d{2}))(?![\w/-]|[.,]\d)"
)

#: What each kind of value is called in a refusal (« montants absents des sources : ['12 M$'] »).
LABELS = {
    "url": "adresses web absentes des sources",
    "email": "adresses courriel absentes des sources",
    "phone": "numéros de téléphone absents des sources",
    "date": "dates absentes des sources",
    "amount": "montants absents des sources",
    "number": "nombres absents des sources",
}


@dataclass(frozen=True)
class Value:
    kind: str  # url, email, phone, date, year, amount, number
    raw: str  # as written (spaces collapsed), for the refusal
    keys: frozenset[Any]  # normalised forms: equal keys, same value


def _canon(d: Decimal) -> str:
    return format(d.normalize(), "f")


def number_keys(raw: str) -> frozenset[str]:
    """« 12 000 » → 12000; « 12,5 » and « 12.5 » → 12.5; « 12,000 » → 12000 or 12 (either reading)."""
    s = re.sub(r"[\s\u00a0\u202f]", "", raw)
    seps = [ch for ch in s if ch in ".,"]
    try:
        if not seps:
            return frozenset({_canon(Decimal(s))})
        if len(set(seps)) == 2:  # « 1,234.5 », « 1.234,5 »: the last separator is the decimal one
            i = max(s.rfind("."), s.rfind(","))
            return frozenset({_canon(Decimal(re.sub(r"[.,]", "", s[:i]) + "." + s[i + 1 :]))})
        if len(seps) > 1:  # « 1,234,567 »: groups of thousands
            return frozenset({_canon(Decimal(re.sub(r"[.,]", "", s)))})
        i = s.index(seps[0])
        keys = {_canon(Decimal(s[:i] + "." + s[i + 1 :]))}
        if len(s) - i - 1 == 3:  # « 12,000 »: thousands in English, a decimal in French
            keys.add(_canon(Decimal(s[:i] + s[i + 1 :])))
        return frozenset(keys)
    except InvalidOperation:
        return frozenset({s})


def _url_key(raw: str) -> str:
    key = raw.lower()
    key = re.sub(r"^https?://", "", key)
    key = re.sub(r"^www\.", "", key)
    return key.rstrip("/")


def _date_keys(day: int, month: int, year: int | None) -> set[tuple[int, int, int | None]]:
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return set()
    return {(day, month, year)}


def _blank(text: str, span: tuple[int, int]) -> str:
    a, b = span
    return text[:a] + " " * (b - a) + text[b:]


def values(r: Reading) -> Iterator[Value]:
    """The values a text gives, each once: web and e-mail addresses, phone numbers, dates,
    amounts, then the numbers left (years among them)."""
    text = r.text

    def raw(a: int, b: int) -> str:
        return clean(r.as_written(a, b))

    for pattern in (MARKER, DOTTED):
        for m in pattern.finditer(text):
            text = _blank(text, m.span())
    for m in ACTION_NUMBERS.finditer(text):
        text = _blank(text, m.span(1))
    for m in _EMAIL.finditer(text):
        text = _blank(text, m.span())
        yield Value("email", raw(*m.span()), frozenset({m.group().lower()}))
    for m in _URL.finditer(text):
        end = m.start() + len(m.group().rstrip(".,;:!?"))
        key = _url_key(text[m.start() : end])
        text = _blank(text, (m.start(), end))
        yield Value("url", raw(m.start(), end), frozenset({key}))
    for m in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        text = _blank(text, m.span())
        yield Value("phone", raw(*m.span()), frozenset({digits[1:] if len(digits) == 11 else digits}))
    for m in _NUMERIC_DATE.finditer(text):
        text = _blank(text, m.span())
        if m.group("y"):
            dates = _date_keys(int(m.group("d")), int(m.group("m")), int(m.group("y")))
        else:  # 03/04/2026: day first (French) or month first (English)
            a, b, c = int(m.group("a")), int(m.group("b")), int(m.group("c"))
            dates = _date_keys(a, b, c + 2000 if c < 100 else c) | _date_keys(
                b, a, c + 2000 if c < 100 else c
            )
        yield Value("date", raw(*m.span()), frozenset(dates))
    for m in _TEXT_DATE.finditer(text):
        text = _blank(text, m.span())
        d, mo, y = (
            (m.group("d1"), m.group("m1"), m.group("y1")) if m.group("d1") else m.group("d2", "m2", "y2")
        )
        dates = _date_keys(int(d), _MONTHS[mo.lower()], int(y) if y else None)
        yield Value("date", raw(*m.span()).rstrip("."), frozenset(dates))
    for m in _AMOUNT.finditer(text):
        text = _blank(text, m.span())
        number = m.group("n1") or m.group("n2") or m.group("n3")
        mult = _MULTIPLIERS.get((m.group("m1") or m.group("m2") or m.group("m3") or "").lower(), 1)
        amounts = {_canon(Decimal(k) * mult) for k in number_keys(number)}
        yield Value("amount", raw(*m.span()), frozenset(amounts))
    for m in NUMBER.finditer(text):
        kind = "year" if re.fullmatch(r"(?:19|20)\d\d", m.group()) else "number"
        yield Value(kind, raw(*m.span()), number_keys(m.group()))


@dataclass
class ValueSet:
    """The values of the sources, in normalised form, by kind."""

    keys: dict[str, set[Any]]

    @classmethod
    def of(cls, r: Reading) -> ValueSet:
        keys: dict[str, set[Any]] = {k: set() for k in LABELS}
        for v in values(r):
            if v.kind == "date":  # a date with its year also stands for the same day without it
                keys["date"].update(v.keys | {(d, m, None) for d, m, _ in v.keys})
            else:
                keys["number" if v.kind == "year" else v.kind].update(v.keys)
        for m in NUMBER.finditer(r.text):  # every number, also those inside dates, amounts, phones
            keys["number"].update(number_keys(m.group()))
        return cls(keys)

    def has(self, v: Value) -> bool:
        if v.kind == "url":
            return any(s == k or s.startswith(k + "/") for k in v.keys for s in self.keys["url"])
        return bool(v.keys & self.keys["number" if v.kind == "year" else v.kind])
