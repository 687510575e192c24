"""What each simulated POS sells: its cities, films, seat categories and prices.

Data only. The state core (state.py) combines a flavour with a seed and size parameters into a
deterministic catalog; the protocol modules render that catalog in their own wire format.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class City:
    city: str
    country: str
    tz: str
    currency: str
    language: str
    venue_names: tuple[str, ...]  # neighbourhoods used to name cinemas in this city


@dataclass(frozen=True)
class Film:
    code: str
    original_language: str
    runtime: int  # minutes
    rating: str
    genres: tuple[str, ...]
    titles: dict[str, str]  # language tag -> title; the original language first
    synopses: dict[str, str]
    opening_offset_days: int = -7  # opening date relative to the catalog's first day
    three_d: bool = False


@dataclass(frozen=True)
class Category:
    code: str  # AreaCategoryCode / reelfeed Category
    description: str
    base_minor: int  # adult price in minor units of the cinema's currency


@dataclass(frozen=True)
class TicketType:
    code: str
    description: str
    percent: int  # of the adult price


@dataclass(frozen=True)
class Flavour:
    system: str
    cities: tuple[City, ...]
    films: tuple[Film, ...]
    categories: tuple[Category, Category]  # (standard, premium)
    ticket_types: tuple[TicketType, ...]
    skip_io_rows: bool  # row letters skip I and O
    house_seats: bool  # the layout reserves some seats for the house
    first_session_no: int = 10000
    # A price multiplier per currency, so one category table serves several currencies.
    currency_factor: dict[str, float] = field(default_factory=dict)

    def cinema_id(self, index: int) -> str:
        if self.system == "restline":
            return f"C{index + 1:02d}"
        if self.system == "soapbox":
            return str(1001 + index)
        return f"DE{index + 1:04d}"


_TA_SYN = "ஒரு வேட்டைக்காரனின் கடைசி இரவு."
_HI_SYN = "एक शिकारी की आखिरी रात।"

RESTLINE = Flavour(
    system="restline",
    cities=(
        City(
            "Chennai",
            "IN",
            "Asia/Kolkata",
            "INR",
            "ta",
            ("Velachery", "Anna Nagar", "Vadapalani", "T Nagar", "Adyar"),
        ),
        City(
            "Bengaluru",
            "IN",
            "Asia/Kolkata",
            "INR",
            "kn",
            ("Koramangala", "Whitefield", "Jayanagar", "Indiranagar", "Malleshwaram"),
        ),
    ),
    films=(
        Film(
            "HO00000720",
            "ta",
            148,
            "UA",
            ("Action", "Drama"),
            {"ta": "காலா வேட்டை", "en": "Kaala Vettai", "hi-IN": "काला शिकार"},
            {"ta": _TA_SYN, "en": "The last night of a hunter.", "hi-IN": _HI_SYN},
            three_d=True,
        ),
        Film(
            "HO00000721",
            "hi",
            162,
            "UA",
            ("Drama", "Romance"),
            {"hi": "दिल की सड़क", "en": "Road of the Heart", "ta-IN": "இதயத்தின் சாலை"},
            {"hi": "दो अजनबी, एक सफ़र।", "en": "Two strangers, one journey."},
        ),
        Film(
            "HO00000722",
            "en",
            121,
            "U",
            ("Animation", "Family"),
            {"en": "Paper Tigers", "ta-IN": "காகிதப் புலிகள்", "hi-IN": "कागज़ के बाघ"},
            {"en": "Origami animals come alive.", "ta-IN": "ஓரிகாமி விலங்குகள் உயிர் பெறுகின்றன."},
            three_d=True,
        ),
        Film(
            "HO00000723",
            "kn",
            139,
            "A",
            ("Thriller",),
            {"kn": "ಮಳೆಯ ರಾತ್ರಿ", "en": "Night of Rain"},
            {"kn": "ಮಳೆಯಲ್ಲಿ ಒಂದು ರಹಸ್ಯ.", "en": "A secret in the rain."},
        ),
        Film(
            "HO00000724",
            "ta",
            155,
            "UA",
            ("Action",),
            {"ta": "சிங்கம் திரும்பும்", "en": "The Lion Returns"},
            {"ta": "சிங்கம் மீண்டும் வருகிறது.", "en": "The lion is back."},
        ),
        Film(
            "HO00000725",
            "en",
            98,
            "U",
            ("Comedy",),
            {"en": "Monsoon Wedding Planner", "hi-IN": "मानसून वेडिंग प्लानर"},
            {"en": "Rain, relatives and a wedding."},
        ),
    ),
    categories=(Category("0000000002", "Silver", 18000), Category("0000000001", "Gold", 25000)),
    ticket_types=(TicketType("0001", "Adult", 100), TicketType("0002", "Child", 70)),
    skip_io_rows=False,
    house_seats=False,
)

SOAPBOX = Flavour(
    system="soapbox",
    cities=(
        City(
            "Mumbai",
            "IN",
            "Asia/Kolkata",
            "INR",
            "hi",
            ("Andheri", "Bandra", "Powai", "Colaba", "Juhu"),
        ),
        City(
            "London",
            "GB",
            "Europe/London",
            "GBP",
            "en",
            ("Leicester Square", "Camden", "Brixton", "Wembley", "Greenwich"),
        ),
    ),
    films=(
        Film(
            "HO00000101",
            "hi",
            158,
            "UA",
            ("Drama", "Music"),
            {"hi": "सुरों का सफ़र", "en": "Journey of Notes", "ta": "இசைப் பயணம்"},
            {"hi": "एक गायक की कहानी।", "en": "The story of a singer.", "ta": "ஒரு பாடகரின் கதை."},
        ),
        Film(
            "HO00000102",
            "en",
            132,
            "12A",
            ("Action", "Thriller"),
            {"en": "Northern Line", "hi": "नॉर्दर्न लाइन"},
            {"en": "A heist on the last train.", "hi": "आखिरी ट्रेन में डकैती।"},
            three_d=True,
        ),
        Film(
            "HO00000103",
            "ta",
            149,
            "UA",
            ("Action", "Drama"),
            {"ta": "கடல் ராஜா", "en": "King of the Sea", "hi": "समुद्र का राजा"},
            {"ta": "கடலோர கிராமத்தின் கதை.", "en": "A story of a coastal village."},
        ),
        Film(
            "HO00000104",
            "en",
            104,
            "U",
            ("Animation", "Family"),
            {"en": "The Clockwork Fox", "hi": "घड़ीसाज़ लोमड़ी"},
            {"en": "A fox made of gears.", "hi": "गियर से बनी एक लोमड़ी।"},
            three_d=True,
        ),
        Film(
            "HO00000105",
            "hi",
            141,
            "A",
            ("Crime",),
            {"hi": "काली रात", "en": "Black Night"},
            {"hi": "शहर की सबसे लंबी रात।", "en": "The longest night in the city."},
        ),
    ),
    categories=(
        Category("0000000001", "Standard", 20000),
        Category("0000000002", "Premium", 32000),
    ),
    ticket_types=(
        TicketType("0001", "Adult", 100),
        TicketType("0002", "Child", 75),
        TicketType("0003", "Senior", 80),
    ),
    skip_io_rows=True,
    house_seats=True,
    currency_factor={"INR": 1.0, "GBP": 0.05},
)

REELFEED = Flavour(
    system="reelfeed",
    cities=(
        City("Berlin", "DE", "Europe/Berlin", "EUR", "de", ("Mitte", "Kreuzberg", "Spandau")),
        City("München", "DE", "Europe/Berlin", "EUR", "de", ("Schwabing", "Sendling")),
        City("Köln", "DE", "Europe/Berlin", "EUR", "de", ("Ehrenfeld", "Deutz")),
        City("Düsseldorf", "DE", "Europe/Berlin", "EUR", "de", ("Altstadt", "Bilk")),
    ),
    films=(
        Film(
            "RF10023",
            "de",
            124,
            "FSK12",
            ("Drama",),
            {
                "de": "Die Brücke über die Spree",
                "en": "The Bridge over the Spree",
                "fr": "Le pont sur la Spree",
            },
            {
                "de": "Zwei Brüder, eine Stadt, große Träume.",
                "en": "Two brothers, one city.",
                "fr": "Deux frères, une ville.",
            },
        ),
        Film(
            "RF10024",
            "en",
            131,
            "FSK16",
            ("Thriller",),
            {"en": "Cold Harbour", "de": "Kalter Hafen"},
            {"en": "A ferry, a storm, a lie.", "de": "Eine Fähre, ein Sturm, eine Lüge."},
            three_d=True,
        ),
        Film(
            "RF10025",
            "de",
            96,
            "FSK0",
            ("Animation", "Familie"),
            {"de": "Fräulein Öztürks Bären", "en": "Miss Öztürk's Bears"},
            {
                "de": "Bären im Schrebergarten - Spaß für Groß und Klein.",
                "en": "Bears in the allotment garden.",
            },
        ),
        Film(
            "RF10026",
            "fr",
            112,
            "FSK6",
            ("Komödie",),
            {"fr": "Les Étés de Lucie", "de": "Die Sommereier"},
            {"fr": "Une comédie légère.", "de": "Eine leichte Komödie über Süßes."},
        ),
        Film(
            "RF10027",
            "de",
            150,
            "FSK12",
            ("Historie", "Drama"),
            {"de": "Größenwahn in Weißensee", "en": "Megalomania in Weissensee"},
            {"de": "Aufstieg und Fall eines Fabrikanten.", "en": "Rise and fall of a maker."},
        ),
    ),
    categories=(Category("PARKETT", "Parkett", 1100), Category("LOGE", "Loge", 1450)),
    ticket_types=(
        TicketType("ERW", "Erwachsene", 100),
        TicketType("ERM", "Ermäßigt", 80),
        TicketType("KIND", "Kinder", 60),
    ),
    skip_io_rows=True,
    house_seats=True,
)

FLAVOURS = {f.system: f for f in (RESTLINE, SOAPBOX, REELFEED)}
