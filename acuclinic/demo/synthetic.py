"""Synthetic identities that cannot belong to anyone: names, places, numbers, addresses.

- Phone numbers come from Ofcom's ranges reserved for drama (07700 900000–900999 for
  mobiles, 01632 960000–960999 for a landline with no real area), so nobody's phone rings.
- NHS numbers start with 999, a range the NHS never issues (used for test data), and
  still carry a correct modulus-11 check digit.
- Email addresses use the domains reserved for examples (RFC 2606).
- Towns are made up; their postcodes use areas that do not exist (no real postcode area
  has J as its second letter except Jersey's JE).
Given and family names are common British ones, combined at random.
"""

import random
import unicodedata

from acuclinic.people import nhs_number

FEMALE_NAMES = (  # noqa: SIM905 (a word list reads best as words)
    "Olivia Amelia Isla Ava Emily Sophie Grace Lily Freya Ella Charlotte Jessica Hannah "
    "Chloe Lucy Sarah Emma Rebecca Laura Rachel Claire Helen Karen Susan Julie Alison "
    "Nicola Joanne Deborah Margaret Patricia Elizabeth Katherine Jennifer Victoria Rosie "
    "Megan Zara Priya Aisha Fatima Amara Niamh Siobhan Bethan Carys Eilidh Mairi Anita "
    "Sunita Yasmin Maria Ewa Agnieszka Gemma Kirsty Jane Ruth Pauline Sandra Janet Linda "
    "Christine Angela Fiona Lorraine Harriet Abigail"
).split()
MALE_NAMES = (  # noqa: SIM905 (a word list reads best as words)
    "Oliver George Harry Jack Noah Charlie Thomas James William Daniel Matthew David "
    "Michael Christopher Andrew Paul Mark Stephen Richard Peter John Robert Ian Gary Neil "
    "Simon Steven Kevin Graham Martin Anthony Jonathan Adam Ben Sam Luke Ryan Jamie "
    "Callum Liam Connor Rhys Owen Dylan Gareth Euan Ross Mohammed Imran Arjun Ravi Sanjay "
    "Tariq Kwame Tomasz Piotr Marek Alan Keith Derek Brian Trevor Colin Hamish"
).split()
FAMILY_NAMES = (  # noqa: SIM905 (a word list reads best as words)
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson "
    "Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel "
    "Jackson Wood Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison "
    "Morgan Allen James Scott Phillips Watson Davis Parker Price Bennett Young Griffiths "
    "Mitchell Kelly Cook Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox "
    "Richards Khan Marshall Anderson Simpson Ellis Adams Singh Begum Wilkinson Foster "
    "Chapman Powell Webb Rogers Gray Mason Ali Hunt Hussain Campbell Matthews Owen Palmer "
    "Holmes Mills Barnes Knight Lloyd Butler Russell Barker Fisher Stevens Jenkins Murray "
    "Dixon Harvey Graham Pearson Ahmed Fletcher Walsh Kaur Gibson Howard Andrews Stewart "
    "Elliott Reynolds Saunders Payne Fox Ford Pearce Day Brooks West Lawrence Cole "
    "Atkinson Bradley Spencer Gill Dawson Ball Burton O'Brien Watts Rose Booth Perry Grant "
    "Wells Armstrong Francis Rees Hayes Hart Hudson Newman Barrett Webster Hunter Gregory "
    "Carr Lowe Page Marsh Riley Dunn Woods Parsons Berry Stone Reid Holland Hawkins "
    "Harding Porter Robertson Newton Oliver Reed Kennedy Williamson Bird Gardner Shah "
    "Byrne Nowak Kowalski Okafor Mensah Osei Nguyen Chen Wong Doherty McAllister Lefèvre"
).split()
# Formal names some people never use: the record keeps both.
SHORT_NAMES = {
    "Katherine": "Kate",
    "Elizabeth": "Liz",
    "Margaret": "Maggie",
    "Jennifer": "Jen",
    "Victoria": "Vicky",
    "Rebecca": "Becky",
    "Abigail": "Abi",
    "William": "Will",
    "Thomas": "Tom",
    "Christopher": "Chris",
    "Matthew": "Matt",
    "Robert": "Rob",
    "Jonathan": "Jon",
    "Anthony": "Tony",
    "Stephen": "Steve",
    "Michael": "Mike",
}

# Made-up towns, each with a postcode area that does not exist.
TOWNS = (
    ("Ashbridge", "AJ"),
    ("Millbrook Vale", "MJ"),
    ("Kingsmead", "KJ"),
    ("Fenwick Hill", "FJ"),
    ("Oakhurst", "OJ"),
    ("Brackenford", "BJ"),
    ("Elmsworth", "EJ"),
    ("Cresswell Moor", "CJ"),
    ("Thornleigh", "TJ"),
    ("Hartwell Green", "HJ"),
    ("Lowercombe", "LJ"),
    ("Saltmarsh Quay", "SJ"),
    ("Wrenfield", "WJ"),
    ("Pendlebrook", "PJ"),
    ("Greyhaven", "GJ"),
    ("Dunmere", "DJ"),
    ("Rookwood", "RJ"),
    ("Newholme", "NJ"),
    ("Yarrowby", "YJ"),
    ("Upper Tanning", "UJ"),
)
STREETS = (
    "Mill Lane",
    "Church Street",
    "High Street",
    "Station Road",
    "Victoria Road",
    "Park Avenue",
    "The Crescent",
    "Orchard Close",
    "Meadow Way",
    "Chapel Row",
    "Queen Street",
    "Brook Road",
    "Willow Drive",
    "Beech Grove",
    "Kings Road",
    "Canal Side",
    "Foundry Walk",
    "Weavers Court",
    "Ropewalk",
    "Tannery Lane",
)
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")
RELATIONSHIPS = ("Husband", "Wife", "Partner", "Daughter", "Son", "Mother", "Friend", "Sister")

DRAMA_MOBILE_PREFIX = "07700 900"
DRAMA_LANDLINE_PREFIX = "01632 960"
# Each drama range holds 1,000 numbers; larger demos share them (a household might too).
DRAMA_RANGE_SIZE = 1000


def postcode(rng: random.Random, area: str) -> str:
    """A postcode in a made-up area: 'AJ3 7QD'."""
    inward_letters = "ABDEFGHJLNPQRSTUWXYZ"  # the letters Royal Mail uses inward
    return (
        f"{area}{rng.randint(1, 9)} {rng.randint(1, 9)}"
        f"{rng.choice(inward_letters)}{rng.choice(inward_letters)}"
    )


def street_address(rng: random.Random) -> str:
    return f"{rng.randint(1, 140)} {rng.choice(STREETS)}"


class NumberPool:
    """Hands out drama-range numbers in a shuffled order, reusing the range when empty."""

    def __init__(self, rng: random.Random, prefix: str):
        self._numbers = [f"{prefix}{n:03d}" for n in range(DRAMA_RANGE_SIZE)]
        rng.shuffle(self._numbers)
        self._next = 0

    def take(self) -> str:
        number = self._numbers[self._next % DRAMA_RANGE_SIZE]
        self._next += 1
        return number


class NhsNumberPool:
    """Unique NHS numbers in the never-issued 999 range, each with a valid check digit."""

    def __init__(self, rng: random.Random):
        self._rng = rng
        self._used: set[str] = set()

    def take(self) -> str:
        while True:
            first_nine = f"999{self._rng.randrange(1_000_000):06d}"
            digit = nhs_number.check_digit(first_nine)
            number = f"{first_nine}{digit}"
            if digit is not None and number not in self._used:
                self._used.add(number)
                return number


def email_for(given: str, family: str, n: int, rng: random.Random) -> str:
    # Email addresses stay ASCII: "Lefèvre" becomes "lefevre", "O'Brien" "obrien".
    plain = unicodedata.normalize("NFKD", f"{given}.{family}".lower()).encode("ascii", "ignore")
    local = "".join(ch for ch in plain.decode() if ch.isalnum() or ch == ".")
    return f"{local}{n}@{rng.choice(EMAIL_DOMAINS)}"
