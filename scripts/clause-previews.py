"""Draw the README's previews of the short clause under a web form (docs/previews/clause-*.png).

The form around the clause is a mock-up (its labels are not the library's); the clause is
`cnops_legaldocs.clause(data, "A-GA-104/2016", lang, "html")` as returned, laid out with the
package's fonts. Run: .venv/bin/python scripts/clause-previews.py
"""

from pathlib import Path

import cnops_legaldocs
from cnops_legaldocs import previews
from cnops_legaldocs.renderers import pdf

CSS = """
@page { size: 150mm 96mm; margin: 6mm; @top-center { content: none; }
        @bottom-center { content: none; } }
.form { border: 0.6pt solid #999; padding: 4mm; background: #f7f7f7; font-size: 9pt; }
.field { margin: 0 0 2mm; }
.box { border: 0.6pt solid #888; height: 6mm; background: white; margin-top: 1mm; }
.button { display: inline-block; background: #1f4e79; color: white; padding: 1mm 4mm;
          margin: 1mm 0 3mm; }
section.clause p, section p { font-size: 7.5pt; line-height: 1.4; color: #444;
                              text-align: start; hyphens: manual; margin: 0; }
html[lang="ar"] section p { font-size: 9pt; line-height: 1.6; }
"""
LABELS = {
    "fr": ("Numéro d’immatriculation", "Adresse électronique", "Envoyer"),
    "ar": ("رقم التسجيل", "البريد الإلكتروني", "إرسال"),
}


def main() -> None:
    data = cnops_legaldocs.load()
    css = pdf.stylesheet(CSS)
    for lang, (number, email, send) in LABELS.items():
        clause = cnops_legaldocs.clause(data, "A-GA-104/2016", lang, "html").decode()
        direction = "rtl" if lang == "ar" else "ltr"
        html = (
            f'<html lang="{lang}" dir="{direction}"><body><div class="form">'
            f'<div class="field">{number}<div class="box"></div></div>'
            f'<div class="field">{email}<div class="box"></div></div>'
            f'<div class="button">{send}</div>{clause}</div></body></html>'
        )
        laid_out = pdf.lay_out(html, extra=[css])
        (image,) = previews.pages(pdf.write(laid_out, created=data.notice.effective_date), dpi=110)
        Path(f"docs/previews/clause-{lang}.png").write_bytes(image)


if __name__ == "__main__":
    main()
