"""RapidOCR as the scans' OCR engine: PaddleOCR's PP-OCRv6 models (text detection and
recognition, Simplified Chinese with digits and Latin letters), run by ONNX Runtime in this
process.

The models come inside the `rapidocr` wheel and are named by their paths here, so nothing is
ever fetched (RapidOCR downloads a model only when one is asked for by name and is not in its
folder). The page is read once, whole, with each character's box; a character belongs to the
table cell its middle lies in, and the characters in no table row are the page's lines. A cell
with ink where the detection found no text (a lone small digit, `1`) is then read alone.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path

from .sources import ImportFailed

NAME = "RapidOCR PP-OCRv6"
# Detection and recognition; the angle classifier is never run: scans are upright, and a page is
# straightened before it is read. Each model loads when first used.
MODELS = {"Det": "PP-OCRv6_det_small.onnx", "Rec": "PP-OCRv6_rec_small.onnx"}


def read(page, cells: list[tuple], rows: list[tuple]) -> tuple[dict, dict, list]:
    """Each cell's text, the cells whose number is uncertain (none: one reading is taken), and
    the words of the page outside the table rows; `page` is grey, rules erased."""
    import numpy as np

    from .words import cell_ink, cell_text

    inside: dict[tuple, list] = {box: [] for box in cells}
    outside = []
    for word in _words(page):
        x, y = (word[0] + word[2]) / 2, (word[1] + word[3]) / 2
        box = next((box for box in cells if box[0] <= x <= box[2] and box[1] <= y <= box[3]), None)
        if box is not None:
            inside[box].append(word)
        elif not any(row[0] <= x <= row[2] and row[1] <= y <= row[3] for row in rows):
            outside.append(word)
    texts = {box: cell_text(words) for box, words in inside.items()}
    for box in cells:
        ink = None if texts[box] else cell_ink(page, box)
        if ink is not None:  # with room around it, as the recognizer was trained on lines of text
            margin = ink.shape[0] // 2
            line = np.pad(ink, margin, constant_values=255)
            found = _run(line, use_det=False)
            texts[box] = cell_text([(0, 0, 1, 1, 1.0, "".join(found.txts))]) if found.txts else ""
    return texts, {}, outside


def _words(page) -> list[tuple]:
    """The page's words, each character or run of digits with its box: (x0, top, x1, bottom,
    confidence, text)."""
    found = _run(page, use_det=True)
    words = []
    for line in found.word_results or ():
        for text, confidence, corners in line:
            xs, ys = [x for x, _ in corners], [y for _, y in corners]
            if text.strip():
                words.append((min(xs), min(ys), max(xs), max(ys), float(confidence), text.strip()))
    return words


def _run(picture, use_det: bool):
    """RapidOCR's reading of `picture`, its stages named each time (RapidOCR keeps the last
    call's). ONNX Runtime and OpenCV report the memory bound as errors of their own
    (`std::bad_alloc`, `Insufficient memory`), which RapidOCR may wrap in its own (ResizeImgError):
    said as MemoryError is, as the bound."""
    try:
        return _engine()(picture, use_det=use_det, use_cls=False, use_rec=True)
    except Exception as error:
        if _out_of_memory(error):
            raise MemoryError from None
        raise


def _out_of_memory(error: BaseException | None) -> bool:
    """Whether the error, or one it was raised from, is the memory bound reached."""
    while error is not None:
        if isinstance(error, MemoryError) or "bad_alloc" in str(error) or "Insufficient memory" in str(error):
            return True
        error = error.__cause__ or error.__context__
    return False


@functools.cache
def _engine():
    # ONNX Runtime (1.32 on) starts Microsoft's telemetry unless told not to: a session file in
    # the temporary folder and events posted to mobile.events.data.microsoft.com. A published
    # report is read here and nothing goes out: told before it is first imported, and again.
    os.environ["ORT_DISABLE_TELEMETRY"] = "1"
    try:
        import onnxruntime
        import rapidocr
    except ImportError:
        raise ImportFailed("读取扫描件需要 RapidOCR（Python 软件包 rapidocr 和 onnxruntime，`make setup` 会安装）") from None
    onnxruntime.disable_telemetry_events()
    folder = Path(rapidocr.__file__).parent / "models"
    if not all((folder / name).is_file() for name in MODELS.values()):
        raise ImportFailed(f"RapidOCR 的模型文件不全（应在 {folder}），请重新安装 rapidocr")
    # One thread each, as the audit reads files in parallel
    return rapidocr.RapidOCR(params={
        "Global.log_level": "error", "Global.use_cls": False, "Global.return_word_box": True,
        **{f"{stage}.model_path": str(folder / name) for stage, name in MODELS.items()},
        "EngineConfig.onnxruntime.intra_op_num_threads": 1, "EngineConfig.onnxruntime.inter_op_num_threads": 1})
