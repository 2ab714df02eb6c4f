"""Shared places for the tests: the project folder, its demo data and the real documents.

The seeds and published samples are copied unchanged from the project's shared/ folder into
tests/fixtures/ (as its README asks), so the tests run wherever the clone is.
"""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SEEDS = FIXTURES / "seeds"
SAMPLES = FIXTURES / "samples"
DEMO = ROOT / "data" / "2022" / "quzhou-jgswbzzx.yaml"


def seed(number: int) -> str:
    """The text of seed NNN_*.txt."""
    return next(SEEDS.glob(f"{number:03d}_*.txt")).read_text(encoding="utf-8")
