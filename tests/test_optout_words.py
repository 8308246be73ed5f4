"""Opt-out words: the whole reply, normalised, is one entry of an editable list."""

from __future__ import annotations

from pathlib import Path

import pytest

from miogram_toolkit.campaign.optout_words import (
    DEFAULT_WORDS,
    WORDS_FILE,
    OptOutWords,
    is_opt_out,
    normalise_reply,
)


@pytest.mark.parametrize("reply", [
    "لغو", "لغو11", "لغو ۱۱", "لغو۱۱", "لغو ١١", " لغو. ", "۱۱", "11", "توقف", "ارسال نکنید",
    "ارسال  نکنید!",
    "انصراف", "STOP!", "stop", "Stop.", "UNSUBSCRIBE", "unsubscribe 🙏", "Stop All",
    # Arabic letters for Persian ones: ي for ی, ك for ک, with a diacritic and a tatweel.
    "لغو عضويت", "لغوِ", "لغـــو", "ارسال نكنيد",
])
def test_whole_reply_opts_out_in_both_scripts(reply: str) -> None:
    assert is_opt_out(reply), reply


@pytest.mark.parametrize("reply", [
    "لغو نکنید", "stop by our shop", "ممنون", "سلام، قیمت چنده؟", "don't stop", "stopped",
    "لغو12", "111", "12", "", "   ", "?!",
])
def test_longer_or_other_replies_do_not(reply: str) -> None:
    assert not is_opt_out(reply), reply


def test_normalising_letters_digits_case_spaces_and_punctuation() -> None:
    assert normalise_reply("ي ك ۱۲۳ ٤٥٦ ABC\u200c !؟") == "یک123456abc"
    assert normalise_reply("لغو ۱۱") == normalise_reply("لغو11") == "لغو11"


def test_the_user_file_adds_and_takes_out_entries(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / WORDS_FILE).write_text("# our own list\nبسه\n-cancel   # customers say it to orders\n",
                                   encoding="utf-8")
    monkeypatch.setenv("MIOGRAM_HOME", str(home))
    words = OptOutWords.load()
    assert words.matches("بسه!") and not words.matches("cancel")
    assert words.matches("stop")
    assert len(words) == len(DEFAULT_WORDS)


def test_without_a_user_file_the_defaults_and_a_missing_named_file_is_said(
        tmp_path: Path) -> None:
    assert OptOutWords.load().entries == OptOutWords.default().entries
    with pytest.raises(FileNotFoundError, match="opt-out words file .*nope.txt.* does not exist"):
        OptOutWords.load(tmp_path / "nope.txt")


def test_words_given_in_code() -> None:
    words = OptOutWords(["basta", "  ", "BASTA"])
    assert words.entries == ("basta", "BASTA") and "Basta!" in words and "stop" not in words
