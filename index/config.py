"""Retrieval parameters, tuned on the question set (``plan-assistant eval retrieval``) and then
kept fixed here; each can be overridden by ``PLAN_ASSISTANT_RETRIEVAL__<NAME>``."""

from __future__ import annotations

from pydantic import BaseModel, Field


class RetrievalConfig(BaseModel):
    rrf_k: int = Field(default=20, gt=0, description="Constante k de la fusion par rangs réciproques.")
    dense_weight: float = Field(
        default=1.3, ge=0, description="Poids du classement vectoriel dans la fusion."
    )
    bm25_weight: float = Field(default=1.0, ge=0, description="Poids du classement BM25 dans la fusion.")
    core_weight: float = Field(
        default=1.0,
        ge=0,
        description="Poids BM25 des mots propres du nœud (sans son contexte), ajouté au score.",
    )
    expansion_weight: float = Field(
        default=0.3, ge=0, description="Poids des mots du plan ajoutés par le lexique (BM25)."
    )
    fuzzy_weight: float = Field(default=0.8, ge=0, description="Poids des mots corrigés (fautes de frappe).")
    dense_terms: int = Field(
        default=2, ge=0, description="Mots du plan ajoutés à la question vectorielle, par concept reconnu."
    )
    dense_max_chars: int = Field(
        default=300, gt=0, description="Au-delà, la question vectorielle ne garde que ses mots pleins."
    )
    dense_max_words: int = Field(default=40, gt=0, description="Mots pleins gardés d'une longue question.")
    phrase_boost: float = Field(
        default=0.2,
        ge=0,
        description="Bonus par paire de mots consécutifs de la question trouvée telle quelle dans le nœud.",
    )
    bank_weight: float = Field(
        default=1.5,
        ge=0,
        description="Poids, dans la fusion, du classement des actions par la banque de questions (le "
        "classifieur sur le vecteur de la question, ou sur ses mots quand elle n'est pas embarquée).",
    )
    candidates: int = Field(default=40, gt=0, description="Candidats pris de chaque méthode avant la fusion.")
    named_plan_boost: float = Field(
        default=1.5,
        ge=1,
        description="Multiplicateur du score des documents d'un plan nommé dans la question.",
    )
    chunk_size: int = Field(default=700, gt=100, description="Taille des morceaux des sections en prose.")
