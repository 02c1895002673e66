"""``plan-assistant eval scale``: the service with many plans (issue 21). A corpus of N plans — the two
shipped plans and copies of them, each with its own id, title, organisation, aliases and neighbourhood
— is built cold (empty data and cache folders, the configured model) in a process of its own; another
process loads that index and answers the tuning set's questions one after the other, each as a new one
(the caches cleared before each, as ``plan-assistant bench`` does in process), and reports its latency,
its throughput and its peak resident memory. The same two measures on the two shipped plans alone,
in processes of the same kind, give the comparison. Report: ``scale.json`` and ``scale.md``.

What keeps the measure honest:

- the copies' texts differ from the originals' and from each other: every objective title ends with
  the copy's neighbourhood (the short text embedded for an action is the action and its objective's
  title), the neighbourhood plan's copies name their own neighbourhood, and every other document
  carries its plan's title; the report counts the embedded texts shared between plans (0 expected);
- the build starts from empty data and cache folders, so no vector comes from the vector cache
  (:mod:`index.vector_cache`) or from an earlier build: every document is embedded by the model;
- the copies have no question bank (``questions.yaml``), as a newly added plan has none; the two
  originals keep theirs (about 3 000 questions) and the corpus keeps its hors-plan bank;
- the copies keep the originals' manifests otherwise: parser, errata, and the default scope (every
  question searches all N plans, the most demanding case for latency).
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from corpus import Corpus, load_corpus
from corpus.bank import BANK_NAME
from corpus.loader import DEFAULT_CORPUS_DIR
from corpus.manifest import MANIFEST_NAME
from evals.stats import ms, percentile

#: Neighbourhoods of Québec that no question of the tuning set names (a copy named after one of
#: those would draw the questions that name it, which is not what this measures).
QUARTIERS = [
    "Sillery",
    "Cap-Rouge",
    "Lebourgneuf",
    "Duberger",
    "Neufchâtel",
    "Lairet",
    "Maizerets",
    "Vieux-Moulin",
    "Saint-Jean-Baptiste",
    "Cité-Universitaire",
    "Loretteville",
    "Val-Bélair",
    "Saint-Émile",
    "Lac-Saint-Charles",
    "Les Saules",
    "Giffard",
    "Montmorency",
    "Orsainville",
    "Des Châtels",
    "Jésuites",
    "Bourg-Royal",
    "Notre-Dame-des-Laurentides",
    "Chauveau",
    "Laurentien",
    "Quatre-Bourgeois",
    "Saint-Louis",
    "Plateau",
    "Aéroport",
]
COPY_MARK = "-copie-"

#: Targets of issue 21.
TARGETS = {"build_s": 300.0, "p50_ratio": 1.2, "rss_mb": 1024.0}
RESULT = "SCALE-RESULT "  # the line of a measuring process's output that carries its result


# ---------------------------------------------------------------------------------------- corpus
def quartier(k: int) -> str:
    """The neighbourhood of the k-th copy (1-based), numbered once the list is used up."""
    name = QUARTIERS[(k - 1) % len(QUARTIERS)]
    turn = (k - 1) // len(QUARTIERS)
    return name if turn == 0 else f"{name} {turn + 1}"


def _city_text(text: str, place: str) -> str:
    """The City's plan (``ville-de-quebec-plan-action``): each objective's title, the first line after
    its « Objectif N » heading, ends with the neighbourhood. Lines keep their numbers (errata)."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if re.fullmatch(r"#{1,6} Objectif \d+\s*", line):
            j = next((j for j in range(i + 1, len(lines)) if lines[j].strip()), None)
            if j is not None:
                lines[j] = f"{lines[j].rstrip()} ({place})"
    return "\n".join(lines)


def _renamed(text: str, place: str) -> str:
    """The neighbourhood plan's neighbourhood renamed (the church keeps its name)."""
    text = re.sub(r"(?<!Très-)\bSaint[- ]Sacrement\b", place, text)
    return text.replace("CQSS", f"CQ {place}")


def _neighbourhood_text(text: str, place: str) -> str:
    """The neighbourhood plan (``conseil-de-quartier-tableau``): its neighbourhood renamed, and each
    objective's title (« 1.1 … » before the first tab) ends with the neighbourhood."""
    text = _renamed(text, place)
    return re.sub(r"(?m)^(\d+\.\d+ [^\t\n]*?)\s*(\t|$)", rf"\1 ({place})\2", text)


DISTINCT: dict[str, Callable[[str, str], str]] = {
    "ville-de-quebec-plan-action": _city_text,
    "conseil-de-quartier-tableau": _neighbourhood_text,
}

#: How a copy's title and organisation name its neighbourhood, by parser (others: « — quartier »).
RENAME: dict[str, Callable[[str, str], str]] = {"conseil-de-quartier-tableau": _renamed}


def write_scale_corpus(dest: Path, plans: int, source: Path = DEFAULT_CORPUS_DIR) -> Path:
    """A corpus folder of ``plans`` plans in ``dest``: the corpus of ``source`` (its plans with their
    banks, its hors-plan bank), then copies of its plans in turn, until ``plans``. A copy has an id
    ``<id>-copie-NN``, a title « … — copie N » naming its neighbourhood, its own organisation and
    aliases, a text made distinct (see :data:`DISTINCT`), and no question bank."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(source, dest)
    originals = sorted(source.rglob(MANIFEST_NAME))
    for k in range(1, max(0, plans - len(originals)) + 1):
        manifest_path = originals[(k - 1) % len(originals)]
        data = yaml.safe_load(manifest_path.read_text(encoding="utf-8"))
        place = quartier(k)
        new_id = f"{data['id']}{COPY_MARK}{k:02d}"
        folder = dest / new_id
        folder.mkdir()
        text = (manifest_path.parent / data["source"]).read_text(encoding="utf-8")
        (folder / data["source"]).write_text(DISTINCT[data["parser"]](text, place), encoding="utf-8")
        rename = RENAME.get(data["parser"], lambda t, _: t)
        title, organisation = rename(data["title"], place), rename(data["organisation"], place)
        data |= {
            "id": new_id,
            "title": f"{title} — copie {k}" + ("" if place in title else f" ({place})"),
            "organisation": organisation if place in organisation else f"{organisation} — {place}",
            "aliases": [place, f"plan de {place}", f"copie {k} du plan"],
            "order": 100 + k,
        }
        (folder / MANIFEST_NAME).write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        assert not (folder / BANK_NAME).exists()
    return dest


def is_copy(plan_id: str) -> bool:
    return COPY_MARK in plan_id


def shared_texts(corpus: Corpus) -> int:
    """Embedded texts (a document's dense text) of a copy that another plan's document also has."""
    from index.documents import build_documents

    plans_of: dict[str, set[str]] = {}
    for d in build_documents(corpus):
        plans_of.setdefault(d.dense_text, set()).add(str(d.metadata["plan_id"]))
    return sum(1 for text, ids in plans_of.items() if len(ids) > 1 and any(is_copy(i) for i in ids))


def corpus_facts(path: Path) -> dict[str, Any]:
    from index.documents import build_documents

    corpus = load_corpus(path)
    docs = build_documents(corpus)
    return {
        "plans": len(corpus),
        "copies": sum(is_copy(p.id) for p in corpus),
        "actions": sum(len(p.actions()) for p in corpus),
        "plan_documents": len(docs),
        "distinct_embedded_texts": len({d.dense_text for d in docs}),
        "copy_texts_shared_with_another_plan": shared_texts(corpus),
        "bank_questions": len(corpus.bank.questions),
        "plans_with_a_bank": sorted(
            Counter(str(q.refs[0]).partition(":")[0] for q in corpus.bank.questions if q.refs)
        ),
    }


# ------------------------------------------------------------------------- measuring processes
def _memory() -> dict[str, float]:
    """This process's resident memory now and at its peak (MiB), and the CPU it has used (s: on a
    shared machine, what it cost whatever else ran beside it)."""
    status = Path("/proc/self/status").read_text(encoding="utf-8")
    kb = {k: float(v.split()[0]) for k, v in re.findall(r"^(VmRSS|VmHWM):\s+(.*)$", status, flags=re.M)}
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "rss_mb": round(kb["VmRSS"] / 1024, 1),
        "peak_rss_mb": round(kb["VmHWM"] / 1024, 1),
        "ru_maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def _child_build() -> dict[str, Any]:
    """The cold build of the configured corpus into the configured (empty) data folder, then the
    searcher opened once (what the service does before it answers)."""
    from assistant.settings import AssistantSettings
    from index.service import IndexService

    settings = AssistantSettings()
    t0 = time.perf_counter()
    service = IndexService.from_settings(settings)
    loaded = time.perf_counter()
    result = service.build(force=True)
    built = time.perf_counter()
    searcher = service.ensure(rebuild=False)
    ready = time.perf_counter()
    info = result.build
    return {
        "setup_s": round(loaded - t0, 2),
        "build_s": round(built - loaded, 1),
        "open_s": round(ready - built, 1),
        "ready_s": round(ready - loaded, 1),
        "documents": info.doc_count,
        "embedded": info.embedded,
        "reused": result.reused,
        "from_vector_cache": result.cached,
        "searchable_documents": len(searcher.docs),
        **_memory(),
    }


def _child_serve() -> dict[str, Any]:
    """The application on the index built before (never building it), then the tuning set's
    questions, each as a new one (caches cleared, as ``evals.bench.in_process`` does), one thread."""
    from assistant.answer import Turn
    from assistant.application import build_application
    from assistant.settings import AssistantSettings
    from evals.dataset import load_questions

    t0 = time.perf_counter()
    app = build_application(AssistantSettings())
    load_s = time.perf_counter() - t0
    if app.index.last_rebuild_reason is not None:
        raise RuntimeError(
            f"le processus de service a reconstruit l'index ({app.index.last_rebuild_reason}) : le code "
            "ou le corpus a-t-il changé pendant la mesure?"
        )
    loaded = _memory()
    assistant = app.assistant
    secs, with_copy = [], 0
    questions = load_questions()
    for q in questions:
        assistant.clear_caches()
        history = [Turn(question=h.question, refs=h.refs) for h in q.history]
        t = time.perf_counter()
        answer = assistant.ask(q.question, history=history)
        secs.append(time.perf_counter() - t)
        with_copy += any(is_copy(c.plan_id) for c in answer.citations)
    return {
        "load_s": round(load_s, 2),
        "loaded_rss_mb": loaded["rss_mb"],
        "n": len(secs),
        "p50_ms": ms(percentile(secs, 50)),
        "p95_ms": ms(percentile(secs, 95)),
        "p99_ms": ms(percentile(secs, 99)),
        "mean_ms": ms(sum(secs) / len(secs)),
        "questions_per_s": round(len(secs) / sum(secs), 1),
        "answers_citing_a_copy": with_copy,
        "plans": len(app.index.corpus),
        **_memory(),
    }


CHILDREN = {"build": _child_build, "serve": _child_serve}


def measure(
    kind: str, corpus_dir: Path, data_dir: Path, cache_dir: Path, timeout: float = 3600
) -> dict[str, Any]:
    """One measure (``build`` or ``serve``) in a fresh process, on the given folders only."""
    env = {
        **os.environ,
        "PLAN_ASSISTANT_CORPUS_DIR": str(corpus_dir),
        "PLAN_ASSISTANT_DATA_DIR": str(data_dir),
        "PLAN_ASSISTANT_CACHE_DIR": str(cache_dir),
    }
    load = round(os.getloadavg()[0], 2)  # the shared machine's load when the measure starts
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "evals.scale", kind],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    wall = time.perf_counter() - t
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(RESULT)]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"mesure « {kind} » échouée ({proc.returncode}) : {proc.stderr[-2000:]}")
    return {**json.loads(lines[-1][len(RESULT) :]), "process_s": round(wall, 1), "load_average": load}


# ------------------------------------------------------------------------------------- the run
def run(output: Path, plans: int = 30, say: Callable[[str], None] = print) -> dict[str, Any]:
    from index.embeddings import DEFAULT_EMBEDDINGS
    from index.settings import IndexSettings

    work = Path(tempfile.mkdtemp(prefix="plan-assistant-scale-"))
    sizes = [2, plans] if plans != 2 else [2]
    report: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "model": IndexSettings().embeddings or DEFAULT_EMBEDDINGS,
        "targets": TARGETS,
        "sizes": {},
    }
    try:
        folders = {n: write_scale_corpus(work / f"corpus-{n}", n) for n in sizes}
        for n in sizes:
            report["sizes"][str(n)] = {"corpus": corpus_facts(folders[n])}
        for n in sizes:  # the builds, one after the other (2 cores)
            say(f"construction à froid, {n} plans…")
            report["sizes"][str(n)]["build"] = measure(
                "build", folders[n], work / f"data-{n}", work / f"cache-{n}"
            )
        for n in sizes:
            say(f"questions distinctes, {n} plans…")
            report["sizes"][str(n)]["serve"] = measure(
                "serve", folders[n], work / f"data-{n}", work / f"cache-{n}"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    output.mkdir(parents=True, exist_ok=True)
    (output / "scale.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    report["verdict"] = verdict(report, plans)
    write_scale_report(report, output)
    return report


def verdict(r: dict[str, Any], plans: int) -> dict[str, Any]:
    big, small = r["sizes"][str(plans)], r["sizes"]["2"]
    ratio = big["serve"]["p50_ms"] / small["serve"]["p50_ms"] if small["serve"]["p50_ms"] else None
    return {
        "build": big["build"]["ready_s"] <= TARGETS["build_s"],
        "p50_ratio": None if ratio is None else round(ratio, 2),
        "p50": ratio is not None and ratio <= TARGETS["p50_ratio"],
        "memory": big["serve"]["peak_rss_mb"] <= TARGETS["rss_mb"],
    }


def _yes(ok: bool) -> str:
    return "**atteinte**" if ok else "**manquée**"


def scale_markdown(r: dict[str, Any]) -> str:
    sizes = list(r["sizes"])
    n = sizes[-1]
    big, small = r["sizes"][n], r["sizes"]["2"]
    v = r["verdict"]
    c = big["corpus"]
    head = " | ".join(f"{s} plans" for s in sizes)
    sep = " --- |" * len(sizes)

    def row(label: str, key: str, part: str, unit: str = "", target: str = "") -> str:
        values = [r["sizes"][s][part].get(key) for s in sizes]
        cells = " | ".join("—" if x is None else f"{x}{unit}" for x in values)
        return f"| {label} | {cells} | {target} |"

    lines = [
        f"# Échelle : {n} plans",
        "",
        f"Machine : {r['machine']['cpus']} cœurs, Python {r['machine']['python']}; modèle `{r['model']}`. "
        f"Commande : `plan-assistant eval scale --plans {n} -o evals/reports`"
        + (f" ({r['code']})" if r.get("code") else "")
        + ".",
        "",
        f"Le corpus de {n} plans : les deux plans livrés et {c['copies']} copies d'eux, tour à tour, "
        "chacune avec son identifiant, son titre (« … — copie N », qui nomme son quartier), son "
        "organisation, ses alias et un quartier que le jeu de réglage ne nomme pas. Les textes des copies "
        "sont rendus distincts (le titre de chaque objectif finit par le quartier, les copies du plan de "
        "quartier nomment leur quartier, chaque document porte le titre de son plan) : "
        f"{c['copy_texts_shared_with_another_plan']} texte embarqué d'une copie se retrouve dans un autre "
        f"plan ({c['distinct_embedded_texts']} textes distincts pour {c['plan_documents']} documents de "
        "plans). "
        "Les copies n'ont **pas de banque de questions** (`questions.yaml`), comme un plan qu'on vient "
        f"d'ajouter; les deux plans livrés gardent la leur ({c['bank_questions']} questions avec la banque "
        "hors plan). Les copies gardent le reste des manifestes : analyseur, errata et portée par défaut "
        f"(chaque question cherche dans les {n} plans).",
        "",
        "Chaque mesure est prise dans un processus à elle : la construction à froid dans des dossiers de "
        "données et de cache vides (aucun vecteur ne vient du cache de vecteurs ni d'une construction "
        "précédente : tous les documents passent par le modèle), puis, dans un autre processus, le service "
        "chargé sur cet index, qui pose les questions du jeu de réglage une à une, chacune comme une "
        "nouvelle (caches vidés avant chacune, comme le banc d'essai en processus), sur un seul fil; sa "
        "mémoire résidente maximale (VmHWM) est lue après la dernière réponse.",
        "",
        f"| mesure | {head} | cible ({n} plans) |",
        f"| --- |{sep} --- |",
        row("documents de plans (actions, objectifs, sections…)", "plan_documents", "corpus"),
        row("questions de la banque", "bank_questions", "corpus"),
        row("documents indexés", "documents", "build"),
        row("textes calculés par le modèle à la construction", "embedded", "build"),
        row("vecteurs repris du cache ou d'une construction", "from_vector_cache", "build"),
        row("construction (vecteurs et écriture de l'index)", "build_s", "build", " s"),
        row(
            "construction à froid jusqu'à l'index prêt à répondre",
            "ready_s",
            "build",
            " s",
            f"≤ {TARGETS['build_s']:.0f} s : {_yes(v['build'])}",
        ),
        row("temps CPU du processus de construction", "cpu_s", "build", " s"),
        row("mémoire maximale du processus de construction", "peak_rss_mb", "build", " Mo"),
        row("chargement du service (index présent)", "load_s", "serve", " s"),
        row("mémoire du service chargé", "loaded_rss_mb", "serve", " Mo"),
        row(
            "mémoire maximale du service (chargé, puis toutes les réponses)",
            "peak_rss_mb",
            "serve",
            " Mo",
            f"≤ {TARGETS['rss_mb']:.0f} Mo (1 Go) : {_yes(v['memory'])}",
        ),
        row("questions distinctes posées", "n", "serve"),
        row(
            "réponse p50",
            "p50_ms",
            "serve",
            " ms",
            f"inchangée (≤ {TARGETS['p50_ratio']} × celle à 2 plans; ici {v['p50_ratio']} ×) : "
            + _yes(v["p50"]),
        ),
        row("réponse p95", "p95_ms", "serve", " ms"),
        row("réponse p99", "p99_ms", "serve", " ms"),
        row("débit (questions par seconde, un fil)", "questions_per_s", "serve"),
        row("temps CPU du processus de service (chargement compris)", "cpu_s", "serve", " s"),
        row("réponses qui citent une copie", "answers_citing_a_copy", "serve"),
        row("charge de la machine au départ de la construction (1 min)", "load_average", "build"),
        row("charge de la machine au départ des questions (1 min)", "load_average", "serve"),
        "",
        "« Inchangée » laisse 20 % d'écart, une tolérance choisie ici : la machine, à 2 cœurs, est "
        "partagée (charge moyenne au départ de chaque mesure dans le tableau) et le banc d'essai y voit deux "
        "mesures du même code différer jusqu'à 15 %. Le débit est le nombre de questions divisé par la somme "
        "de leurs durées. Les réponses qui citent une copie disent seulement que les copies, dans la portée "
        "par défaut, répondent aussi aux questions du jeu (leur texte est presque celui des originaux); la "
        "justesse des réponses n'est pas mesurée ici. Les durées dépendent de ce qui tourne à côté sur la "
        "machine; le temps CPU d'un processus dit ce qu'il a calculé, lui. Durée de chaque processus "
        f"(démarrage de Python compris) : construction {small['build']['process_s']} s et "
        f"{big['build']['process_s']} s, service {small['serve']['process_s']} s et "
        f"{big['serve']['process_s']} s.",
    ]
    return "\n".join(lines) + "\n"


def write_scale_report(r: dict[str, Any], output: Path) -> None:
    from evals.report import write_report

    write_report(output, "scale", r, scale_markdown(r))


if __name__ == "__main__":
    result = CHILDREN[sys.argv[1]]()
    print(RESULT + json.dumps(result, ensure_ascii=False), flush=True)
