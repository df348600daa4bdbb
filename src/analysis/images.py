"""PNG bytes as the reports embed them: a small palette that keeps the picture's look and
its text chunks (the record of the text a figure draws, which the exit gate reads)."""

from __future__ import annotations

import io

#: the palette every figure gets (:func:`quantize_png`): a figure of flat colours,
#: lines and anti-aliased text keeps its look (no colour channel moves by more than a
#: few units of 255) at a third to a quarter of the weight of a full-colour PNG
FIGURE_COLOURS = 128


def quantize_png(png: bytes, colours: int = FIGURE_COLOURS, *, fast: bool = False) -> bytes:
    """``png`` with a palette of at most ``colours`` colours and no dithering (the same
    picture gives the same bytes), keeping its text chunks (compressed), so the record of
    the text it draws (:data:`analysis.publish.DRAWN_TEXT_KEY`, read by the exit) travels
    unchanged. Pillow's maximum-coverage method by default (its palette follows the
    picture's own colours closely: light tints stay apart from white); ``fast``: the
    octree, which keeps small areas of a distinct colour such as a thin dashed line in
    a very small palette (the benchmark's figures, 24 colours)."""
    from PIL import Image, PngImagePlugin

    from analysis.publish import png_texts

    texts = png_texts(png) or {}
    image = Image.open(io.BytesIO(png))
    dpi = image.info.get("dpi")
    method = Image.Quantize.FASTOCTREE if fast else Image.Quantize.MAXCOVERAGE
    palette = image.convert("RGB").quantize(colors=colours, method=method, dither=Image.Dither.NONE)
    info = PngImagePlugin.PngInfo()
    for key, value in texts.items():
        info.add_itxt(key, value, zip=True)
    buffer = io.BytesIO()
    options = {"dpi": dpi} if dpi else {}
    palette.save(buffer, format="PNG", optimize=True, pnginfo=info, **options)
    return buffer.getvalue()
