"""The legal glossary and the polite-plural register: `check` enforces them on the catalog and
the data, and the corrected wording reaches the documents."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cnops_legaldocs import assets, catalogs, glossary
from cnops_legaldocs.assets import default_data
from cnops_legaldocs.cli import main
from cnops_legaldocs.errors import TranslationError
from pdfread import logical_words


def _clear_caches() -> None:
    catalogs.catalog.cache_clear()
    catalogs.translations.cache_clear()
    glossary.load.cache_clear()


@pytest.fixture
def plant(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str, str], None]]:
    """plant(old, new): a copy of the catalogs whose Arabic has `old` replaced by `new`."""
    copy = tmp_path / "translations"
    shutil.copytree(assets.translations_dir(), copy)
    po = copy / "ar" / "LC_MESSAGES" / "messages.po"

    def replace(old: str, new: str) -> None:
        text = po.read_text(encoding="utf-8")
        assert text.count(old) == 1, old
        po.write_text(text.replace(old, new), encoding="utf-8")
        monkeypatch.setattr(assets, "translations_dir", lambda: copy)
        _clear_caches()

    yield replace
    _clear_caches()


def test_the_glossary_has_sourced_terms_of_the_law_and_the_cndp():
    terms = glossary.load()
    assert all(t.french and t.arabic and t.source for t in terms)
    assert sum(1 for t in terms if "09-08" in t.source or "CNDP" in t.source) >= 30
    names = {t.name for t in terms}
    assert {"sous-traitant", "consentement", "prospection", "destinataire", "CNDP"} <= names


def test_catalogs_and_data_follow_the_glossary_and_the_register(data):
    assert [str(p) for p in glossary.problems(data)] == []


def test_check_passes_on_the_shipped_catalogs(capsys):
    assert main(["check"]) == 0


@pytest.mark.parametrize(
    ("old", "new", "msgid", "says"),
    [
        # a forbidden variant (item 1: procurement vocabulary for the law's sous-traitant)
        (
            "بعض المعطيات إلى هيئات الافتحاص، الداخلية والخارجية، وإلى المعالجين من الباطن",
            "بعض المعطيات إلى هيئات الافتحاص، الداخلية والخارجية، وإلى المناولين",
            "En cas de besoin",
            "«المناولين» is a forbidden",
        ),
        # a glossary term translated without its required Arabic (item 2: الرضى)
        ("الرضى المسبق للأشخاص", "الإذن المسبق للأشخاص", "La %(body)s ne pourra", "«consentement»"),
        # the CNDP's acronym dropped from the poster's complaint line (item 3)
        ("الشخصي (CNDP).", "الشخصي.", "En cas de refus ou sans réponse", "«(CNDP)»"),
        # a form addressing the reader in the singular (item 7)
        ("يمكنكم تغيير اختياركم", "يمكنك تغيير اختيارك", "Vous pouvez changer", "«يمكنك»"),
    ],
)
def test_check_fails_naming_the_msgid_and_the_term(plant, capsys, old, new, msgid, says):
    plant(old, new)
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    found = [ln for ln in err.splitlines() if msgid in ln]
    assert found and all(ln.startswith("error: ") and "messages.po:" in ln for ln in found)
    assert any(says in ln for ln in found), found


def test_check_fails_on_a_data_translation_off_the_glossary(tmp_path, capsys):
    source = default_data().read_text(encoding="utf-8")
    official = "ar: اللجنة الوطنية لمراقبة حماية المعطيات ذات الطابع الشخصي"
    assert source.count(official) == 1
    bad = tmp_path / "notice.yaml"
    bad.write_text(source.replace(official, "ar: اللجنة الوطنية لحماية المعطيات"), "utf-8")
    assert main(["check", "--data", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}: authority.name.ar: «اللجنة الوطنية لحماية المعطيات» is a forbidden" in err


def test_a_longer_term_hides_the_shorter_ones_it_contains():
    terms = glossary.load()
    found = glossary.terms_in("La liquidation et le paiement des factures en tiers payant", terms)
    assert [t.name for t in found] == ["tiers payant"]
    found = glossary.terms_in("Le responsable des traitements est la CNOPS.", terms)
    assert [t.name for t in found] == ["responsable du traitement"]


def test_french_matching_ignores_case_apostrophes_markup_and_plurals():
    terms = glossary.load()
    text = "<strong>Droits d'accès</strong> et Mutuelles, motifs  légitimes"
    names = {t.name for t in glossary.terms_in(text, terms)}
    assert {"droit d’accès", "mutuelles"} <= names
    assert "motif légitime" in names


def test_an_exempt_msgid_may_keep_another_rendering():
    terms = glossary.load()
    arabic = "الموافقة على الاستقراء المباشر أو التعرض عليه"
    title = "Consentement ou opposition à la prospection directe"
    assert list(glossary.check_translation(title, arabic, terms)) == []
    other = list(glossary.check_translation("Consentement à la prospection directe", arabic, terms))
    assert len(other) == 1 and "«consentement» without" in other[0]


def test_vowel_marks_do_not_hide_a_forbidden_variant():
    terms = glossary.load()
    found = list(glossary.check_translation("Vos données", "مُعْطَيَاتُكَ وَالبَيَانَاتُ", terms))
    assert any("«بيانات» is a forbidden" in p for p in found)
    assert any("«معطياتك» addresses the reader in the singular" in p for p in found)
    found = list(glossary.check_translation("x", "ويمكنك أن تختار؛ حرر\u200d في", terms))
    assert any("«ويمكنك» addresses the reader in the singular" in p for p in found)


def test_a_malformed_glossary_line_is_named(tmp_path):
    bad = tmp_path / "glossary.tsv"
    bad.write_text("\t".join(glossary.COLUMNS) + "\nconsentement\t\t\t\t\n", encoding="utf-8")
    with pytest.raises(TranslationError, match=rf"{bad}:2: french, arabic and source"):
        glossary.load(bad)


# ---------------------------------------------------------------------------------------------
# The corrected wording in the documents themselves


def test_the_arabic_poster_names_the_cndp_in_its_complaint_line(rendered):
    words = logical_words(rendered("poster", "ar"))
    assert "CNDP" in words  # only in the complaint line (pdfminer mirrors its brackets)


def test_the_consent_form_sends_the_signed_form_to_a_desk_and_cites_the_law_rightly(rendered):
    words = logical_words(rendered("marketing-consent", "fr"))
    assert "canaux généraux" not in words  # a signed paper form cannot go through a call centre
    assert "à l’accueil d’une agence" in words
    assert "télécopieur, courrier électronique ou tout moyen de même nature (article 10)" in words


def test_a_verb_of_the_counter_page_in_the_singular_is_flagged():
    """The agency page once said «تُدخله» (what *you*, one reader, type): polite plural now."""
    terms = glossary.load()
    said = "Rien de ce que vous saisissez n’est conservé."
    found = list(glossary.check_translation(said, "لا يُحتفظ بأي معطى تُدخله.", terms))
    assert any("«تدخله» addresses the reader in the singular" in p for p in found)
    assert list(glossary.check_translation(said, "لا يُحتفظ بأي معطى تُدخلونه.", terms)) == []
