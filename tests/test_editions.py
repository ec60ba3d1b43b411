"""`diff` of two editions lists exactly what changed; exit 0 equal, 1 different, 2 bad input;
`check --previous` and `diff` warn when the content changed but not the version and date."""

from __future__ import annotations

from pathlib import Path

import pytest

from cnops_legaldocs import editions, model
from cnops_legaldocs.cli import main

SOURCE = (Path(__file__).parent.parent / "examples" / "cnops.yaml").read_text(encoding="utf-8")

EDITS = [
    ("dic@cnops.org.ma", "immatriculation@cnops.org.ma"),  # the contact's e-mail
    ("  - title: Vidéosurveillance\n    reference: D-VS-157/2016\n", ""),  # removed
    ("reference: D-W-361/2017", "reference: A-W-361/2017"),  # reference and regime
    ("La gestion des ressources humaines", "La gestion du personnel"),  # wording
    ("    contact: dl\n", "    contact: daj\n"),  # another contact
    ("  phone: 05 38 00 20 20", "  phone: 05 37 00 00 00"),  # the body
    ("call_centre: 05 38 00 20 20", "call_centre: 080 100 00 00"),  # the channels
    ("La mise à\n          jour est quotidienne", "La mise à\n          jour est hebdomadaire"),
]
ADDED = "  - title: Gestion des rendez-vous\n    reference: A-RV-200/2025\n    contact: daj\n"
EXPECTED = [
    "Organisme émetteur, téléphone : « 05 38 00 20 20 » devient « 05 37 00 00 00 »",
    "Canaux généraux, centre d’appel : « 05 38 00 20 20 » devient « 080 100 00 00 »",
    "Traitement supprimé : D-VS-157/2016, Vidéosurveillance",
    "Traitement ajouté : A-RV-200/2025, Gestion des rendez-vous",
    "Traitement A-GA-104/2016, adresse mail : « dic@cnops.org.ma » devient "
    "« immatriculation@cnops.org.ma »",
    "Traitement A-RH-113/2016, intitulé : « La gestion des ressources humaines » devient "
    "« La gestion du personnel »",
    "Traitement A-GF-115/2016, contact : « Chef de la division de la logistique, dl@cnops.org.ma »"
    " devient « Chef de la division des affaires juridiques, daj@cnops.org.ma »",
    "Traitement A-W-361/2017, référence : « D-W-361/2017 » devient « A-W-361/2017 »",
    "Traitement A-W-361/2017, régime : « Déclaration » devient « Autorisation »",
    "Section « information » : texte modifié",
    "Différences entre les deux éditions : 10",
]


def changed(version: str | None = None) -> str:
    text = SOURCE
    for old, new in EDITS:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    marker = "  # No contact in the source"
    text = text.replace(marker, ADDED + marker)
    if version:
        text = text.replace('version: "1.0"', f'version: "{version}"').replace(
            "effective_date: 2026-11-26", "effective_date: 2027-01-15"
        )
    return text


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for name, text in (("old", SOURCE), ("new", changed()), ("bumped", changed("1.1"))):
        out[name] = tmp_path / f"{name}.yaml"
        out[name].write_text(text, encoding="utf-8")
    return out


def test_diff_lists_exactly_the_changes():
    lines, differ = editions.report(model.loads(SOURCE), model.loads(changed()))
    assert differ
    assert sorted(lines) == sorted(EXPECTED)
    assert lines[-1] == EXPECTED[-1]


def test_diff_in_arabic():
    lines, _ = editions.report(model.loads(SOURCE), model.loads(changed()), "ar")
    assert "معالجة محذوفة: D-VS-157/2016، Vidéosurveillance" in lines
    assert lines[-1] == "الفروق بين الإصدارين: 10"
    assert any(
        line.startswith("المعالجة A-W-361/2017، النظام: «تصريح» أصبح «إذن»") for line in lines
    )


def test_cli_exit_status(files, capsys):
    assert main(["diff", str(files["old"]), str(files["old"])]) == 0
    assert "identiques" in capsys.readouterr().out
    assert main(["diff", str(files["old"]), str(files["new"])]) == 1
    assert capsys.readouterr().out.splitlines() == [
        *editions.report(model.loads(SOURCE), model.loads(changed()))[0]
    ]
    broken = files["old"].with_name("broken.yaml")
    broken.write_text(SOURCE.replace("reference: A-GA-104/2016", "reference: 104"), "utf-8")
    assert main(["diff", str(files["old"]), str(broken)]) == 2
    err = capsys.readouterr().err
    assert "broken.yaml:" in err and "reference" in err


def test_unversioned_change_is_warned(files, capsys):
    assert main(["diff", str(files["old"]), str(files["new"])]) == 1
    assert "ni leur version ni leur date d’effet" in capsys.readouterr().err
    assert main(["diff", str(files["old"]), str(files["bumped"])]) == 1
    assert "version" not in capsys.readouterr().err
    # check: an edit the catalogs know (an e-mail address), with and without a new edition
    mail = files["old"].with_name("mail.yaml")
    mail.write_text(SOURCE.replace("dic@cnops.org.ma", "dic2@cnops.org.ma"), "utf-8")
    assert main(["check", "--data", str(mail), "--previous", str(files["old"])]) == 0
    assert "ni leur version ni leur date d’effet" in capsys.readouterr().err
    mail.write_text(mail.read_text("utf-8").replace('version: "1.0"', 'version: "1.1"'), "utf-8")
    assert main(["check", "--data", str(mail), "--previous", str(files["old"])]) == 0
    assert "ni leur version" not in capsys.readouterr().err
    assert main(["check", "--previous", str(files["old"])]) == 0  # the embedded data: equal
    assert "ni leur version" not in capsys.readouterr().err


def test_only_the_version_changed_is_not_a_content_change():
    old = model.loads(SOURCE)
    new = model.loads(SOURCE.replace('version: "1.0"', 'version: "1.0.1"'))
    assert [c.field for c in editions.changes(old, new)] == [editions.F_VERSION]
    assert not editions.unversioned(old, new)
    assert not editions.unversioned(old, old)
