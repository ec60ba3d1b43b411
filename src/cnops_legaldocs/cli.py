"""The ``cnops-legaldocs`` command: a thin layer over the library for clerks and scripts.

Exit status: 0 success, 1 unexpected failure, 2 bad input (message says file, line, field;
for `batch`, any row that failed), 130 interrupted (Ctrl-C; no partial file is left).
A failure leaves no file behind, whole or partial; messages never repeat a value of the data,
and a traceback is shown only with ``--debug``.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import traceback
from collections.abc import Iterable, Sequence
from pathlib import Path

from . import api, batch, bidi, catalogs, clauses, editions, glossary, model, opendata
from .bilingual import file_tag
from .branches import load_branches
from .errors import DataError, LegalDocsError, RenderError, printable
from .output import check_target, write_all, write_atomic
from .person import FIELDS
from .progress import Progress

log = logging.getLogger("cnops_legaldocs")

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cnops-legaldocs",
        description="French and Arabic legal documents and forms of CNOPS (law 09-08), as PDF "
        "and DOCX.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def data_option(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--data",
            type=Path,
            metavar="FILE",
            help="notice data (default: the embedded CNOPS notice)",
        )

    def paper_option(p: argparse.ArgumentParser, help: str) -> None:
        papers = sorted({paper for offered in api.PAPERS.values() for paper in offered})
        p.add_argument("--paper", type=str.upper, choices=papers, help=help)

    def docx_fonts_option(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--docx-fonts",
            choices=("subset", "full", "none"),
            help="fonts in a DOCX: subset (default: the characters used), full (to edit the "
            "text), none (named only, for systems that have them)",
        )

    render = sub.add_parser("render", help="render one document")
    render.add_argument("kind", choices=(*api.KINDS, "clause"))
    render.add_argument("--lang", required=True, choices=api.EDITIONS)
    render.add_argument(
        "--format", dest="fmt", default=None,
        choices=tuple(dict.fromkeys((*api.FORMATS, *clauses.FORMATS))),
        help="pdf or docx (default pdf); a clause also txt, html or md (default txt)",
    )  # fmt: skip
    render.add_argument(
        "--operation", metavar="REF", help="the clause's operation: CNDP reference or id"
    )
    render.add_argument("--length", choices=clauses.LENGTHS, help="the clause's: default short")
    render.add_argument(
        "-o", "--output", required=True, type=Path, metavar="PATH",
        help="the file to write, or - for standard output (not a terminal)",
    )  # fmt: skip
    render.add_argument(
        "--pdf-variant",
        metavar="VARIANT",
        choices=(*api.PDF_VARIANTS, api.PLAIN),
        help=f"archival or accessible PDF: {', '.join(api.PDF_VARIANTS)}, or {api.PLAIN} "
        f"(default: {api.ARCHIVAL_VARIANT} for printed documents, {api.PLAIN} for fillable forms)",
    )
    render.add_argument(
        "--set",
        dest="values",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help=f"pre-fill a form's identity field (repeatable); keys: {', '.join(FIELDS)}",
    )
    paper_option(render, "paper size of the poster (default A3); other kinds are A4")
    docx_fonts_option(render)
    data_option(render)

    build = sub.add_parser(
        "build",
        help="render every document, language (and the bilingual edition) and format",
    )
    build.add_argument("-o", "--output", required=True, type=Path, metavar="DIR")
    paper_option(build, "paper size of the poster (default A3)")
    docx_fonts_option(build)
    data_option(build)

    preview = sub.add_parser("preview", help="draw a document's pages as PNG images")
    preview.add_argument("kind", choices=api.KINDS)
    preview.add_argument("--lang", required=True, choices=api.EDITIONS)
    preview.add_argument(
        "-o", "--output", type=Path, default=Path("previews"), metavar="DIR",
        help="directory of the images, named KIND-LANG-pN.png, KIND-bilingual-pN.png for fr+ar "
        "(default: previews)",
    )  # fmt: skip
    preview.add_argument("--dpi", type=int, default=100, metavar="N", help="default: 100")
    preview.add_argument(
        "--page", type=_positive, metavar="N", help="only page N (default: every page)"
    )
    paper_option(preview, "paper size of the poster (default A3)")
    data_option(preview)

    check = sub.add_parser("check", help="validate the data and the catalogs")
    data_option(check)
    check.add_argument(
        "--previous", type=Path, metavar="FILE",
        help="the previous edition: warn if the data changed but not its version and date",
    )  # fmt: skip

    export = sub.add_parser("export", help="the register as open data (JSON or CSV)")
    export.add_argument("what", choices=("register",))
    export.add_argument("--format", dest="fmt", required=True, choices=opendata.FORMATS)
    export.add_argument("-o", "--output", required=True, type=Path, metavar="FILE")
    data_option(export)

    diff = sub.add_parser(
        "diff",
        help="what changed between two editions of the data",
        description="List the changes from OLD to NEW. Exit 0 when equal, 1 when they differ, "
        "2 on bad input.",
    )
    diff.add_argument("old", type=Path, metavar="OLD.yaml")
    diff.add_argument("new", type=Path, metavar="NEW.yaml")
    diff.add_argument("--lang", default="fr", choices=model.LANGUAGES)

    many = sub.add_parser(
        "batch",
        help="one document per row (agency, person), in parallel, resumable",
        description="Render one document per agency (notice --branches) or per person (a form "
        "--data FILE.csv) into DIR. A rerun skips the files already complete; a bad row is "
        "reported (row, column, reason) and the others complete; exit 2 if any row failed.",
    )
    many.add_argument("kind", choices=batch.batch_kinds())
    many.add_argument("--branches", type=Path, metavar="FILE", help="agencies (YAML), for notice")
    many.add_argument(
        "--data", type=Path, metavar="FILE.csv", help="one row per person (CSV, UTF-8), for forms"
    )
    many.add_argument(
        "--notice-data",
        type=Path,
        metavar="FILE",
        help="notice data (default: the embedded CNOPS notice)",
    )
    many.add_argument("--lang", required=True, choices=model.LANGUAGES)
    many.add_argument("--format", dest="fmt", default="pdf", choices=api.FORMATS)
    many.add_argument("-o", "--output", required=True, type=Path, metavar="DIR")
    many.add_argument(
        "--jobs",
        type=_jobs,
        default=os.cpu_count() or 1,
        metavar="N",
        help=f"worker processes (default: the machine's cores; at most {MAX_JOBS})",
    )
    many.add_argument(
        "--merge", action="store_true", help="one print-ready PDF of all rows: DIR/KIND-LANG.pdf"
    )
    many.add_argument(
        "--name",
        metavar="PATTERN",
        help=f"file names over the row's fields and {{row}} (default: {batch.PERSON_PATTERN}, "
        f"agencies: {batch.BRANCH_PATTERN})",
    )
    many.add_argument("--quiet", action="store_true", help="no progress and no summary")

    serve = sub.add_parser(
        "serve", help="HTTP API and agency page (extra: pip install 'cnops-legaldocs[serve]')"
    )
    serve.add_argument("--host", default="127.0.0.1", help="default: 127.0.0.1")
    serve.add_argument("--port", type=int, default=8000, help="default: 8000")
    serve.add_argument(
        "--workers", type=_positive, default=os.cpu_count() or 1, metavar="N",
        help="render worker processes (default: the machine's cores)",
    )  # fmt: skip
    serve.add_argument("--branches", type=Path, metavar="FILE", help="agencies (YAML)")
    serve.add_argument("--queue", type=int, default=16, metavar="N", help="renders waiting")
    serve.add_argument("--timeout", type=float, default=30.0, metavar="S", help="per render")
    serve.add_argument(
        "--body-timeout", type=float, default=10.0, metavar="S", help="to receive a request body"
    )
    data_option(serve)
    return parser


MAX_JOBS = 4 * (os.cpu_count() or 1)
"""More workers than this only share the same cores, each with its own memory (fonts, layout)."""


def _jobs(text: str) -> int:
    value = _positive(text)
    if value > MAX_JOBS:
        raise argparse.ArgumentTypeError(f"at most {MAX_JOBS} (4 per core of this machine)")
    return value


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _version() -> str:
    from . import __version__

    return __version__


def _on_signal(signum: int, frame: object) -> None:
    """SIGTERM as Ctrl-C: rows in progress finish, nothing partial is left; then every
    temporary directory of the process is removed at exit (`tempdirs`)."""
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _on_signal)
    # Temporary directories go at exit (`tempdirs`: atexit, also after SIGTERM), not here: a
    # host (or a test) that calls `main` in-process keeps its font configurations.
    return _main(args)


def _main(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING,
        format="%(levelname)s: %(message)s",
        stream=sys.stderr,
    )
    # --debug shows the renderers' own logs too (quiet by default, see `__init__`)
    for name in ("weasyprint", "fontTools", "pikepdf"):
        logging.getLogger(name).setLevel(logging.DEBUG if args.debug else logging.ERROR)
    try:
        return _COMMANDS[args.command](args)
    except LegalDocsError as exc:
        if args.debug:
            traceback.print_exc()
        print(bidi.for_terminal(f"error: {printable(str(exc))}", sys.stderr), file=sys.stderr)
        return EXIT_BAD_INPUT
    except batch.BatchInterrupted as exc:
        if not getattr(args, "quiet", False):
            print(exc.summary)
        print("interrupted: no partial file was left", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("interrupted: no partial file was left", file=sys.stderr)
        return 130
    except Exception:
        if args.debug:
            raise
        print("error: unexpected failure (run again with --debug for details)", file=sys.stderr)
        return EXIT_FAILURE


def _load(args: argparse.Namespace) -> model.LegalData:
    return model.load(args.data)


def _person(pairs: Sequence[str]) -> dict[str, str] | None:
    """The ``--set KEY=VALUE`` options as a mapping (None when there is none)."""
    if not pairs:
        return None
    person: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep:
            raise DataError("expected KEY=VALUE, e.g. --set cin=AB123456", field="--set")
        if key in person:
            raise DataError("given twice", field=key if key in FIELDS else "--set")
        person[key] = value
    return person


def _render(args: argparse.Namespace) -> int:
    if args.kind == "clause":
        return _render_clause(args)
    if args.operation is not None or args.length is not None:
        raise RenderError("--operation and --length apply to a clause only")
    args.fmt = args.fmt or "pdf"
    data = _load(args)
    person = _person(args.values)
    content = api.render(
        data,
        args.kind,
        args.lang,
        args.fmt,
        pdf_variant=args.pdf_variant,
        person=person,
        paper=args.paper,
        docx_fonts=args.docx_fonts,
    )
    # A pre-filled form holds personal data: readable by its owner only.
    return _emit(args.output, content, private=person is not None)


def _emit(output: Path, content: bytes, *, private: bool = False) -> int:
    """Write a rendered file to `output`, or to standard output for ``-`` (not a terminal)."""
    if str(output) == "-":
        if sys.stdout.isatty():
            raise RenderError("-o -: standard output is a terminal; redirect it to a file")
        sys.stdout.flush()
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
        return EXIT_OK
    write_atomic(output, content, private=private)
    print(output)
    return EXIT_OK


def _render_clause(args: argparse.Namespace) -> int:
    """`render clause`: the information clause of one operation (see `clauses`)."""
    if args.operation is None:
        raise RenderError("render clause needs --operation REF (a CNDP reference or an id)")
    if args.values or args.pdf_variant or args.paper:
        raise RenderError("--set, --pdf-variant and --paper do not apply to a clause")
    content = clauses.clause(
        _load(args), args.operation, args.lang, args.fmt or "txt", length=args.length or "short"
    )
    return _emit(args.output, content)


def _export(args: argparse.Namespace) -> int:
    return _emit(args.output, opendata.export_register(_load(args), args.fmt))


def _diff(args: argparse.Namespace) -> int:
    old, new = model.load(args.old), model.load(args.new)
    lines, differ = editions.report(old, new, args.lang)
    for line in lines:
        print(bidi.for_terminal(line, sys.stdout))
    if editions.unversioned(old, new):
        message = catalogs.translations(args.lang).gettext(editions.UNVERSIONED)
        print(bidi.for_terminal(f"warning: {args.new}: {message}", sys.stderr), file=sys.stderr)
    return 1 if differ else EXIT_OK


def _build(args: argparse.Namespace) -> int:
    data = _load(args)
    # Everything is rendered before anything is written: a failure leaves no partial set.
    # --paper goes to the kinds that offer a choice (the poster); the others keep their own.
    # Each language, then the bilingual edition (KIND-bilingual.FORMAT).
    targets = {
        args.output / f"{kind}-{file_tag(lang)}.{fmt}": (kind, lang, fmt)
        for kind in api.KINDS
        for lang in api.EDITIONS
        for fmt in api.formats_of(kind, lang)
    }
    for path in targets:  # a target that cannot be replaced is said before rendering
        check_target(path)
    outputs = {
        path: api.render(
            data,
            kind,
            lang,
            fmt,
            paper=args.paper if len(api.PAPERS[kind]) > 1 else None,
            docx_fonts=args.docx_fonts if fmt == "docx" else None,
        )
        for path, (kind, lang, fmt) in targets.items()
    }
    for path in write_all(outputs):
        print(path)
    return EXIT_OK


def _preview(args: argparse.Namespace) -> int:
    data = _load(args)
    images = api.preview(data, args.kind, args.lang, dpi=args.dpi, paper=args.paper)
    if args.page is not None and args.page > len(images):
        raise RenderError(f"the {args.kind} has {len(images)} pages, not {args.page}")
    for number, image in enumerate(images, 1):
        if args.page is not None and number != args.page:
            continue
        name = f"{args.kind}-{file_tag(args.lang)}-p{number}.png"
        path = write_atomic(args.output / name, image)
        print(path)
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    data = _load(args)
    for warning in data.warnings:
        print(bidi.for_terminal(f"warning: {warning}", sys.stderr), file=sys.stderr)
    if args.previous is not None and editions.unversioned(model.load(args.previous), data):
        message = catalogs.translations("fr").gettext(editions.UNVERSIONED)
        print(f"warning: {data.source}: notice: {message}", file=sys.stderr)
    # the glossary's terms and the polite-plural register (glossary.py), after completeness
    problems = [*catalogs.problems(data), *glossary.problems(data)]
    for problem in problems:
        print(bidi.for_terminal(f"error: {problem}", sys.stderr), file=sys.stderr)
    if problems:
        return EXIT_BAD_INPUT
    out = sys.stdout
    print(f"{data.source}: {len(data.operations)} operations, {len(data.contacts)} contacts")
    for lang in model.LANGUAGES:
        messages = sum(1 for m in catalogs.catalog(lang) if m.id)
        print(
            bidi.for_terminal(f"{lang}: {messages} messages, complete: {data.body.name[lang]}", out)
        )
    print(f"ok ({len(data.warnings)} warnings)")
    return EXIT_OK


def _batch(args: argparse.Namespace) -> int:
    if args.merge and args.fmt != "pdf":
        raise RenderError("--merge makes one PDF: use it with --format pdf")
    model.load(args.notice_data)  # invalid notice data stops the run before any row
    empty = 0
    jobs: Iterable[batch.Job | batch.RowFailure]
    if args.kind == "notice":
        if args.branches is None or args.data is not None:
            raise RenderError("batch notice renders one notice per agency: give --branches FILE")
        agencies = load_branches(args.branches)
        jobs = batch.branch_jobs(agencies, args.kind, args.lang, args.fmt, args.name)
        total = len(agencies)
    else:
        if args.data is None or args.branches is not None:
            raise RenderError(f"batch {args.kind} renders one form per row: give --data FILE.csv")
        rows = batch.person_file(args.data)
        jobs = batch.person_jobs(rows, args.kind, args.lang, args.fmt, args.name)
        total, empty = rows.rows, rows.empty
    report = Progress(total, quiet=args.quiet)
    summary = batch.render_many(
        jobs,
        args.output,
        data=args.notice_data,
        workers=args.jobs,
        merge=f"{args.kind}-{args.lang}.pdf" if args.merge else None,
        progress=report,
        total=total,
    )
    summary.empty = empty
    if not args.quiet:
        print(summary)
    return EXIT_OK if summary.ok else EXIT_BAD_INPUT


def _serve(args: argparse.Namespace) -> int:
    try:
        from .service import Settings, server
    except ImportError as exc:
        raise RenderError(
            f"serve needs the 'serve' extra ({exc.name} is missing): "
            "pip install 'cnops-legaldocs[serve]'"
        ) from None
    if args.queue < 0 or args.timeout <= 0 or args.body_timeout <= 0:
        raise RenderError("--queue must be 0 or more, the time-outs more than 0")
    settings = Settings(
        workers=args.workers,
        data=str(args.data) if args.data else None,
        branches=str(args.branches) if args.branches else None,
        queue=args.queue,
        timeout=args.timeout,
        body_timeout=args.body_timeout,
    )
    # uvicorn handles SIGTERM itself (in-flight requests finish), then raises it again: with
    # the default action, as a service manager expects, not the batch's "interrupted" (130).
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    server.run(settings, args.host, args.port)
    return EXIT_OK


_COMMANDS = {
    "render": _render,
    "build": _build,
    "preview": _preview,
    "check": _check,
    "batch": _batch,
    "export": _export,
    "diff": _diff,
    "serve": _serve,
}


if __name__ == "__main__":
    sys.exit(main())
