"""What changed between two editions of the data: for the legal team's review and its CI.

`changes(old, new)` lists, in a stable order, the operations added and removed (an operation
whose reference changed but whose wording did not is one change of reference, and of regime
when the letter changed), the operations changed (wording, contact, its e-mail and address),
the issuing body, the supervisory authority, the general channels, the edition itself
(version, effective date, title, address) and the notice's sections (added, removed, worded
differently). `describe` words each change in French or Arabic, from the catalogs.

`unversioned(old, new)` is what `check --previous` and `diff` warn about: the content changed,
yet the version and the effective date are those of the old edition (so the two editions could
not be told apart once printed).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from . import bidi, catalogs
from .model import LegalData, Operation, Regime


def _(message: str) -> str:
    """Marks a message for extraction (translated when a change is described)."""
    return message


class Kind(enum.Enum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True)
class Change:
    """One difference: `part` (an operation's reference, or a part's label msgid), the `field`
    (a label msgid; empty for an added or removed operation or section), old and new values."""

    kind: Kind
    part: str
    field: str = ""
    old: str = ""
    new: str = ""
    operation: bool = False
    section: bool = False


# Part and field labels (msgids).
EDITION, BODY, AUTHORITY, CHANNELS = (
    _("Édition"), _("Organisme émetteur"), _("Autorité de contrôle"), _("Canaux généraux"),
)  # fmt: skip
F_VERSION, F_DATE, F_TITLE, F_URL = (
    _("version"),
    _("date d’effet"),
    _("titre"),
    _("adresse en ligne"),
)
F_ACRONYM, F_NAME_FR, F_NAME_AR = _("sigle"), _("nom en français"), _("nom en arabe")
F_SHORT_FR, F_SHORT_AR = _("nom court en français"), _("nom court en arabe")
F_WEBSITE, F_PHONE, F_APP = _("site web"), _("téléphone"), _("application")
F_CALL_CENTRE, F_PORTAL = _("centre d’appel"), _("portail")
F_REFERENCE, F_REGIME, F_WORDING = _("référence"), _("régime"), _("intitulé")
F_CONTACT, F_EMAIL, F_ADDRESS = _("contact"), _("adresse mail"), _("adresse")
F_SERVICE, F_ORDER = _("service"), _("rang dans le registre")
# The regimes' names: msgids the register's template uses too.
_REGIME = {Regime.AUTHORISATION: _("Autorisation"), Regime.DECLARATION: _("Déclaration")}


def _fields(kind_part: str, pairs: list[tuple[str, object, object]]) -> Iterator[Change]:
    for name, old, new in pairs:
        if old != new:
            yield Change(Kind.CHANGED, kind_part, name, str(old), str(new))


def changes(old: LegalData, new: LegalData) -> list[Change]:
    """Every difference between two editions, in a stable order."""
    out: list[Change] = []
    o, n = old.notice, new.notice
    out += _fields(EDITION, [(F_VERSION, o.version, n.version),
                             (F_DATE, o.effective_date, n.effective_date),
                             (F_TITLE, o.title, n.title), (F_URL, o.url, n.url)])  # fmt: skip
    ob, nb = old.body, new.body
    out += _fields(BODY, [(F_ACRONYM, ob.acronym, nb.acronym),
                          (F_NAME_FR, ob.name["fr"], nb.name["fr"]),
                          (F_NAME_AR, ob.name["ar"], nb.name["ar"]),
                          (F_SHORT_FR, ob.short["fr"], nb.short["fr"]),
                          (F_SHORT_AR, ob.short["ar"], nb.short["ar"]),
                          (F_WEBSITE, ob.website, nb.website), (F_PHONE, ob.phone, nb.phone),
                          (F_APP, ob.app, nb.app)])  # fmt: skip
    oa, na = old.authority, new.authority
    out += _fields(AUTHORITY, [(F_ACRONYM, oa.acronym, na.acronym),
                               (F_NAME_FR, oa.name["fr"], na.name["fr"]),
                               (F_NAME_AR, oa.name["ar"], na.name["ar"]),
                               (F_WEBSITE, oa.website, na.website)])  # fmt: skip
    out += _fields(CHANNELS, [(F_CALL_CENTRE, old.channels.call_centre, new.channels.call_centre),
                              (F_PORTAL, old.channels.portal, new.channels.portal)])  # fmt: skip
    out += _operations(old, new)
    out += _sections(old, new)
    return out


def _operations(old: LegalData, new: LegalData) -> Iterator[Change]:
    before = {op.reference: op for op in old.operations}
    after = {op.reference: op for op in new.operations}
    removed = [op for ref, op in before.items() if ref not in after]
    added = [op for ref, op in after.items() if ref not in before]
    # A reference changed, the wording kept: one operation, renumbered (or of another regime).
    renamed: list[tuple[Operation, Operation]] = []
    for op in list(added):
        twin = next((r for r in removed if r.title == op.title), None)
        if twin is not None:
            removed.remove(twin)
            added.remove(op)
            renamed.append((twin, op))
    for op in removed:
        yield Change(Kind.REMOVED, str(op.reference), new=op.title, operation=True)
    for op in added:
        yield Change(Kind.ADDED, str(op.reference), new=op.title, operation=True)
    pairs = [(before[ref], after[ref]) for ref in before if ref in after] + renamed
    order_old = [op.title for op in old.operations]
    order_new = [op.title for op in new.operations]
    for a, b in pairs:
        ref = str(b.reference)
        if a.reference != b.reference:
            yield Change(Kind.CHANGED, ref, F_REFERENCE, str(a.reference), ref, operation=True)
            if a.regime != b.regime:
                yield Change(Kind.CHANGED, ref, F_REGIME, _REGIME[a.regime], _REGIME[b.regime],
                             operation=True)  # fmt: skip
        if a.title != b.title:
            yield Change(Kind.CHANGED, ref, F_WORDING, a.title, b.title, operation=True)
        ca, cb = a.contact, b.contact
        if (ca and ca.id) != (cb and cb.id):
            yield Change(Kind.CHANGED, ref, F_CONTACT, _contact(ca), _contact(cb), operation=True)
        elif ca is not None and cb is not None:
            for name, x, y in ((F_SERVICE, ca.title, cb.title), (F_EMAIL, ca.email, cb.email),
                               (F_ADDRESS, ca.address, cb.address)):  # fmt: skip
                if x != y:
                    yield Change(Kind.CHANGED, ref, name, x, y, operation=True)
        if a.title in order_old and b.title in order_new:
            i, j = order_old.index(a.title) + 1, order_new.index(b.title) + 1
            if i != j and not removed and not added:
                yield Change(Kind.CHANGED, ref, F_ORDER, str(i), str(j), operation=True)


def _contact(contact: object) -> str:
    from .model import Contact

    if isinstance(contact, Contact):
        return f"{contact.title}, {contact.email}"
    return "—"


def _sections(old: LegalData, new: LegalData) -> Iterator[Change]:
    before = {s.id: s for s in old.sections}
    after = {s.id: s for s in new.sections}
    for sid in (sid for sid in before if sid not in after):
        yield Change(Kind.REMOVED, sid, section=True)
    for sid in (sid for sid in after if sid not in before):
        yield Change(Kind.ADDED, sid, section=True)
    for sid, s in after.items():
        if sid in before and before[sid] != s:
            yield Change(Kind.CHANGED, sid, section=True)


def unversioned(old: LegalData, new: LegalData) -> bool:
    """Whether the content changed but neither the version nor the effective date did."""
    same = old.notice.version == new.notice.version and (
        old.notice.effective_date == new.notice.effective_date
    )
    return same and bool(changes(old, new))


UNVERSIONED = _(
    "les données ont changé, mais ni leur version ni leur date d’effet : donnez une nouvelle "
    "version et une nouvelle date d’effet à cette édition"
)
SUMMARY_EQUAL = _("Les deux éditions sont identiques.")
SUMMARY_DIFFER = _("Différences entre les deux éditions : %(count)s")


def describe(change: Change, lang: str = "fr") -> str:
    """A change as one line in `lang` (values as written in the data; controls removed)."""
    gettext: Callable[[str], str] = catalogs.translations(lang).gettext
    clean = bidi.clean_value
    if change.section:
        message = {
            Kind.ADDED: _("Section « %(section)s » ajoutée"),
            Kind.REMOVED: _("Section « %(section)s » supprimée"),
            Kind.CHANGED: _("Section « %(section)s » : texte modifié"),
        }[change.kind]
        return gettext(message) % {"section": clean(change.part)}
    if change.operation and change.kind is not Kind.CHANGED:
        message = {
            Kind.ADDED: _("Traitement ajouté : %(reference)s, %(title)s"),
            Kind.REMOVED: _("Traitement supprimé : %(reference)s, %(title)s"),
        }[change.kind]
        return gettext(message) % {"reference": change.part, "title": clean(change.new)}
    part = (
        gettext(_("Traitement %(reference)s")) % {"reference": change.part}
        if change.operation
        else gettext(change.part)
    )
    old, new = change.old, change.new
    if change.field == F_REGIME:
        old, new = gettext(old), gettext(new)
    return gettext(_("%(part)s, %(field)s : « %(old)s » devient « %(new)s »")) % {
        "part": part,
        "field": gettext(change.field),
        "old": clean(old),
        "new": clean(new),
    }


def report(old: LegalData, new: LegalData, lang: str = "fr") -> tuple[list[str], bool]:
    """The lines `diff` prints, and whether the editions differ."""
    found = changes(old, new)
    gettext = catalogs.translations(lang).gettext
    if not found:
        return [gettext(SUMMARY_EQUAL)], False
    lines = [describe(c, lang) for c in found]
    lines.append(gettext(SUMMARY_DIFFER) % {"count": len(found)})
    return lines, True
