"""Who publishes the plans and where citizens go for what the plans do not answer: the name, the site,
the phone line and the help lines of the deployment, read from ``organisation.yaml`` beside the plans
(deployment data; no city is named in Python). Answers say them through placeholders of the
composer's texts (``{the_city}``, ``{contact}``, ``{resources}``); :meth:`Organisation.links` gives the
channels an answer names, for the widget to link. Its ``time_zone`` is where the staff live: the
days and hours of the question log and its dashboard, unless a setting says otherwise
(:meth:`assistant.settings.AssistantSettings.log_zone`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from assistant.answer import Link

FILE_NAME = "organisation.yaml"


def zone_named(name: str) -> ZoneInfo:
    """The time zone of an IANA name (« Europe/Paris »); a ValueError in French that quotes the name
    when there is no such zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"fuseau horaire inconnu : {name!r} (attendu : un nom de la base IANA, ex. America/Toronto, "
            "Europe/Paris, UTC)"
        ) from None


class _Words(BaseModel):
    model_config = ConfigDict(extra="forbid")
    the: str
    examples: list[str] = []
    distress: str = ""
    health_safety: str = ""


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    site: str | None = None
    site_label: str | None = None
    phone: str | None = None
    time_zone: str | None = None
    fr: _Words
    en: _Words

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, v: str | None) -> str | None:
        if v is not None:
            zone_named(v)
        return v


#: What answers say when the deployment names no organisation (a corpus without organisation.yaml).
_NONE = {
    "fr": _Words(the="la municipalité", distress="Si vous êtes en danger, appelez les services d'urgence."),
    "en": _Words(the="the municipality", distress="If you are in danger, call emergency services."),
}
_CONTACT = {
    "fr": ("consultez le site de {the} ({site}) ou composez le {phone}", "adressez-vous à {the}"),
    "en": ("see {the}'s website ({site}) or call {phone}", "contact {the}"),
}


@dataclass(frozen=True)
class Organisation:
    name: str = ""
    site: str | None = None
    site_label: str | None = None
    phone: str | None = None
    #: The IANA name of the organisation's time zone (None: the file gives none).
    time_zone: str | None = None
    words: dict[str, _Words] = field(default_factory=lambda: dict(_NONE))
    #: The composer's texts with this organisation's words, filled once per language (:meth:`texts`).
    _filled: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def load(cls, corpus_dir: Path) -> Organisation:
        """``corpus_dir/organisation.yaml``; none there: an organisation without channels (answers then
        say « adressez-vous à la municipalité »). A bad file names itself and the field."""
        path = corpus_dir / FILE_NAME
        if not path.is_file():
            return cls()
        try:
            data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as e:
            raise ValueError(f"{path} : YAML illisible : {e}") from e
        try:
            f = _File.model_validate(data)
        except ValidationError as e:
            said = "; ".join(
                f"{'.'.join(map(str, x['loc'])) or 'fichier'} : {x['msg'].removeprefix('Value error, ')}"
                for x in e.errors()
            )
            raise ValueError(f"{path} : fichier de l'organisation invalide ({said})") from e
        return cls(f.name, f.site, f.site_label or f.site, f.phone, f.time_zone, {"fr": f.fr, "en": f.en})

    def contact(self, lang: str) -> str:
        """« consultez le site de la Ville (ville.quebec.qc.ca) ou composez le 311 »."""
        w = self.words[lang]
        full, bare = _CONTACT[lang]
        if self.site_label and self.phone:
            return full.format(the=w.the, site=self.site_label, phone=self.phone)
        return bare.format(the=w.the)

    def values(self, lang: str) -> dict[str, str]:
        """The placeholders of the composer's texts in ``lang``."""
        w = self.words[lang]
        return {
            "the_city": w.the,
            "contact": self.contact(lang),
            "distress": w.distress or _NONE[lang].distress,
            "resources": w.health_safety or w.distress or _NONE[lang].distress,
        }

    def texts(self, lang: str, base: dict[str, Any]) -> dict[str, Any]:
        """``base`` (the composer's texts in ``lang``) with this organisation's words, filled once."""
        if lang not in self._filled:
            self._filled[lang] = fill(base, self.values(lang))
        return self._filled[lang]

    def examples(self, lang: str) -> list[str]:
        return list(self.words[lang].examples)

    def links(self, text: str) -> list[Link]:
        """The channels ``text`` names, in the order of the deployment: its site, its phone line."""
        out = []
        if self.site and self.site_label and re.search(rf"(?<![\w.]){re.escape(self.site_label)}\b", text):
            out.append(Link(text=self.site_label, href=self.site))
        if self.phone and re.search(rf"(?<![\w-]){re.escape(self.phone)}(?![\w-])", text):
            out.append(Link(text=self.phone, href="tel:" + re.sub(r"[^\d+]", "", self.phone)))
        return out


def fill(texts: Any, values: dict[str, str]) -> Any:
    """``texts`` (the composer's strings, in nested dicts and tuples) with the organisation's
    placeholders replaced; other placeholders (« {n} », « {text} ») stay for later."""
    if isinstance(texts, str):
        for key, value in values.items():
            texts = texts.replace("{" + key + "}", value)
        return texts
    if isinstance(texts, dict):
        return {k: fill(v, values) for k, v in texts.items()}
    if isinstance(texts, tuple):
        return tuple(fill(v, values) for v in texts)
    if isinstance(texts, list):
        return [fill(v, values) for v in texts]
    return texts
