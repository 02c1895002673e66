"""Recognisers of the structured kinds, known by their format and, where there is one, their
checksum: e-mail addresses (also written out: « arobase », « (at) », « point »), phone numbers
(``phonenumbers``, North American numbering), Canadian postal codes, social insurance numbers and
payment card numbers (Luhn).

Each recogniser takes the text and yields :class:`Span` objects; none keeps the value it found.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import phonenumbers

from assistant.privacy.kinds import Span

# --- e-mail ------------------------------------------------------------------------------------
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+'-]*\w@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w-])")

# Addresses written out or disguised against spam bots: « jean.tremblay arobase gmail point com »,
# « jean (at) videotron (dot) ca », « marie[at]hotmail[.]com », « luc @ gmail . com », « pierre@gmail ».
# « at » and « chez » are ordinary words (« at the park », « chez nous », « je travaille chez
# Vidéotron »), and « point »/« dot » too (« au point de départ », « the dot com bubble »), so what
# they join must be clearly an address: a top-level domain after the last « point », and a known mail
# domain, a disguised dot or a user part that looks like one (a dot, a digit, « _ » or « + ») — not
# « the website at ville.quebec.qc.ca »; or such a user part and a mail-only domain
# (« jean.tremblay at gmail », not « un compte chez Hotmail »). « @ », « arobase » and the bracketed
# forms are no words: a known mail domain alone (« pierre@gmail ») or a domain ending in a top-level
# domain is enough.
_SP = r"[ \t]"
_OPEN, _CLOSE = r"[(\[{<]", r"[)\]}>]"


def _bracketed(words: str) -> str:
    return rf"{_SP}*{_OPEN}{_SP}*(?:{words}){_SP}*{_CLOSE}{_SP}*"


_BRACKETED_AT = _bracketed(r"at|@|arr?obase?|chez")
_STRONG_AT = rf"(?:{_SP}*@{_SP}*|{_BRACKETED_AT}|{_SP}+arr?obase?{_SP}+)"
_WEAK_AT = rf"{_SP}+(?:at|chez){_SP}+"
#: A dot written out, bracketed or between spaces; or a plain one, attached.
_BRACKETED_DOT = _bracketed(r"dot|point|\.")
_DISGUISED_DOT = rf"(?:{_SP}+\.{_SP}+|{_BRACKETED_DOT}|{_SP}+(?:dot|point){_SP}+)"
_DOT = rf"(?:\.|{_DISGUISED_DOT})"
_USER_LABEL = r"\w+(?:[+'-]+\w+)*"
_USER = rf"(?<![\w.+'-]){_USER_LABEL}(?:{_DOT}{_USER_LABEL})*"
#: A user part that looks like one: several labels, or a digit, « _ » or « + » in it.
_USER_MARKED = rf"(?<![\w.+'-])(?:{_USER_LABEL}(?:{_DOT}{_USER_LABEL})+|(?=[\w+'-]*[\d_+]){_USER_LABEL})"
_LABEL = r"\w+(?:-+\w+)*"
_TLD = r"(?:com|ca|net|org|fr|edu|gov|info|biz|io|quebec|be|ch|uk|us|co|eu)(?![\w-])"
#: Mail domains people name without their top-level domain (« pierre@gmail »).
_MAIL_ONLY = r"(?:g(?:oogle)?mail|hotmail|outlook|y(?:ahoo|mail)|icloud|msn|aol|gmx|proton(?:mail)?)"
_PROVIDER = rf"(?:{_MAIL_ONLY}|live|vid[eé]otron|sympatico|bell(?:net)?|ulaval|cogeco|telus)"
#: Words that start a phrase, not a domain (« at the park dot com », « worked at a dot com »).
_NOT_DOMAIN = (
    r"(?!(?:a|an|the|this|that|my|your|our|his|her|le|la|les|un|une|des|du|nous|vous|moi|lui|mon|ma|mes"
    r"|www)(?![\w-]))"
)
_DOMAIN_TLD = rf"{_NOT_DOMAIN}{_LABEL}(?:{_DOT}{_LABEL})*{_DOT}{_TLD}"
_EMAIL_WRITTEN = re.compile(
    rf"{_USER}(?:{_STRONG_AT}(?:{_DOMAIN_TLD}|{_PROVIDER}(?![\w-]))"
    rf"|{_WEAK_AT}(?:(?={_PROVIDER}(?![\w-])){_DOMAIN_TLD}"
    rf"|{_NOT_DOMAIN}(?:{_LABEL}\.)*{_LABEL}{_DISGUISED_DOT}(?:{_LABEL}{_DOT})*{_TLD}))"
    rf"|{_USER_MARKED}{_WEAK_AT}(?:{_DOMAIN_TLD}|{_MAIL_ONLY}(?![\w-]))",
    re.IGNORECASE,
)
_WRITTEN_AT_CUE = re.compile(r"@|\b(?:at|chez|arr?obase?)\b", re.IGNORECASE)


def emails(text: str) -> Iterator[Span]:
    """Addresses as written (``name@domain.tld``) and written out or disguised (see above); the
    span runs from the user part through the top-level domain."""
    if "@" in text:
        for m in _EMAIL.finditer(text):
            yield Span(m.start(), m.end(), "email")
    if _WRITTEN_AT_CUE.search(text):
        for m in _EMAIL_WRITTEN.finditer(text):
            yield Span(m.start(), m.end(), "email")


# --- phone -------------------------------------------------------------------------------------
_DIGIT = re.compile(r"\d")
#: An extension after the number: « poste 2345 », « , poste 102 », « ext. 12 », « #221 », « x 12 ».
_EXTENSION = re.compile(
    r"[ \t]*,?[ \t]*(?:poste|post\.|p\.|ext\.?|extension|x|\#)[ \t]*\d{1,6}(?!\d)", re.IGNORECASE
)
#: North American numbers written with separators that ``phonenumbers`` rejects as unassigned
#: (a typo in the area code, a fictional exchange) or that it does not read (slashes): still
#: someone's number as typed. Dashes of every kind are « - » by then (``normalise``).
_NANP = re.compile(r"(?<![\w$/-])(?:\+?1[ ./-]?)?(?:\(\d{3}\)|\d{3})[ ./-]?\d{3}[ ./-]\d{4}(?![\d/-])")


#: Where a number may be: ten digits or more with short separators between them. The matcher runs
#: on these windows only (it is the costly step), with a few characters around for its context.
_PHONE_WINDOW = re.compile(r"\+?\(?\d(?:[ \t().+/-]{0,3}\d){9,}")
_WINDOW_MARGIN = 2
_CHUNK = 64
#: Candidates the matcher tries per chunk (65535 by default): a chunk holds a few numbers at most.
_MAX_TRIES = 12


def phones(text: str) -> Iterator[Span]:
    if len(_DIGIT.findall(text)) < 10:
        return
    found: list[tuple[int, int]] = []
    for w in _PHONE_WINDOW.finditer(text):
        # A long run of digits is read in overlapping chunks, each longer than any phone number:
        # the matcher's cost grows faster than the length of what it reads.
        lo, hi = max(0, w.start() - _WINDOW_MARGIN), w.end() + _WINDOW_MARGIN
        for chunk in range(lo, max(lo + 1, hi - _CHUNK // 2), _CHUNK // 2):
            window = text[chunk : min(hi, chunk + _CHUNK)]
            matcher = phonenumbers.PhoneNumberMatcher(
                window, "CA", leniency=phonenumbers.Leniency.VALID, max_tries=_MAX_TRIES
            )
            for m in matcher:
                span = (chunk + m.start, chunk + m.end)
                if span not in found:
                    found.append(span)
    for r in _NANP.finditer(text):
        if not any(s < r.end() and r.start() < e for s, e in found):
            found.append((r.start(), r.end()))
    for start, end in found:
        ext = _EXTENSION.match(text, end)
        yield Span(start, ext.end() if ext else end, "phone")


# --- postal code -------------------------------------------------------------------------------
# Letters never used: D, F, I, O, Q, U (and W, Z in first position).
_POSTAL = re.compile(
    r"(?<![\w-])[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][ -]?\d[ABCEGHJ-NPRSTV-Z]\d(?![\w-])", re.IGNORECASE
)


def postal_codes(text: str) -> Iterator[Span]:
    for m in _POSTAL.finditer(text):
        yield Span(m.start(), m.end(), "postal_code")


# --- checksums and amounts ---------------------------------------------------------------------
def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = ord(ch) - 48
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


_AMOUNT_AFTER = re.compile(r"[ \t]*(?:\$|[kKMG]\$|dollars?\b|\$)")
_AMOUNT_BEFORE = re.compile(r"\$[ \t]*\Z")


def _is_amount(text: str, start: int, end: int) -> bool:
    return bool(_AMOUNT_AFTER.match(text, end) or _AMOUNT_BEFORE.search(text, max(0, start - 3), start))


# --- social insurance number -------------------------------------------------------------------
#: Groups of three digits, joined by nothing, spaces, or one of « . / - » with spaces around it.
_SIN_SEP = r"(?:[ \t]*[./-][ \t]*|[ \t]+)?"
_SIN = re.compile(rf"(?<![\d$])(?<!\d[ .,/-])\d{{3}}{_SIN_SEP}\d{{3}}{_SIN_SEP}\d{{3}}(?!\d)(?![ .,/-]\d)")
_SIN_CUE = re.compile(
    r"\b(?:N\.?A\.?S|S\.?I\.?N)\b\.?|assurance[ -]sociale|social[ -]insurance", re.IGNORECASE
)
_SIN_CUE_WINDOW = 50


def sins(text: str) -> Iterator[Span]:
    """Nine digits in groups of three; checked by Luhn unless a cue (« NAS », « SIN »,
    « assurance sociale ») stands near them."""
    if len(_DIGIT.findall(text)) < 9:
        return
    for m in _SIN.finditer(text):
        start, end = m.span()
        if _is_amount(text, start, end):
            continue
        cued = bool(
            _SIN_CUE.search(text, max(0, start - _SIN_CUE_WINDOW), start)
            or _SIN_CUE.search(text, end, end + _SIN_CUE_WINDOW)
        )
        if cued or luhn_valid(re.sub(r"\D", "", m.group())):
            yield Span(start, end, "sin")


# --- payment card ------------------------------------------------------------------------------
#: Digit groups joined by one space or dash: a card is a run of consecutive groups.
_DIGIT_RUN = re.compile(r"(?<![\d.,])\d+(?:[ -]\d+)*(?![\d,]\d)")
_GROUP = re.compile(r"\d+")


_CARD_CUE = re.compile(
    r"\b(?:cartes?|cards?|visa|master[ -]?card|amex|american express|débit|debit|crédit|credit)\b",
    re.IGNORECASE,
)
_CARD_CUE_WINDOW = 40


def cards(text: str) -> Iterator[Span]:
    """13 to 19 digits in consecutive groups (every group but the last of 3 digits or more) that
    pass the Luhn check, or follow a cue (« carte », « Visa », « card »…) closely; the longest such
    run of groups, left to right. Linear in the text: a card spans at most 19 digits."""
    if len(_DIGIT.findall(text)) < 13:
        return
    for run in _DIGIT_RUN.finditer(text):
        groups = [(g.start() + run.start(), g.end() + run.start()) for g in _GROUP.finditer(run.group())]
        cued = bool(_CARD_CUE.search(text, max(0, run.start() - _CARD_CUE_WINDOW), run.start()))
        i = 0
        while i < len(groups):
            hit = None
            digits = ""
            for j in range(i, len(groups)):
                s, e = groups[j]
                digits += text[s:e]
                if len(digits) > 19:
                    break
                if len(digits) >= 13 and (cued or luhn_valid(digits)):
                    hit = j
                if e - s < 3:  # only the last group may be short
                    break
            if hit is None:
                i += 1
                continue
            start, end = groups[i][0], groups[hit][1]
            if not _is_amount(text, start, end):
                yield Span(start, end, "card")
            i = hit + 1
