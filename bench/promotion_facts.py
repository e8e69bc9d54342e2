"""Prints how long the consistency check takes to read one post's facts (dateparser,
phonenumbers, price-parser), after the first call has loaded dateparser's language data."""

from __future__ import annotations

import time

from council_social.promotion.consistency import facts

TEXTS = [
    "Winter fair in Harlesden on 12 December, 11am to 4pm. Free entry. https://www.brent.gov.uk/fair",
    "Council tax: pay £1,234.56 by 1 April or call 020 8937 1234.",
    "Library late opening Thursday 5 March 6pm-8pm in Kilburn #BrentLibraries",
]


def main() -> None:
    start = time.perf_counter()
    facts(TEXTS[0])
    first = time.perf_counter() - start
    n = 300
    start = time.perf_counter()
    for i in range(n):
        facts(TEXTS[i % len(TEXTS)], places=["Harlesden", "Kilburn"])
    each = (time.perf_counter() - start) / n
    print(f"first call (loads dateparser's data): {first:.2f} s")
    print(f"per post after that: {each * 1000:.1f} ms ({n} posts)")


if __name__ == "__main__":
    main()
