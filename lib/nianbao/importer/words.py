"""What an OCR engine read on a picture, as words with their boxes, gathered into lines and into
a table cell's text.

Both engines (`ocr_tesseract`, `ocr_rapid`) give their words as (x0, top, x1, bottom,
confidence, text), in the picture's pixels.
"""
from __future__ import annotations

import re

INK = 160  # grey levels below this are ink
_HALF_WIDTH = str.maketrans("():", "（）：")


def lines(words) -> list[tuple]:
    """Words gathered into lines, top to bottom: (top, x0, x1, height, text). A word belongs to
    a line when its middle lies within the line's height; Chinese words join without spaces."""
    gathered: list[list] = []
    for word in sorted(words, key=lambda w: (w[1] + w[3]) / 2):
        middle = (word[1] + word[3]) / 2
        if gathered and gathered[-1][0] <= middle <= gathered[-1][1]:
            gathered[-1][2].append(word)
            gathered[-1][1] = max(gathered[-1][1], word[3])
        else:
            gathered.append([word[1], word[3], [word]])
    out = []
    for top, bottom, members in gathered:
        members.sort(key=lambda w: w[0])
        text = ""
        for word in members:
            if text and text[-1].isascii() and text[-1].isalnum() and word[5][0].isascii() and word[5][0].isalnum() \
                    and word[0] - previous[2] > (word[3] - word[1]) / 4:  # a gap, not the next character
                text += " "
            text += word[5]
            previous = word
        out.append((top, members[0][0], max(w[2] for w in members), bottom - top, text))
    return out


def cell_text(words) -> str:
    """A cell's text: its lines joined, so that a label printed one character a line is one label.
    The point after a sub-row's number that OCR drops (`1本机关…`) is put back: without it the
    number would pass for the last value of the row before."""
    text = "".join(text for *_, text in lines(words)).replace(",", "")
    if re.search(r"[\u4e00-\u9fff]", text):  # a label's brackets and colon are full-width: `（七）总计`
        text = text.translate(_HALF_WIDTH)
    return re.sub(r"^(\d)(?=[\u4e00-\u9fff])", r"\1.", text)


def cell_ink(page, box):
    """The characters in a table cell alone, cut from the page without what is left of its
    rules, or None for an empty cell."""
    import numpy as np

    x0, top, x1, bottom = (round(v) for v in box)
    inside = page[top + 3:bottom - 2, x0 + 3:x1 - 2]  # off the rules, as drawn or erased
    ys, xs = np.nonzero(inside < INK)
    if len(ys) < 8:  # fewer dark pixels are dust, not a character
        return None
    return inside[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
