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


_DIGIT_GROUP = re.compile(r"\d+")


def _grouped_as_a_phone(number: str) -> bool:
    """Whether ``number`` may be a phone number: anything ``phonenumbers`` reads as a North American
    number is one (recall first: people group digits every which way), except a year-led file
    number (« 2024-0587-01 », « 1999-123-4567 »: four digits from 19 or 20, then more groups),
    which ``phonenumbers`` would read as a Washington number."""
    groups = _DIGIT_GROUP.findall(number)
    return not (len(groups) > 1 and len(groups[0]) == 4 and groups[0][:2] in ("19", "20"))


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
        if not _grouped_as_a_phone(text[start:end]):
            continue
        ext = _EXTENSION.match(text, end)
        yield Span(start, ext.end() if ext else end, "phone")


# --- postal code -------------------------------------------------------------------------------
# Letters never used: D, F, I, O, Q, U (and W, Z in first position). People type the two halves
# glued, apart by one space or several, a dash, a dot, a slash or « _ », in any case, glued to the
# word or the punctuation before or after (« QuébecG1R2B5 »), and now and then a letter O for a zero
# (« G1R 2BO », « GOA 1B0 »): a zero's place takes « O » as long as one real digit is left.
_FIRST = "ABCEGHJ-NPRSTVXY"
_LETTER = "ABCEGHJ-NPRSTV-Z"
_ZERO_OR_DIGIT = r"[\dOo]"
_HALF_SEP = r"(?:[ \t]{0,3}|[ \t]*[-./_][ \t]*)"
#: Not inside a longer code: no digit right before or after, nor a letter that follows a digit or
#: stands alone before it (« A1B2C3D4 », « XG1R2B5 », « SKU-G1R2B5-22 »).
_POSTAL = re.compile(
    # The first letter first (the engine then skips to the candidates), the look-behinds after it.
    rf"[{_FIRST}](?<!\d.)(?<!\d[^\W\d_].)(?<!\b[^\W\d_].)(?<!\d-.)(?<![^\W\d_]\d[^\W\d_]-.)"
    rf"(?=\d|[Oo][{_LETTER}]{_HALF_SEP}(?:\d|[Oo][{_LETTER}]\d))"
    rf"{_ZERO_OR_DIGIT}[{_LETTER}]{_HALF_SEP}{_ZERO_OR_DIGIT}[{_LETTER}]{_ZERO_OR_DIGIT}"
    rf"(?!\d)(?![^\W\d_]\d)(?!-\d)",
    re.IGNORECASE,
)
#: After a cue (« code postal », « postal code », « zip », « C.P. »), also one character at a time
#: (« code postal : G 1 R 2 B 5 »). The cues are found with ``str.find`` in the lower-case text
#: (a pattern's alternation under IGNORECASE costs tens of µs per question), the code matched after.
_POSTAL_CUE = r"(?:code[ \t]+postal|postal[ \t]+code|postal|zip(?:[ \t]+code)?|\bc\.?[ \t]?p\.?)"
_POSTAL_CUE_RE = re.compile(_POSTAL_CUE, re.IGNORECASE)
_POSTAL_CUES = ("postal", "zip", "cp", "c.p", "c p")
_POSTAL_AFTER_CUE = re.compile(
    rf"e?s?(?:[ \t]+code)?\.?(?:[ \t]+(?:est|is|c['’]est|:))?[ \t]*[:=]?[ \t]*"
    rf"(?P<code>[{_FIRST}][ \t.-]?\d[ \t.-]?[{_LETTER}][ \t.-]{{0,3}}\d[ \t.-]?[{_LETTER}][ \t.-]?\d)(?![\w-])",
    re.IGNORECASE,
)
#: A product, a model or a part: a code of that shape after these is none (« le produit A1B2C3 »).
_NOT_POSTAL_BEFORE = re.compile(
    r"(?i:\b(?:produits?|product|mod[eè]le|model|s[ée]rie|serial|r[ée]f[ée]rence|r[ée]f\.?|ref\.?|sku|item"
    r"|pi[eè]ce|part[ \t]+(?:no|number|#)|article|code[ \t]+(?:de[ \t]+)?(?:produit|promo|rabais|d['’]acc[eè]s|d['’]activation)"
    r"|promo|coupon|licence|license|plaque|immatriculation|flight)(?![\w'’-])"
    r"(?P<between>(?:[ \t]+[\w'’-]+){0,3}?)[ \t]*[:#]?[ \t]*)\Z"
)


#: Every postal code has a digit beside a letter (its first, fourth or sixth character, whatever
#: the separator): a text without one is skipped at once (most questions).
_LETTER_BY_DIGIT = re.compile(r"\d(?:(?<=[A-Za-z]\d)|(?=[A-Za-z]))")


def postal_codes(text: str) -> Iterator[Span]:
    if not _DIGIT.search(text):
        return
    for m in _POSTAL.finditer(text) if _LETTER_BY_DIGIT.search(text) else ():
        other = _NOT_POSTAL_BEFORE.search(text, max(0, m.start() - 60), m.start())
        if other and not _POSTAL_CUE_RE.search(other.group("between")):
            continue
        yield Span(m.start(), m.end(), "postal_code")
    low = text.lower()
    if len(low) != len(text):  # a letter whose lower case is longer (« İ »): offsets would shift
        low = "".join(ch.lower()[0] for ch in text)
    for cue in _POSTAL_CUES:
        at = low.find(cue)
        while at >= 0:
            end = at + len(cue)
            if cue in ("postal", "zip") or not (low[at - 1 : at].isalnum() or low[end : end + 1].isalnum()):
                spelled = _POSTAL_AFTER_CUE.match(text, end)
                if spelled:
                    yield Span(spelled.start("code"), spelled.end("code"), "postal_code")
            at = low.find(cue, end)


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
