"""Previews: a PDF's pages as PNG images, drawn by PDFium (pypdfium2, no system tool needed)."""

from __future__ import annotations

import io
import threading

from .errors import RenderError

DPI_RANGE = range(10, 601)
"""Resolutions a preview may be drawn at (600 dpi already makes an A3 page 70 megapixels)."""

# PDFium is not thread-safe: one document at a time in this process.
_lock = threading.Lock()


def check_dpi(dpi: int) -> None:
    """Refuse a resolution outside `DPI_RANGE`."""
    if dpi not in DPI_RANGE:
        raise RenderError(
            f"a preview is drawn at {DPI_RANGE.start} to {DPI_RANGE.stop - 1} dpi, not {dpi}"
        )


def pages(pdf: bytes, *, dpi: int = 100) -> list[bytes]:
    """Each page of `pdf` as PNG bytes at `dpi` (fillable fields drawn), in page order.

    A page of W×H points becomes ceil(W·dpi/72)×ceil(H·dpi/72) pixels.
    """
    check_dpi(dpi)
    import pypdfium2

    out: list[bytes] = []
    with _lock:
        document = pypdfium2.PdfDocument(pdf)
        try:
            document.init_forms()
            for index in range(len(document)):
                page = document[index]
                try:
                    image = page.render(scale=dpi / 72, may_draw_forms=True).to_pil()
                finally:
                    page.close()
                buffer = io.BytesIO()
                image.save(buffer, format="PNG", dpi=(dpi, dpi))
                out.append(buffer.getvalue())
        finally:
            document.close()
    return out
