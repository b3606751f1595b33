"""The EU DigComp 2.2 framework: five competence areas and their 21 competences, by code.

A course lists the codes it teaches (``Course.competences``: "1.1", "4.2"...); pages show the
short names below, translated like every other string of the portal."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Competence:
    code: str
    name: object  # lazy string

    @property
    def area(self) -> str:
        return self.code.split(".", 1)[0]


AREAS = {
    "1": _l("Information and data literacy"),
    "2": _l("Communication and collaboration"),
    "3": _l("Digital content creation"),
    "4": _l("Safety"),
    "5": _l("Problem solving"),
}

COMPETENCES = {c.code: c for c in (
    Competence("1.1", _l("Browsing, searching and filtering information")),
    Competence("1.2", _l("Evaluating information")),
    Competence("1.3", _l("Managing information")),
    Competence("2.1", _l("Interacting through digital technologies")),
    Competence("2.2", _l("Sharing through digital technologies")),
    Competence("2.3", _l("Taking part in society through digital technologies")),
    Competence("2.4", _l("Collaborating through digital technologies")),
    Competence("2.5", _l("Netiquette")),
    Competence("2.6", _l("Managing your digital identity")),
    Competence("3.1", _l("Developing digital content")),
    Competence("3.2", _l("Integrating and re-working digital content")),
    Competence("3.3", _l("Copyright and licences")),
    Competence("3.4", _l("Programming")),
    Competence("4.1", _l("Protecting devices")),
    Competence("4.2", _l("Protecting personal data and privacy")),
    Competence("4.3", _l("Protecting health and well-being")),
    Competence("4.4", _l("Protecting the environment")),
    Competence("5.1", _l("Solving technical problems")),
    Competence("5.2", _l("Identifying needs and technological responses")),
    Competence("5.3", _l("Creatively using digital technologies")),
    Competence("5.4", _l("Identifying digital competence gaps")),
)}


def named(codes) -> list[Competence]:
    """The known competences among ``codes``, in the framework's order."""
    return [COMPETENCES[c] for c in COMPETENCES if c in set(codes or ())]
