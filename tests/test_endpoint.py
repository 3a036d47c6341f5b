import pytest

from audio.endpoint import completion_hint


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("I would start with the data and", False),
        ("so the first thing, um", False),
        ("We used a two-tower model,", False),
        ("How much traffic do we expect?", True),
        ("And that's my answer.", True),
        ("We shipped it and precision dropped eight percent.", None),
        ("Will we ever forget it.", None),  # object pronouns end sentences
        ("I would do it like this.", None),
        ("and then we", False),
        ("", None),
    ],
)
def test_completion_hint(text, hint):
    assert completion_hint(text) is hint
