"""``plan-assistant eval clusters``: the dashboard's question groups measured on labelled topics.

A labelled set (YAML: ``topics``, each with an ``id``, a ``label`` and its ``questions``) is given
to :func:`assistant.questionlog.clusters.cluster_questions` as one list, as the dashboard gives it
the questions of a period; the groups it returns are compared with the topics:

- **purity**: each group counts its most common topic; the share of questions so counted (1: no
  group mixes topics). What a person signs: a mixed group hides a need.
- **inverse purity**: each topic counts its largest group; the share of questions so counted (1:
  every topic is one group). A split topic is only shown twice.
- **pairwise precision / recall / F1**: over the pairs of questions, grouped together and of the
  same topic, against grouped together (precision) and of the same topic (recall).
- **adjusted Rand index**: agreement of the two partitions corrected for chance (0: chance, 1: equal).
- **groups**, **mixed groups** (more than one topic), **singletons**; and whether every group's
  representative is one of the questions in full (never a fragment).

Two sets: ``evals/gap_clusters_dev.yaml`` (``--set dev``), written by whoever tunes the clustering
(every mixed group may be read), and ``evals/gap_clusters.yaml`` (``--set held``), written by
someone who never saw the clustering code, never used to tune it: only its aggregate figures are
read or written, never a question, a topic's errors or which questions were grouped.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from math import comb
from pathlib import Path
from typing import Any

import yaml

from assistant.questionlog import clusters as algorithm

HERE = Path(__file__).parent
HELD_FILE = HERE / "gap_clusters.yaml"
DEV_FILE = HERE / "gap_clusters_dev.yaml"
SETS: dict[str, Path] = {"held": HELD_FILE, "dev": DEV_FILE}
REPORTS = HERE / "reports"


class DatasetError(ValueError):
    """The labelled set cannot be read (the message never quotes a question)."""


@dataclass(frozen=True)
class Topic:
    id: str
    questions: tuple[str, ...]


def load_topics(path: Path) -> tuple[Topic, ...]:
    """The topics of a labelled set; a question (whitespace collapsed) in two topics is an error."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise DatasetError(f"{path} : illisible ({type(e).__name__})") from None
    raw = data.get("topics") if isinstance(data, dict) else None
    if not isinstance(raw, list) or not raw:
        raise DatasetError(f"{path} : une liste « topics » est attendue")
    topics: list[Topic] = []
    seen: dict[str, str] = {}
    for n, item in enumerate(raw, 1):
        if not isinstance(item, dict) or not isinstance(item.get("questions"), list):
            raise DatasetError(f"{path} : sujet n° {n} sans liste « questions »")
        tid = str(item.get("id") or f"sujet-{n}")
        questions = []
        for q in item["questions"]:
            if not isinstance(q, str) or not q.strip():
                raise DatasetError(f"{path} : sujet n° {n} : une question vide ou qui n'est pas un texte")
            key = " ".join(q.split())
            if key in seen and seen[key] != tid:
                raise DatasetError(f"{path} : sujet n° {n} : une question figure déjà dans un autre sujet")
            seen[key] = tid
            questions.append(key)
        topics.append(Topic(tid, tuple(dict.fromkeys(questions))))
    return tuple(topics)


def _pairs(sizes: Sequence[int]) -> int:
    return sum(comb(s, 2) for s in sizes)


@dataclass
class ClusterMetrics:
    questions: int
    topics: int
    groups: int
    mixed_groups: int
    singletons: int
    purity: float
    inverse_purity: float
    pairwise_precision: float
    pairwise_recall: float
    pairwise_f1: float
    adjusted_rand: float
    representatives_whole: bool  # every representative is one of the questions in full
    seconds: float  # clustering alone, the vectors already computed
    embed_seconds: float
    options: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def score(topic_of: dict[str, str], groups: Sequence[Sequence[str]]) -> dict[str, float | int]:
    """The partition ``groups`` (texts) against ``topic_of`` (text → topic): the figures above."""
    n = sum(len(g) for g in groups)
    contingency = [Counter(topic_of[q] for q in g) for g in groups]
    by_topic: dict[str, Counter[int]] = {}
    for i, c in enumerate(contingency):
        for t, k in c.items():
            by_topic.setdefault(t, Counter())[i] = k
    together = _pairs([len(g) for g in groups])
    same = _pairs([sum(c.values()) for c in by_topic.values()])
    both = sum(comb(k, 2) for c in contingency for k in c.values())
    precision = both / together if together else 1.0
    recall = both / same if same else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    expected = together * same / comb(n, 2) if n > 1 else 0.0
    top = (together + same) / 2
    ari = (both - expected) / (top - expected) if top != expected else 1.0
    return {
        "groups": len(groups),
        "mixed_groups": sum(1 for c in contingency if len(c) > 1),
        "singletons": sum(1 for g in groups if len(g) == 1),
        "purity": sum(max(c.values()) for c in contingency) / n,
        "inverse_purity": sum(max(c.values()) for c in by_topic.values()) / n,
        "pairwise_precision": precision,
        "pairwise_recall": recall,
        "pairwise_f1": f1,
        "adjusted_rand": ari,
    }


def evaluate(path: Path, embedder: Any, **options: Any) -> ClusterMetrics:
    """Cluster the questions of the labelled set ``path`` with ``embedder`` (a model or a function
    texts → vectors) and ``options`` (keyword arguments of ``cluster_questions``); the figures."""
    topics = load_topics(path)
    topic_of = {q: t.id for t in topics for q in t.questions}
    texts = list(topic_of)
    embed = embedder if isinstance(embedder, algorithm.CachedEmbed) else algorithm.CachedEmbed(embedder)
    started = time.perf_counter()
    embed(texts)
    embed_seconds = time.perf_counter() - started
    started = time.perf_counter()
    result = algorithm.cluster_questions(texts, embed, **options)
    seconds = time.perf_counter() - started
    groups = [[q for q, _ in c.questions] for c in result.clusters]
    return ClusterMetrics(
        questions=len(texts),
        topics=len(topics),
        representatives_whole=all(c.representative in topic_of for c in result.clusters),
        seconds=round(seconds, 3),
        embed_seconds=round(embed_seconds, 2),
        options={k: v for k, v in options.items() if isinstance(v, int | float | str | bool)},
        **score(topic_of, groups),  # type: ignore[arg-type]
    )


def mixed_groups(path: Path, embedder: Any, **options: Any) -> list[list[tuple[str, str]]]:
    """The groups of the development set that mix topics, each as (topic, question) pairs: what to
    read when tuning. Refused on the held-out set."""
    if path.resolve() == HELD_FILE.resolve():
        raise DatasetError("le jeu tenu à part ne se lit pas : seulement ses agrégats")
    topics = load_topics(path)
    topic_of = {q: t.id for t in topics for q in t.questions}
    result = algorithm.cluster_questions(list(topic_of), embedder, **options)
    return [
        [(topic_of[q], q) for q, _ in c.questions]
        for c in result.clusters
        if len({topic_of[q] for q, _ in c.questions}) > 1
    ]


# ------------------------------------------------------------------ the question space


def fit_space(path: Path = algorithm.SPACE_FILE) -> algorithm.QuestionSpace:
    """Fit the question space of the configured embedder on the question bank's vectors (those the
    index build stored: nothing is embedded) and write it to ``path``."""
    from index.cli import index_service

    service = index_service()
    bank = service.ensure().bank
    if bank is None or not len(bank):
        raise DatasetError("l'index n'a pas de banque de questions : rien pour ajuster l'espace")
    model = algorithm.model_of(service.embedder)
    space = algorithm.QuestionSpace.fit(bank.vectors, model)
    about = {
        "questions": len(bank),
        "about": "moyenne et directions principales des vecteurs « query » des questions de la banque "
        "(corpus/), retirées avant le regroupement des questions du tableau de bord",
    }
    path.write_text(json.dumps(space.as_dict(**about), ensure_ascii=False) + "\n", encoding="utf-8")
    algorithm.stored_space.cache_clear()
    return space


# ------------------------------------------------------------------ report

FIGURES = (
    ("purity", "pureté"),
    ("inverse_purity", "pureté inverse"),
    ("pairwise_precision", "précision par paires"),
    ("pairwise_recall", "rappel par paires"),
    ("pairwise_f1", "F1 par paires"),
    ("adjusted_rand", "Rand ajusté"),
)


def _row(name: str, m: dict[str, Any]) -> str:
    cells = [f"{m[k]:.3f}" for k, _ in FIGURES]
    whole = "oui" if m["representatives_whole"] else "**non**"
    return (
        f"| {name} | {m['questions']} / {m['topics']} | "
        + " | ".join(cells)
        + f" | {m['groups']} | {m['mixed_groups']} | {m['singletons']} | {whole} |"
    )


def clusters_markdown(report: dict[str, Any]) -> str:
    """The report: one row per set and method (before / after), the method and its constants."""
    head = (
        "| jeu, méthode | questions / sujets | "
        + " | ".join(label for _, label in FIGURES)
        + " | groupes | groupes mêlés | isolées | représentants entiers |"
    )
    lines = [
        "# Regroupement des questions du tableau de bord",
        "",
        report.get("method", ""),
        "",
        head,
        "|" + " --- |" * (len(FIGURES) + 6),
    ]
    for row in report["rows"]:
        lines.append(_row(row["name"], row["metrics"]))
    lines += ["", *report.get("notes", [])]
    return "\n".join(lines).rstrip() + "\n"


def _fr(x: float) -> str:
    return f"{x:g}".replace(".", ",")


METHODS: dict[str, dict[str, Any]] = {
    f"avant (cosinus brut + {_fr(algorithm.LEXICAL_WEIGHT)} × Jaccard des mots, liaison moyenne, seuil "
    f"{_fr(algorithm.RAW_THRESHOLD)})": {"space": False},
    f"après (espace des questions + {_fr(algorithm.CONCEPT_WEIGHT)} × Jaccard des concepts, liaison "
    f"complète, seuil {_fr(algorithm.THRESHOLD)})": {},
}


def cost(embedder: Any, n: int = algorithm.MAX_TEXTS) -> dict[str, float | int]:
    """Seconds to embed and to group ``n`` questions of the bank never embedded before (the
    dashboard's first opening; an opening after that embeds only the new questions)."""
    from corpus.loader import load_corpus

    texts = sorted({" ".join(q.text.split()) for q in load_corpus().bank})
    step = max(1, len(texts) // n)
    sample = texts[::step][:n]
    embed = algorithm.CachedEmbed(embedder)
    started = time.perf_counter()
    embed([algorithm.for_embedding(t) for t in sample])
    embedded = time.perf_counter() - started
    started = time.perf_counter()
    algorithm.cluster_questions(sample, embed)
    grouped = time.perf_counter() - started
    return {
        "questions": len(sample),
        "embed_seconds": round(embedded, 2),
        "cluster_seconds": round(grouped, 2),
    }


def run(embedder: Any, sets: dict[str, Path] | None = None) -> dict[str, Any]:
    """Both methods on each set (the held-out set's aggregates only), and the cost: the report."""
    rows = []
    for name, path in (sets or {"développement": DEV_FILE, "tenu à part": HELD_FILE}).items():
        embed = algorithm.CachedEmbed(embedder)
        for method, options in METHODS.items():
            metrics = evaluate(path, embed, **options)
            rows.append({"name": f"{name}, {method}", "set": path.name, "metrics": metrics.as_dict()})
    spent = cost(embedder)
    method = (
        f"Méthode : regroupement agglomératif à liaison complète (deux questions d'un groupe ont toujours "
        f"un score au moins égal au seuil); score d'une paire = cosinus des vecteurs "
        f"e5 (« query: », sans salutation ni formule de politesse) centrés sur la moyenne des questions de "
        f"la banque et privés de leurs {algorithm.DIRECTIONS} directions principales, + "
        f"{_fr(algorithm.CONCEPT_WEIGHT)} × Jaccard des concepts du lexique; seuil {_fr(algorithm.THRESHOLD)}; "
        "deux textes aux nombres différents jamais ensemble; représentant : le médoïde parmi les questions "
        "complètes du groupe. Modèle : "
        f"`{algorithm.model_of(embedder) or type(embedder).__name__}`."
    )
    notes = [
        "Pureté : part des questions dans le sujet majoritaire de leur groupe (1 : aucun groupe ne mêle "
        "deux sujets). Pureté inverse : part des questions dans le plus grand groupe de leur sujet. "
        "Précision / rappel par paires : paires groupées du même sujet / paires groupées, / paires du "
        "même sujet. Rand ajusté : accord des deux partitions corrigé du hasard.",
        "",
        f"Jeu de développement : `evals/{DEV_FILE.name}` (réglage; ses groupes mêlés se lisent avec "
        "`--set dev --details`). Jeu tenu à part : "
        f"`evals/{HELD_FILE.name}`, écrit sans voir le code du regroupement, jamais utilisé pour régler : "
        "seuls ses agrégats sont lus.",
        "",
        f"Coût : {spent['questions']} questions de la banque jamais vues, {spent['embed_seconds']} s "
        f"d'embedding, puis {spent['cluster_seconds']} s de regroupement (les vecteurs gardés, une "
        "nouvelle ouverture du tableau de bord n'embarque que les nouvelles questions).",
        "",
        "Historique : le réglage d'abord choisi sur les 187 premières questions de développement (liaison "
        "moyenne, 0,3 × Jaccard des concepts, seuil 0,5) donnait sur le jeu tenu à part une pureté de 0,942, "
        "une précision par paires de 0,576, 13 groupes mêlés et 195 groupes; le jeu de développement a "
        "alors reçu sa seconde moitié, plus difficile (sujets qui partagent leur mot clé, paraphrases), et "
        "le réglage ci-dessus a été choisi sur lui seul.",
        "",
        "Limite : sur le jeu tenu à part, presque une question par groupe (rappel par paires bas) : ses "
        "paraphrases sont plus éloignées pour e5-small que le seuil, et un seuil plus bas mêle des sujets "
        "sur le jeu de développement. La pureté passe avant : un groupe faux cache un besoin.",
        "",
        "Mesuré par `plan-assistant eval clusters`.",
    ]
    return {"method": method, "rows": rows, "cost": spent, "notes": notes}


def write_report(report: dict[str, Any], out: Path = REPORTS) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    md, js = out / "clusters.md", out / "clusters.json"
    md.write_text(clusters_markdown(report), encoding="utf-8")
    js.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return [md, js]
