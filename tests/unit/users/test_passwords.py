"""Password reset links."""

from __future__ import annotations

from subgraphs.users.domain.passwords import reset_link


def test_a_reset_link_adds_the_token_to_the_page_address():
    assert reset_link("https://shop.example/reset", "a+b/c") == (
        "https://shop.example/reset?token=a%2Bb%2Fc"
    )
    assert reset_link("https://shop.example/r?lang=de", "t") == (
        "https://shop.example/r?lang=de&token=t"
    )
