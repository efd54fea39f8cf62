"""Each UN language's reader sorts names their way (ICU collation with CLDR tailorings)."""

from __future__ import annotations

import pytest

from un1540.reference.collation import collated, sort_key


def test_each_language_sorts_the_way_its_readers_expect() -> None:
    # French: accents sort beside their letter, not after "z" (code-point order would).
    assert collated(["Zambie", "Égypte", "Allemagne", "Émirats arabes unis"], "fr") == [
        "Allemagne",
        "Égypte",
        "Émirats arabes unis",
        "Zambie",
    ]
    # Spanish: "ñ" is a letter between "n" and "o".
    assert collated(["Omán", "Ñandú", "Nauru"], "es") == ["Nauru", "Ñandú", "Omán"]
    # Chinese: by pinyin (阿 a, 巴 ba, 德 de, 中 zhong), not by code point (中 U+4E2D first).
    assert collated(["中国", "德国", "巴西", "阿富汗"], "zh") == ["阿富汗", "巴西", "德国", "中国"]
    assert sorted(["中国", "德国", "巴西", "阿富汗"])[0] == "中国"
    # Russian: "Ё" with "Е", not after "Я".
    assert collated(["Япония", "Ёлка", "Египет"], "ru") == ["Египет", "Ёлка", "Япония"]
    # Arabic: the hamza forms of alif sort with alif, before "ب".
    assert collated(["مصر", "بلجيكا", "أفغانستان"], "ar") == ["أفغانستان", "بلجيكا", "مصر"]


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown language 'de'"):
        sort_key("de")
