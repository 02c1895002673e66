"""Plan facts are data: the timelines a plan defines (its codes and their words) live in its legend
and in the language's words (assistant/timelines.yaml), never in the Python of the layers that read,
search and answer — so a plan with other timelines needs no code change (issue 21)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from assistant.compose import Composer
from assistant.organisation import Organisation, fill
from assistant.reading.references import find_numbered, find_structure, role_names
from assistant.settings import AssistantSettings
from assistant.timelines import Timelines, label_words, ongoing, phrase
from corpus import Corpus, load_corpus
from corpus.model import HorizonDef, Plan, PlanMeta
from corpus.settings import settings_problem

ROOT = Path(__file__).resolve().parent.parent
#: The Québec plan's timeline codes and words: plan data, not code.
TIMELINE_WORDS = re.compile(
    r"(?<![A-Za-z])(?:EC|CT|MT)(?![A-Za-z])"
    r"|(?i:court[\s-]terme|moyen[\s-]terme|short[\s-]term|medium[\s-]term)"
)


#: Parsers written for one plan's layout (the kit, the generic parser and the PDF import are scanned).
PLAN_PARSERS = {"quebec_action_plan.py", "neighbourhood_table.py"}


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def _strings(path: Path) -> Iterator[tuple[int, str]]:
    """The string constants of a module that are not docstrings (what the code matches or says)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            yield node.lineno, node.value


def test_no_timeline_code_or_word_is_written_in_the_answering_code() -> None:
    found = [
        f"{p.relative_to(ROOT)}:{line}: {value!r}"
        for folder in ("assistant", "index", "api", "corpus")
        for p in sorted((ROOT / folder).rglob("*.py"))
        if p.name not in PLAN_PARSERS
        for line, value in _strings(p)
        if TIMELINE_WORDS.search(value)
    ]
    assert found == []


def test_the_scan_finds_a_timeline_code_in_a_string(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text('"""Docstrings may say « CT »."""\nX = {"CT": "à court terme"}\n', encoding="utf-8")
    assert [v for _, v in _strings(module) if TIMELINE_WORDS.search(v)] == ["CT", "à court terme"]


def _plan_with(horizons: dict[str, HorizonDef]) -> Plan:
    base = next(iter(load_corpus()))
    return base.model_copy(update={"horizons": horizons})


def test_a_plan_with_other_timelines_is_read_and_said_from_its_legend() -> None:
    plan = _plan_with(
        {
            "A1": HorizonDef(code="A1", label="2025", description="Actions de 2025"),
            "A2": HorizonDef(code="A2", label="2026-2027", description="Actions de 2026 et 2027"),
            "CO": HorizonDef(code="CO", label="en continu", description="Actions menées sans fin prévue"),
        }
    )
    timelines = Timelines([plan])
    assert timelines.asked(
        "Quelles actions sont prévues en 2026-2027?", "quelles actions sont prevues en 2026-2027?"
    ) == ["A2"]
    assert timelines.asked("Lesquelles sont en continu?", "lesquelles sont en continu?") == ["CO"]
    assert timelines.asked("Les actions A1?", "les actions a1?") == ["A1"]
    assert timelines.named("C'est quoi « en continu »?", "c'est quoi « en continu »?") == "CO"
    # Said with the language's words where it has them, else as the plan prints its label.
    assert phrase(plan, "CO", "fr") == "en continu" and phrase(plan, "CO", "en") == "on an ongoing basis"
    assert phrase(plan, "A2", "fr") == "2026-2027"
    assert ongoing(plan, "CO") and not ongoing(plan, "A1")


def test_the_city_plan_s_timelines_come_from_its_legend() -> None:
    city = next(p for p in load_corpus() if p.horizons)
    timelines = Timelines([city])
    assert list(timelines.by_code) == list(city.horizons)
    assert timelines.asked("c'est tu déjà commencé?", "c'est tu deja commence?") == [
        c for c in city.horizons if ongoing(city, c)
    ]
    # The span the legend prints is a way to ask for the timeline too (« de 3 à 5 ans »).
    (mid,) = [c for c, h in city.horizons.items() if h.span and "5" in h.span]
    assert timelines.asked("les actions de 3 à 5 ans", "les actions de 3 a 5 ans") == [mid]


def test_a_bad_entry_of_the_language_words_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import assistant.timelines as timelines

    bad = tmp_path / "timelines.yaml"
    bad.write_text("court terme:\n  noms: [bientot]\n", encoding="utf-8")
    monkeypatch.setattr(timelines, "WORDS_FILE", bad)
    label_words.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"timelines\.yaml.*court terme.*noms"):
            label_words()
    finally:
        label_words.cache_clear()


# -- the organisation: its name and channels are deployment data (organisation.yaml) --------------

#: Words of one city and its plans that answers, and the widget, must take from data.
CITY_WORDS = re.compile(
    r"Saint-Sacrement|ville\.quebec|Ville de Québec|City of Québec|\b311\b|APPELLE|action 37"
)
#: What composes answers and what the widget shows (help texts and examples of settings may cite
#: the reference deployment).
ANSWERING = [
    "assistant/compose.py",
    "assistant/service.py",
    "assistant/coverage.py",
    *(f"assistant/{d}" for d in ("intents", "reading")),
]


def _answering_modules() -> Iterator[Path]:
    for name in ANSWERING:
        path = ROOT / name
        yield from sorted(path.rglob("*.py")) if path.is_dir() else [path]


def test_answers_and_the_widget_name_no_city_in_code() -> None:
    found = [
        f"{p.relative_to(ROOT)}:{line}: {value[:80]!r}"
        for p in _answering_modules()
        for line, value in _strings(p)
        if CITY_WORDS.search(value)
    ]
    widget = (ROOT / "api/static/widget.js").read_text(encoding="utf-8")
    found += [f"api/static/widget.js: {m.group()!r}" for m in CITY_WORDS.finditer(widget)]
    assert found == []


def test_the_organisation_file_gives_the_channels_and_their_links() -> None:
    org = Organisation.load(ROOT / "corpus" / "plans")
    assert org.name == "Ville de Québec"
    assert org.contact("fr") == "consultez le site de la Ville (ville.quebec.qc.ca) ou composez le 311"
    links = org.links(
        "Consultez ville.quebec.qc.ca ou composez le 311; pas 13110 ni www2.ville.quebec.qc.ca."
    )
    assert [(lk.text, lk.href) for lk in links] == [
        ("ville.quebec.qc.ca", "https://www.ville.quebec.qc.ca"),
        ("311", "tel:311"),
    ]
    assert org.links("L'action 31 vise les familles.") == []
    # The organisation's words fill the answers' texts; the answers' own placeholders stay.
    assert fill({"a": ("{contact} [{n}]",)}, org.values("en")) == {
        "a": ("see the City's website (ville.quebec.qc.ca) or call 311 [{n}]",)
    }


def test_another_organisation_is_said_from_its_file(tmp_path: Path) -> None:
    (tmp_path / "organisation.yaml").write_text(
        "name: Ville de Lévis\nsite: https://www.ville.levis.qc.ca\nsite_label: ville.levis.qc.ca\n"
        "phone: '418 839-2002'\nfr: {the: la Ville, examples: ['Que fait la Ville pour les aînés?']}\n"
        "en: {the: the City}\n",
        encoding="utf-8",
    )
    org = Organisation.load(tmp_path)
    assert (
        org.contact("fr") == "consultez le site de la Ville (ville.levis.qc.ca) ou composez le 418 839-2002"
    )
    assert [lk.href for lk in org.links(org.contact("fr"))] == [
        "https://www.ville.levis.qc.ca",
        "tel:4188392002",
    ]
    c = Composer("fr", org)
    assert c.t["oos_tail"] == "Pour les services municipaux, " + org.contact("fr") + "."
    assert c.examples() == " Par exemple : « Que fait la Ville pour les aînés? »"
    assert "311" not in str(c.t) and "quebec" not in str(c.t)


def test_without_an_organisation_file_answers_point_to_the_municipality(tmp_path: Path) -> None:
    org = Organisation.load(tmp_path)
    assert org.contact("fr") == "adressez-vous à la municipalité" and org.links("le 311") == []
    assert Composer("en", org).t["oos_tail"] == "For municipal services, contact the municipality."


def test_a_bad_organisation_file_names_itself_and_the_field(tmp_path: Path) -> None:
    (tmp_path / "organisation.yaml").write_text(
        "name: X\nfr: {the: la Ville}\nen: {the: the City}\nsite_web: x\n"
    )
    with pytest.raises(ValueError, match=r"organisation\.yaml.*site_web"):
        Organisation.load(tmp_path)


# -- the deployment's time zone and domain: organisation data, neutral examples in help texts --------

#: The reference deployment's time zone and domain (also as an obfuscated address, « ville-quebec[.]ca »):
#: in organisation.yaml and the docs, never in the code, its messages, nor the help of its settings and
#: commands (their examples use a neutral domain, exemple-ville.ca). Docstrings and comments may cite them.
DEPLOYMENT_WORDS = re.compile(r"America/Montreal|ville[.-]quebec", re.IGNORECASE)


def test_no_deployment_time_zone_or_domain_is_written_in_the_code() -> None:
    found = [
        f"{p.relative_to(ROOT)}:{line}: {value[:80]!r}"
        for folder in ("assistant", "index", "api", "corpus")
        for p in sorted((ROOT / folder).rglob("*.py"))
        for line, value in _strings(p)
        if DEPLOYMENT_WORDS.search(value)
    ]
    assert found == []


def test_the_scan_finds_a_deployment_word_in_a_string(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        '"""Days of America/Montreal."""\nZONE = "America/Montreal"\nHELP = f"ex. {1} ville-quebec[.]ca"\n',
        encoding="utf-8",
    )
    assert [v for _, v in _strings(module) if DEPLOYMENT_WORDS.search(v)] == [
        "America/Montreal",
        " ville-quebec[.]ca",
    ]


def _organisation_file(folder: Path, zone: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "organisation.yaml").write_text(
        f"name: X\ntime_zone: {zone}\nfr: {{the: la Ville}}\nen: {{the: the City}}\n", encoding="utf-8"
    )
    return folder


def test_the_log_s_time_zone_is_the_setting_else_the_organisation_s_else_utc(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PLAN_ASSISTANT_LOG_TIME_ZONE", raising=False)
    reference = ROOT / "corpus" / "plans"
    assert Organisation.load(reference).time_zone == "America/Montreal"  # the days the log counted so far
    assert AssistantSettings(corpus_dir=reference).log_zone() == ZoneInfo("America/Montreal")
    paris = _organisation_file(tmp_path / "paris", "Europe/Paris")
    assert Organisation.load(paris).time_zone == "Europe/Paris"
    assert AssistantSettings(corpus_dir=paris).log_zone() == ZoneInfo("Europe/Paris")
    over = AssistantSettings(corpus_dir=paris, log_time_zone=" America/Vancouver ")
    assert over.log_zone() == ZoneInfo("America/Vancouver")
    assert AssistantSettings(corpus_dir=paris, log_time_zone="").log_zone() == ZoneInfo("Europe/Paris")
    assert AssistantSettings(corpus_dir=tmp_path / "sans-organisation").log_zone() == UTC


def test_a_bad_time_zone_names_the_file_or_the_setting_and_the_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = _organisation_file(tmp_path / "plans", "Amerique/Montreal")
    with pytest.raises(
        ValueError, match=r"organisation\.yaml : .*\(time_zone : fuseau horaire inconnu : 'Amerique/Montreal'"
    ):
        Organisation.load(bad)
    with pytest.raises(ValidationError) as e:
        AssistantSettings(log_time_zone="Mars/Olympus")
    assert settings_problem(e.value).startswith(
        "réglage PLAN_ASSISTANT_LOG_TIME_ZONE : fuseau horaire inconnu : 'Mars/Olympus' (attendu : un nom"
    )
    # At start: one line in French, no traceback, before the service or the command does anything.
    from api import settings as settings_module
    from api.cli import app

    monkeypatch.setenv("PLAN_ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    cases = {
        "réglage PLAN_ASSISTANT_LOG_TIME_ZONE : fuseau horaire inconnu : 'Mars/Olympus'": {
            "PLAN_ASSISTANT_LOG_TIME_ZONE": "Mars/Olympus"
        },
        "organisation.yaml : fichier de l'organisation invalide (time_zone : fuseau horaire inconnu : "
        "'Amerique/Montreal'": {"PLAN_ASSISTANT_CORPUS_DIR": str(bad)},
    }
    try:
        for said, env in cases.items():
            for command in (["serve"], ["log", "purge"], ["log", "report"]):
                settings_module.get_settings.cache_clear()
                result = CliRunner().invoke(app, command, env=env)
                assert isinstance(result.exception, SystemExit) and result.exit_code == 1, result.exception
                assert result.stderr.startswith("Erreur : ") and said in result.stderr, (
                    command,
                    result.stderr,
                )
    finally:
        settings_module.get_settings.cache_clear()


# -- no plan is « the city » by default --------------------------------------------------------------

_SECOND = """# Plan vert 2025-2028

## Orientation 1 : Verdir les quartiers

### Axe 1 : Arbres

#### Objectif 1.1.1 : Planter

1. Planter des arbres dans les ruelles.

### Axe 2 : Parcs

#### Objectif 1.2.1 : Entretenir

2. Entretenir les parcs de quartier.

## Orientation 4 : Réduire les îlots de chaleur

### Axe 1 : Toits

#### Objectif 4.1.1 : Verdir les toits

3. Soutenir les toits verts.
"""


def _with_second_plan() -> Corpus:
    from corpus.loader import parse_text

    meta = PlanMeta(
        id="plan-vert",
        title="Plan vert 2025-2028",
        organisation="Arrondissement Test",
        source="x.md",
        parser="generique",
        aliases=("plan vert",),
    )
    plan, problems = parse_text(_SECOND, meta)
    assert plan is not None and problems == [], problems
    corpus = load_corpus()
    return Corpus(plans={**corpus.plans, plan.id: plan}, bank=corpus.bank)


def test_an_orientation_is_looked_for_in_the_plan_named_then_in_every_plan() -> None:
    corpus = _with_second_plan()
    city = next(iter(corpus)).id
    # Named: that plan's orientation 1, not the first plan's.
    found, missing = find_structure("l'orientation 1 du plan vert", corpus, ["plan-vert"])
    assert [(p.id, n.id) for p, n in found] == [("plan-vert", "orientation-1")] and missing == []
    # Not named: the first plan that has it (orientation 4 exists only in the second plan).
    found, missing = find_structure("l'orientation 4", corpus, [])
    assert [(p.id, n.id) for p, n in found] == [("plan-vert", "orientation-4")] and missing == []
    found, _ = find_structure("l'orientation 1", corpus, [])
    assert [(p.id, n.id) for p, n in found] == [(city, "orientation-1")]
    found, missing = find_structure("l'orientation 9", corpus, [])
    assert found == [] and missing == ["orientation 9"]


def test_the_roles_are_those_the_plans_define() -> None:
    corpus = load_corpus()
    assert set(role_names(corpus)) == {"responsable", "mobilisateur", "collaborateur", "contributeur"}
    assert role_names(Corpus()) == ()


def test_a_number_the_named_plan_lacks_is_not_taken_from_another_plan() -> None:
    corpus = load_corpus()
    city, ss = (p.id for p in corpus)
    found, missing = find_numbered("dans le plan de saint-sacrement, l'action 37", corpus, [ss])
    assert found == [] and missing == ["37"]
    found, _ = find_numbered("l'action 37", corpus, [])
    assert [(p.id, n.number) for p, n in found] == [(city, "37")]
