"""Production runs: names, CSV input, resume, bad rows, --merge, executors, progress, Ctrl-C.

The engine's tests run the CSV path with a stand-in row renderer (`tiny_forms`, blank pages
whose width encodes the row), fast, through the real engine and the real row validation; the
branch notices run the real renderer end to end through the command line, and the forms do in
test_batch_forms.py.
"""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
import tracemalloc
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pikepdf
import pytest

from cnops_legaldocs import DataError, batch, cli
from cnops_legaldocs.batch import Job, person_file, person_jobs, render_many
from cnops_legaldocs.csvrows import BadRow, CsvFile
from cnops_legaldocs.merge import merge_pdfs
from cnops_legaldocs.naming import MAX_BYTES, NamePattern, safe_name
from cnops_legaldocs.output import WriteError, write_atomic
from cnops_legaldocs.progress import Progress
from pdfread import lines, pages

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "branches.yaml"
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}

HEADER = "nom,prenom,cin,immatriculation,adresse,telephone,email"
PEOPLE = [
    "El Idrissi,Amina,AB123456,100200300,12 rue Fès,0612345678,amina@example.ma",
    "Benali,Youssef,C987654,100200301,,,",
    "Alaoui,Karima,,100200302,,,",  # no CIN: refused while reading
    "Tazi,Omar,D456789,100200303,,,bad",  # refused while reading (column email)
    "Berrada,Salma,E112233,100200304,,,",
]
PERSONAL = {v for row in PEOPLE for v in row.split(",") if len(v) > 2}


def tiny_forms(data, kind, lang, fmt):
    """A stand-in row renderer: odd rows give 1 page, even rows 3; page width = 400 + row."""

    def render(job: Job) -> bytes:
        pdf = pikepdf.new()
        for _ in range(1 if job.number % 2 else 3):
            pdf.add_blank_page(page_size=(400 + job.number, 800))
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()

    return render


def write_csv(path: Path, rows: list[str], *, header: str = HEADER, encoding="utf-8") -> Path:
    path.write_bytes(("\n".join([header, *rows]) + "\n").encode(encoding))
    return path


def widths(pdf: Path) -> list[int]:
    with pikepdf.open(pdf) as doc:
        return [int(page.mediabox[2]) for page in doc.pages]


def run_cli(*args: str, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cnops_legaldocs.cli", *args],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=300,
        **kwargs,
    )


def branches_file(path: Path, count: int, *, bad: int | None = None) -> Path:
    """`count` agencies copied from the example; agency number `bad` has a name no font of
    the documents can print."""
    source = EXAMPLE.read_text(encoding="utf-8")
    head, first = source.split("\n  - id: rabat\n", 1)
    first = "  - id: rabat\n" + first.split("\n\n  - id:", 1)[0] + "\n"
    items = [first.replace("id: rabat", f"id: agency-{n}") for n in range(1, count + 1)]
    if bad is not None:
        items[bad - 1] = items[bad - 1].replace("de Rabat", "de Rabat 東")
        items[bad - 1] = items[bad - 1].replace("بالرباط", "بالرباط 東")
    path.write_text(head + "\n" + "".join(items), encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------
# Names


class TestNames:
    def test_default_pattern_row_number_and_keyed_reference(self):
        """The default names hold the row number and a keyed digest, never a value (#17)."""
        fields = [*batch.PERSON_KEYS, batch.REF]
        pattern = NamePattern(batch.PERSON_PATTERN, fields)
        ref = batch.person_ref({"immatriculation": "100200300"}, b"k" * 32)
        assert len(ref) == 12 and ref != batch.person_ref({"immatriculation": "7"}, b"k" * 32)
        assert ref != batch.person_ref({"immatriculation": "100200300"}, b"j" * 32)
        assert pattern.name(1, {"immatriculation": "100200300", "ref": ref}) == f"0001-{ref}"
        wide = NamePattern("{row}-{immatriculation}", fields, width=5)
        assert wide.name(12, {"immatriculation": "7"}) == "00012-7"

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("../../etc/passwd", "etc_passwd"),
            ("a/b\\c", "a_b_c"),
            ("a..b", "a.b"),
            ("..", ""),
            ("CON", "_CON"),
            ("nul.pdf", "_nul.pdf"),
            ("com1", "_com1"),
            ("LPT9", "_LPT9"),
            (".hidden", "hidden"),
            ("-rf", "rf"),
            ("trailing. ", "trailing"),
            ('a<b>c:d"e|f?g*h', "a_b_c_d_e_f_g_h"),
            ("El Idrissi", "El_Idrissi"),
            ("x\u202egnp.exe", "xgnp.exe"),  # a right-to-left override cannot fake an extension
            ("tab\there\nnewline", "tabherenewline"),
            ("مُحَمَّد العلوي", "مُحَمَّد_العلوي"),  # Arabic letters and vowel marks kept
        ],
    )
    def test_names_are_safe_on_every_file_system(self, text, expected):
        assert safe_name(text) == expected

    def test_names_are_bounded_in_bytes(self):
        name = safe_name("ع" * 500)
        assert len(name.encode()) <= MAX_BYTES
        assert name == "ع" * (MAX_BYTES // 2)

    def test_an_empty_name_falls_back_to_the_row_number(self):
        pattern = NamePattern("{nom}", ["nom"])
        assert pattern.name(7, {"nom": "../"}) == "0007"

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("{row}-{matricule}", "unknown field {matricule}"),
            ("{row:>8}", "unknown field {row:>8}"),
            ("{nom.__class__}", "unknown field"),
            ("{row", "malformed pattern"),
            ("fixed", "uses no field"),
        ],
    )
    def test_bad_patterns_are_refused(self, text, message):
        with pytest.raises(DataError, match=message) as info:
            NamePattern(text, batch.PERSON_KEYS)
        assert info.value.field == "--name"

    def test_collisions_fail_the_later_rows_even_across_case(self, tmp_path):
        rows = [
            "A,B,AB1,XY-1,,,",
            "C,D,AB2,xy-1,,,",  # same file as row 1 on Windows and macOS
            "E,F,AB3,XY-2,,,",
        ]
        csv_file = person_file(write_csv(tmp_path / "p.csv", rows))
        jobs = person_jobs(csv_file, "form", "fr", pattern="{immatriculation}")
        summary = render_many(jobs, tmp_path / "out", prepare=tiny_forms, workers=1)
        assert [(f.number, f.column) for f in summary.failures] == [(2, None)]
        assert "row 1's too" in summary.failures[0].reason
        assert sorted(p.name for p in (tmp_path / "out").glob("*.pdf")) == ["XY-1.pdf", "XY-2.pdf"]


# --------------------------------------------------------------------------------------------
# CSV input


class TestCsv:
    def test_utf8_with_and_without_bom_read_the_same(self, tmp_path):
        plain = write_csv(tmp_path / "plain.csv", PEOPLE[:2])
        bom = tmp_path / "bom.csv"
        bom.write_bytes(b"\xef\xbb\xbf" + plain.read_bytes())
        read = [list(person_file(p)) for p in (plain, bom)]
        assert read[0] == read[1]
        assert read[0][0].values["nom"] == "El Idrissi"
        assert read[0][0].values["adresse"] == "12 rue Fès"

    def test_latin1_is_refused_with_file_line_and_byte(self, tmp_path):
        path = write_csv(tmp_path / "latin1.csv", PEOPLE[:2], encoding="latin-1")
        with pytest.raises(DataError) as info:
            person_file(path)
        err = info.value
        assert (err.file, err.line) == (str(path), 2)
        offset = path.read_bytes().index(b"\xe8")  # the è of Fès
        assert f"byte {offset} " in err.message
        assert "UTF-8" in err.message
        assert "Fès" not in str(err) and "rue F" not in str(err)

    def test_utf16_is_refused(self, tmp_path):
        path = tmp_path / "u16.csv"
        path.write_bytes(("\n".join([HEADER, PEOPLE[1]])).encode("utf-16"))
        with pytest.raises(DataError, match="UTF-16"):
            person_file(path)

    def test_missing_required_columns_are_named_without_echoing_the_line(self, tmp_path):
        path = write_csv(tmp_path / "p.csv", [], header="nom,prenom,telephone")
        with pytest.raises(DataError) as info:
            person_file(path)
        assert "missing required columns: cin, immatriculation" in info.value.message
        # A file without a header: its first row is a person's; nothing of it is repeated.
        path = write_csv(tmp_path / "nohead.csv", PEOPLE[1:2], header=PEOPLE[0])
        with pytest.raises(DataError) as info:
            person_file(path)
        assert not any(value in str(info.value) for value in PERSONAL)

    def test_unknown_and_duplicate_columns(self, tmp_path):
        path = write_csv(tmp_path / "p.csv", [], header=HEADER + ",telephon,remarque")
        with pytest.raises(DataError, match="unknown columns 8, 9 of the header") as info:
            person_file(path)
        assert "telephon," not in str(info.value) and "remarque" not in str(info.value)
        path = write_csv(tmp_path / "d.csv", [], header=HEADER + ",Nom")
        with pytest.raises(DataError, match="'nom' is given twice"):
            person_file(path)

    def test_header_ignores_case_accents_and_spaces(self, tmp_path):
        header = "NOM; Prénom ;CIN;Immatriculation"
        path = write_csv(tmp_path / "p.csv", ["Benali;Youssef;C987654;100200301"], header=header)
        csv_file = person_file(path)
        assert csv_file.delimiter == ";"
        (row,) = list(csv_file)
        assert row.values == {
            "nom": "Benali",
            "prenom": "Youssef",
            "cin": "C987654",
            "immatriculation": "100200301",
        }

    def test_empty_rows_are_skipped_numbers_and_lines_kept(self, tmp_path):
        rows = [PEOPLE[0], ",,,,,,", '"Multi\nline",X,AB1,42,,,', "", PEOPLE[1]]
        csv_file = person_file(write_csv(tmp_path / "p.csv", rows))
        assert (csv_file.rows, csv_file.empty) == (3, 2)
        read = list(csv_file)
        assert [(r.number, r.line) for r in read] == [(1, 2), (3, 4), (5, 7)]
        assert read[1].values["nom"] == "Multi\nline"

    def test_a_row_with_too_many_fields_is_a_bad_row(self, tmp_path):
        rows = [PEOPLE[1], "Alami,Rachid,F1,2,3 rue X, Rabat,,,"]
        (good, bad) = list(person_file(write_csv(tmp_path / "p.csv", rows)))
        assert good.number == 1
        assert isinstance(bad, BadRow)
        assert (bad.number, bad.line) == (2, 3)
        assert "needs quotes" in bad.reason
        assert "Rachid" not in bad.reason

    def test_a_missing_file(self, tmp_path):
        with pytest.raises(DataError, match="file not found"):
            CsvFile(tmp_path / "none.csv", required=["nom"])

    def test_reading_is_streamed(self, tmp_path):
        """Memory of reading and planning stays flat: 40 times the rows, not 40 times the peak."""

        def peak(count: int) -> int:
            path = write_csv(tmp_path / f"{count}.csv", [PEOPLE[1]] * count)
            tracemalloc.start()
            for job in person_jobs(person_file(path), "form", "fr"):
                assert isinstance(job, Job)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            return peak

        assert peak(20_000) < 2 * peak(500)


# --------------------------------------------------------------------------------------------
# The engine


@pytest.fixture
def people(tmp_path) -> Path:
    return write_csv(tmp_path / "people.csv", PEOPLE)


def run_people(people: Path, out: Path, **kwargs) -> tuple[batch.Summary, str]:
    stream = io.StringIO()
    csv_file = person_file(people)
    report = Progress(csv_file.rows, stream=stream, tty=False)
    summary = render_many(
        person_jobs(csv_file, "form", "ar", pattern="{row}-{immatriculation}"),
        out,
        prepare=tiny_forms,
        progress=report,
        total=csv_file.rows,
        **kwargs,
    )
    return summary, stream.getvalue()


class TestEngine:
    def test_a_bad_row_among_good_ones(self, people, tmp_path):
        out = tmp_path / "out"
        summary, shown = run_people(people, out, workers=2)
        assert (summary.rendered, summary.skipped, summary.failed) == (3, 0, 2)
        assert [str(f) for f in summary.failures] == [
            "row 3 (line 4): column cin: required, but empty",
            "row 4 (line 5): column email: not an e-mail address (expected name@domain.ma)",
        ]
        files = sorted(p.name for p in out.glob("*.pdf"))
        assert files == ["0001-100200300.pdf", "0002-100200301.pdf", "0005-100200304.pdf"]
        for path in out.glob("*.pdf"):
            assert pages(path.read_bytes()) in (1, 3)  # whole files
            assert path.stat().st_mode & 0o777 == 0o600  # personal data: owner only
        assert "failed: row 3 (line 4): column cin: required, but empty" in shown
        assert not summary.ok

    def test_progress_and_errors_never_show_personal_values(self, people, tmp_path):
        summary, shown = run_people(people, tmp_path / "out", workers=1)
        assert "progress: 5/5 rows (100%)" in shown
        assert "2 failed" in shown
        assert not [value for value in PERSONAL if value in shown + str(summary)]

    def test_rerun_renders_only_what_is_missing_or_changed(self, people, tmp_path):
        out = tmp_path / "out"
        run_people(people, out, workers=2)
        summary, _ = run_people(people, out, workers=2)
        assert (summary.rendered, summary.skipped, summary.failed) == (0, 3, 2)
        # Fix the two bad rows, change one good row, delete another's file.
        text = people.read_text(encoding="utf-8")
        text = text.replace(",,100200302", ",G1,100200302").replace(",bad", ",o@example.ma")
        people.write_text(text.replace("Benali,Youssef", "Benali,Youness"), encoding="utf-8")
        (out / "0005-100200304.pdf").unlink()
        summary, _ = run_people(people, out, workers=2)
        assert (summary.rendered, summary.skipped, summary.failed) == (4, 1, 0)
        assert len(list(out.glob("*.pdf"))) == 5

    def test_a_killed_runs_temporary_files_are_removed(self, people, tmp_path):
        out = tmp_path / "out"
        out.mkdir()
        (out / ".0001-100200300.pdf.a1b2c3d4.part").write_bytes(b"%PDF-1.7 half")
        run_people(people, out, workers=1)
        assert not list(out.rglob("*.part"))

    def test_merge_is_one_pdf_in_row_order_padded_for_duplex(self, tmp_path):
        rows = [r for r in PEOPLE if ",," not in r[:30] and ",bad" not in r]  # rows 1, 2, 3
        out = tmp_path / "out"
        summary, _ = run_people(write_csv(tmp_path / "p.csv", rows), out, merge="all.pdf")
        assert summary.ok and summary.merged == out / "all.pdf"
        # Row 1: 1 page; row 2: 3 pages + 1 blank; row 3: 1 page.
        assert widths(out / "all.pdf") == [401, 402, 402, 402, 402, 403]
        assert summary.pages == 6
        assert (out / "all.pdf").stat().st_mode & 0o777 == 0o600
        assert [p.name for p in out.iterdir() if not p.name.startswith(".")] == ["all.pdf"]
        assert not (out / ".cnops-batch" / "parts").exists()

    def test_merge_waits_for_every_row(self, people, tmp_path):
        out = tmp_path / "out"
        summary, _ = run_people(people, out, merge="all.pdf")
        assert summary.merged is None and not (out / "all.pdf").exists()
        assert "fix the failed rows" in str(summary)
        text = people.read_text(encoding="utf-8")
        people.write_text(
            text.replace(",,100200302", ",G1,100200302").replace(",bad", ","), encoding="utf-8"
        )
        summary, _ = run_people(people, out, merge="all.pdf")
        assert (summary.rendered, summary.skipped) == (2, 3)  # the earlier parts were kept
        assert widths(out / "all.pdf") == [401, 402, 402, 402, 402, 403, 404, 404, 404, 404, 405]

    def test_a_given_process_pool_is_used_and_left_open(self, people, tmp_path):
        with ProcessPoolExecutor(2) as pool:
            summary, _ = run_people(people, tmp_path / "out", executor=pool, workers=2)
            assert summary.rendered == 3
            assert pool.submit(int, "7").result() == 7  # still the caller's

    def test_unsafe_names_from_the_api_are_refused(self, tmp_path):
        jobs = [Job(1, "../escape", "form", "fr", person={"nom": "x"})]
        summary = render_many(jobs, tmp_path / "out", prepare=tiny_forms, workers=1)
        assert "not safe" in summary.failures[0].reason
        assert not (tmp_path / "escape.pdf").exists()

    def test_files_are_written_while_the_next_row_renders_results_in_row_order(
        self, tmp_path, monkeypatch
    ):
        """A worker writes a row's file in a thread while it renders the next one; a failed
        render or write is still reported for its own row, without the file name."""

        def flaky(data, kind, lang, fmt):
            render = tiny_forms(data, kind, lang, fmt)

            def one(job: Job) -> bytes:
                if job.number == 2:
                    raise DataError("cannot be printed", field="nom")
                return render(job)

            return one

        def write(path, content, *, private=False):
            if path.name.startswith("0003"):
                raise WriteError(path, "the disk is full")
            return write_atomic(path, content, private=private)

        monkeypatch.setattr(batch, "write_atomic", write)
        jobs = [Job(n, f"000{n}-x", "form", "fr", person={"nom": "x"}) for n in range(1, 6)]
        spec = batch._Spec(None, "key", str(tmp_path), flaky, {})
        results = batch._render_chunk(spec, jobs)
        assert [str(r) if r else None for r in results] == [
            None,
            "row 2: column nom: cannot be printed",
            "row 3: its file cannot be written: the disk is full",
            None,
            None,
        ]
        assert sorted(p.name for p in tmp_path.glob("*.pdf")) == [
            "0001-x.pdf",
            "0004-x.pdf",
            "0005-x.pdf",
        ]

    def test_one_batch_per_directory_at_a_time(self, tmp_path):
        from cnops_legaldocs.errors import RenderError
        from cnops_legaldocs.resume import Manifest

        with Manifest(tmp_path), pytest.raises(RenderError, match="another batch"):
            Manifest(tmp_path)


class TestMergeFile:
    def test_pages_in_order_shared_objects_once_annotations_per_page(self, tmp_path):
        """300 parts (more than a page-tree node holds) whose font and content are the same and
        whose link annotation, the same too, points back to its page."""
        parts = []
        for n in range(300):
            pdf = pikepdf.new()
            pdf.add_blank_page(page_size=(100 + n, 200))
            page = pdf.pages[0].obj
            font = pikepdf.Dictionary(
                Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
            )
            page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=pdf.make_indirect(font)))
            page.Contents = pdf.make_stream(b"BT /F1 9 Tf 10 10 Td (same (text)) Tj ET")
            link = pikepdf.Dictionary(
                Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 9, 9], P=page
            )
            page.Annots = pikepdf.Array([pdf.make_indirect(link)])
            parts.append(tmp_path / f"{n:03}.pdf")
            pdf.save(parts[-1])
        out = tmp_path / "all.pdf"
        assert merge_pdfs(parts, out) == 300
        with pikepdf.open(out) as pdf:
            assert pdf.check_pdf_syntax() == []
            assert widths(out) == [100 + n for n in range(300)]
            assert len({p.Resources.Font.F1.objgen for p in pdf.pages}) == 1
            assert len({p.Contents.objgen for p in pdf.pages}) == 1
            assert pdf.pages[299].Contents.read_bytes().endswith(b"(same (text)) Tj ET")
            annots = [p.Annots[0] for p in pdf.pages]
            assert len({a.objgen for a in annots}) == 300
            assert all(a.P.objgen == p.objgen for a, p in zip(annots, pdf.pages, strict=True))


class TestProgress:
    def test_plain_lines_at_each_tenth(self):
        stream = io.StringIO()
        report = Progress(20, stream=stream, tty=False)
        for _ in range(20):
            report.update(rendered=1)
        shown = stream.getvalue().splitlines()
        assert len(shown) == 11  # 0/10 … 10/10, one line each
        assert shown[-1].startswith("progress: 20/20 rows (100%), ")

    def test_a_bar_on_a_terminal(self):
        stream = io.StringIO()
        report = Progress(4, stream=stream, tty=True)
        report.update(rendered=4)
        report.failure("failed: row 9: column cin: required, but empty")
        report.close()
        shown = stream.getvalue()
        assert "\r[########" in shown and "4/4 rows (100%)" in shown
        assert "failed: row 9" in shown

    def test_quiet_shows_only_failures(self):
        stream = io.StringIO()
        report = Progress(4, stream=stream, quiet=True)
        report.update(rendered=3)
        report.failure("failed: row 4: x")
        assert stream.getvalue() == "failed: row 4: x\n"


# --------------------------------------------------------------------------------------------
# The command line


class TestCommandLine:
    def test_branch_notices_named_by_id(self, tmp_path):
        out = tmp_path / "out"
        result = run_cli(
            "batch", "notice", "--branches", str(EXAMPLE), "--lang", "fr", "-o", str(out)
        )
        assert result.returncode == 0, result.stderr
        ids = ["agadir", "casablanca", "fes", "marrakech", "oujda", "rabat", "tanger"]
        assert sorted(p.name for p in out.glob("*.pdf")) == [f"{i}.pdf" for i in ids]
        text = [line.visual for line in lines((out / "fes.pdf").read_bytes()) if line.page == 1]
        assert "Délégation régionale de Fès" in text
        assert (out / "fes.pdf").stat().st_mode & 0o777 == 0o644  # no personal data
        assert "7 rows: 7 rendered, 0 already complete, 0 failed" in result.stdout

    def test_an_unprintable_branch_stops_the_run_before_any_file(self, tmp_path):
        """A branches file is data: it is checked whole when read (fonts included), so a bad
        agency is reported with its line and field and nothing is rendered."""
        out = tmp_path / "out"
        agencies = branches_file(tmp_path / "b.yaml", 3, bad=2)
        result = run_cli(
            "batch", "notice", "--branches", str(agencies), "--lang", "ar", "--jobs", "2",
            "--name", "{row}-{id}", "-o", str(out),
        )  # fmt: skip
        assert result.returncode == 2
        text = agencies.read_text(encoding="utf-8")
        line = text.count("\n", 0, text.index("de Rabat 東")) + 1
        assert f"{agencies}:{line}: branches[1].name.fr: the document fonts cannot print" in (
            result.stderr
        )
        assert "Traceback" not in result.stderr
        assert not list(out.glob("*.pdf"))

    def test_merge_page_count(self, tmp_path):
        out = tmp_path / "out"
        agencies = branches_file(tmp_path / "b.yaml", 2)
        result = run_cli(
            "batch", "notice", "--branches", str(agencies), "--lang", "fr", "--merge",
            "--quiet", "-o", str(out),
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert (result.stdout, result.stderr) == ("", "")
        merged = (out / "notice-fr.pdf").read_bytes()
        assert pages(merged) == 8  # two notices of 3 pages, each padded to 4
        starts = [line.page for line in lines(merged) if line.visual == "Votre agence"]
        assert starts == [1, 5]

    def test_refusals(self, tmp_path):
        result = run_cli("batch", "notice", "--lang", "fr", "-o", str(tmp_path / "o"))
        assert result.returncode == 2 and "give --branches FILE" in result.stderr
        result = run_cli(
            "batch", "notice", "--branches", str(EXAMPLE), "--lang", "fr",
            "--name", "{nom}", "-o", str(tmp_path / "o"),
        )  # fmt: skip
        assert result.returncode == 2 and "--name: unknown field {nom}" in result.stderr
        assert not (tmp_path / "o").exists()

    def test_forms_from_csv(self, people, tmp_path, monkeypatch, capsys):
        """The forms' path as it will run: a kind rendered per CSV row, its row renderer
        registered in the calling process only (it reaches the workers by reference)."""
        monkeypatch.setattr(batch, "PERSON_KINDS", ("form",))
        monkeypatch.setitem(batch.ROW_RENDERERS, "form", tiny_forms)
        with people.open("a", encoding="utf-8") as fh:
            fh.write(",,,,,,\n")
        out = tmp_path / "out"
        args = ["batch", "form", "--data", str(people), "--lang", "ar", "-o", str(out)]
        args += ["--name", "{row}-{immatriculation}"]
        assert cli.main(args) == 2
        shown, errors = capsys.readouterr()
        assert "5 rows: 3 rendered, 0 already complete, 2 failed, 1 empty skipped" in shown
        assert "failed: row 4 (line 5): column email: not an e-mail address" in errors
        assert not [value for value in PERSONAL if value in shown + errors]
        assert len(list(out.glob("0*-1002003*.pdf"))) == 3


def _sigint_as_in_a_terminal() -> None:
    """SIGINT back to its default in the child: a shell without job control starts its
    background jobs (a CI run, say) ignoring SIGINT, which the command would inherit."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_leaves_no_partial_file_and_a_rerun_completes(tmp_path):
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it) mid-run."""
    out = tmp_path / "out"
    agencies = branches_file(tmp_path / "b.yaml", 8)
    args = ["batch", "notice", "--branches", str(agencies), "--lang", "ar", "--jobs", "1"]
    args += ["-o", str(out)]
    process = subprocess.Popen(
        [sys.executable, "-m", "cnops_legaldocs.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
        start_new_session=True,
        preexec_fn=_sigint_as_in_a_terminal,
    )
    try:
        deadline = time.monotonic() + 120
        while not list(out.glob("*.pdf")) and time.monotonic() < deadline:
            time.sleep(0.02)
        os.killpg(process.pid, signal.SIGINT)
        stderr = process.communicate(timeout=120)[1]
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130, stderr
    assert "interrupted: no partial file was left" in stderr
    assert "Traceback" not in stderr
    assert not [p for p in out.rglob("*") if p.name.endswith(".part")]
    done = sorted(out.glob("*.pdf"))
    assert 0 < len(done) < 8, "the run was not interrupted mid-way"
    for path in done:
        assert pages(path.read_bytes()) >= 4  # every file left is whole

    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    counts = re.search(r"8 rows: (\d+) rendered, (\d+) already complete, 0 failed", result.stdout)
    assert counts, result.stdout
    rendered, complete = int(counts[1]), int(counts[2])
    # A row whose file landed as the interrupt arrived may not be recorded yet: it is rendered
    # again (never trusted unrecorded); every recorded one is skipped.
    assert rendered + complete == 8
    assert len(done) - 1 <= complete <= len(done)
    assert len(list(out.glob("*.pdf"))) == 8


def test_dask_local_cluster_runs_the_batch_unchanged(tmp_path):
    """examples/dask_batch.py: render_many on client.get_executor() of a LocalCluster with two
    worker processes (bounded: the whole run is killed after 300 s)."""
    pytest.importorskip("distributed")
    out = tmp_path / "out"
    agencies = branches_file(tmp_path / "b.yaml", 3)
    example = ROOT / "examples" / "dask_batch.py"
    result = subprocess.run(
        [sys.executable, str(example), "--branches", str(agencies), "--lang", "fr", "-o", str(out)],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "3 rows: 3 rendered, 0 already complete, 0 failed" in result.stdout
    for n in (1, 2, 3):
        pdf = (out / f"agency-{n}.pdf").read_bytes()
        assert "Délégation régionale de Rabat" in [line.visual for line in lines(pdf)]
