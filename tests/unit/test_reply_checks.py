"""Reply checks, link tagging and saved-reply validation, without a database."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from council_social.cases.replies import idempotency_key
from council_social.cases.reply_checks import check_reply, x_length
from council_social.cases.saved_replies import fill, saved_reply, tag_links


def test_x_counts_a_link_as_23_and_wide_characters_as_2():
    assert x_length("abc") == 3
    assert x_length("see https://www.brent.gov.uk/" + "x" * 200) == 4 + 23
    assert x_length("\u5e03\u4f26\U0001f600") == 6


def test_council_links_are_tagged_once_and_others_left_alone(config):
    text, link = tag_links(config, "Report it: https://www.brent.gov.uk/bins?utm_source=flyer. "
                           "Or https://example.org/x", platform="twitter", saved_key="missed-bin",
                           service="waste-recycling")
    assert link == ("https://www.brent.gov.uk/bins?utm_source=flyer&utm_medium=social"
                    "&utm_campaign=case-reply&utm_content=missed-bin")
    assert text.endswith("Or https://example.org/x") and f"{link}." in text


def test_the_same_answer_has_one_key_whoever_presses_send():
    assert idempotency_key(7, "We will  collect it.") == idempotency_key(7, "we will collect it.")
    assert idempotency_key(7, "We will collect it.") != idempotency_key(8, "We will collect it.")


def test_saved_reply_is_filled_for_the_resident(config):
    text = fill(saved_reply(config, "pothole"), handle="@rita", name="Rita",
                officer="Hamid Example")
    assert text.startswith("Thanks @rita.") and text.endswith("^HE") and "{" not in text
    assert check_reply(config, "twitter", text) == []


@pytest.mark.parametrize("entry, why", [
    ({"key": "a", "service": "parking", "text": "Hi {postcode}"}, "unknown placeholder"),
    ({"key": "a", "service": "parking", "text": "See {link}"}, "has no link"),
    ({"key": "a", "service": "parks", "text": "Hi"}, "unknown team 'parks'"),
])
def test_saved_replies_are_checked_when_council_yaml_loads(config, entry, why):
    import yaml

    from council_social.config.model import CouncilConfig

    data = yaml.safe_load(config.source_path.read_text())
    data["cases"]["saved_replies"] = [entry]
    with pytest.raises(ValidationError, match=why):
        CouncilConfig.model_validate(data)
