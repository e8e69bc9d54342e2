"""Whose borough the simulated residents live in: places, streets and names, from config.

The hand-made street and postcode tables describe Brent, the first tenant; a
council whose `places` include all of those gets them (and so the exact
simulated history the tests know). Any other council gets a world built from
its own `places`, short name and website, so nothing of Brent's leaks into
its data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlparse

BRENT_PLACES = (
    "Wembley", "Kilburn", "Harlesden", "Willesden", "Neasden", "Kingsbury",
    "Kensal Green", "Stonebridge", "Alperton", "Queens Park",
)
BRENT_STREETS = {
    "Wembley": ("Wembley High Road", "Ealing Road", "Park Lane", "Harrow Road"),
    "Kilburn": ("Kilburn High Road", "Brondesbury Road", "Willesden Lane"),
    "Harlesden": ("High Street Harlesden", "Craven Park Road", "Manor Park Road"),
    "Willesden": ("Walm Lane", "High Road Willesden", "Chamberlayne Road"),
    "Neasden": ("Neasden Lane", "Dudden Hill Lane", "Tanfield Avenue"),
    "Kingsbury": ("Kingsbury Road", "Church Lane", "Fryent Way"),
    "Kensal Green": ("Harrow Road", "Chamberlayne Road", "Ladysmith Road"),
    "Stonebridge": ("Hillside", "Knatchbull Road", "Brentfield Road"),
    "Alperton": ("Ealing Road", "Bridgewater Road", "Stanley Avenue"),
    "Queens Park": ("Salusbury Road", "Harvist Road", "Chevening Road"),
}
BRENT_POSTCODES = {
    "Wembley": "HA9", "Kilburn": "NW6", "Harlesden": "NW10", "Willesden": "NW10",
    "Neasden": "NW10", "Kingsbury": "NW9", "Kensal Green": "NW10",
    "Stonebridge": "NW10", "Alperton": "HA0", "Queens Park": "NW6",
}
# The non-X channels' conversation draws from these.
BRENT_CHANNEL_PLACES = ("Wembley", "Kilburn", "Harlesden", "Willesden", "Neasden", "Kingsbury",
                        "Kensal Rise", "Alperton", "Queens Park", "Dollis Hill", "Sudbury",
                        "Cricklewood")
BRENT_EVENTS = ("Wembley Park consultation drop-in", "Kilburn library family day",
                "Harlesden town centre walkabout", "Brent Youth Awards",
                "Council tax advice session", "Willesden green spaces forum")
GENERIC_STREETS = ("High Street", "Station Road", "Church Road", "Park Road")


@dataclass(frozen=True)
class Locale:
    area: str = "Brent"  # the council's short name, as residents say it
    website: str = "https://www.brent.gov.uk"
    location: str = "Brent, London"
    district: str = "NW10"  # a postcode district or neighbourhood residents name themselves by
    ward: str = "Willesden Green"
    places: tuple[str, ...] = BRENT_PLACES
    streets: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(BRENT_STREETS))
    postcodes: dict[str, str] = field(default_factory=lambda: dict(BRENT_POSTCODES))
    channel_places: tuple[str, ...] = BRENT_CHANNEL_PLACES
    events: tuple[str, ...] = BRENT_EVENTS
    region: str = "north-west London"

    @property
    def tagline(self) -> str:
        return f"{self.council}, {self.region}" if self.region else self.council

    @property
    def host(self) -> str:
        return (urlparse(self.website).hostname or self.website).removeprefix("www.")

    @property
    def council(self) -> str:
        return f"{self.area} Council"

    @property
    def special_users(self) -> tuple[tuple, ...]:
        """username, name, role, followers, verified, description."""
        blog = "".join(self.ward.split()[:1]) or self.area
        squashed = self.area.replace(" ", "")
        return (
            (f"{squashed}LocalJo", "Jo Adeyemi", "journalist", 48_200, True,
             f"Local democracy reporter covering {self.area}. Tips: DMs open."),
            ("CllrRaviShah", "Cllr Ravi Shah", "councillor", 6_100, True,
             f"Councillor for {self.ward} ward. Surgery every Saturday."),
            (f"{blog}MumBlog", f"{blog} Mum", "blogger", 23_900, False,
             f"Parenting, local life and the school run in {self.district}. "
             "Mumsnet blogger network."),
            (f"{squashed}Counci1", self.council, "impersonator", 41, False,
             f"Official updates from {self.council}"),
            (f"{squashed}_Council_Help", f"{self.council} Help Desk", "impersonator", 12, False,
             "Council tax refunds and support. DM us."),
        )

    @classmethod
    def from_config(cls, config) -> Locale:
        area = config.council.short_name
        website = config.council.website
        if set(BRENT_PLACES) <= set(config.places):
            return cls(area=area, website=website)
        places = tuple(config.places[:10]) or (area,)
        n = len(places)
        return cls(
            area=area, website=website, location=config.council.name, region="",
            district=places[0],
            ward=places[-1], places=places,
            streets={p: (f"{p} {GENERIC_STREETS[0]}", *GENERIC_STREETS[1:]) for p in places},
            postcodes={p: f"{area[:2].upper()}{i + 1}" for i, p in enumerate(places)},
            channel_places=tuple(config.places[:12]) or (area,),
            events=(f"{places[0]} consultation drop-in", f"{places[1 % n]} library family day",
                    f"{places[2 % n]} town centre walkabout", f"{area} Youth Awards",
                    "Council tax advice session", f"{places[3 % n]} green spaces forum"),
        )


BRENT = Locale()
