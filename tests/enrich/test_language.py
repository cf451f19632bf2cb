"""Language detection and the stage's routing of stories its model does not read."""

from __future__ import annotations

import pytest

from pipeline.enrich.language import detect_language, primary
from tests.conftest import SEED

NORWEGIAN = (
    "Google har kjøpt en stor tomt i Skien, og selskapet planlegger et datasenter der. "
    "Kommunen sier at det kan gi mange nye arbeidsplasser i regionen de neste årene."
)
GERMAN = (
    "Der Schiedsrichter hatte recht, sagte der Trainer nach dem Spiel. Die Mannschaft "
    "hat verdient verloren und muss sich in der nächsten Woche deutlich steigern."
)


@pytest.mark.parametrize(
    ("text", "accepted"),
    [
        (SEED.read_text(encoding="utf-8"), {"en"}),
        (GERMAN, {"de"}),
        (NORWEGIAN, {"nb", "nn", "no"}),  # CLD2 tells the two written Norwegians apart
    ],
)
def test_detect_language(text: str, accepted: set[str]) -> None:
    detected = detect_language(text)
    assert detected is not None and primary(detected) in accepted


def test_too_little_text_is_not_guessed() -> None:
    assert detect_language("Hello there") is None


def test_primary() -> None:
    assert primary("en-GB") == "en"
    assert primary("zh-Hant") == "zh"
