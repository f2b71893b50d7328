"""A small reviews tenant with known content for the sentiment tests: a product whose reviews turn bad, a steady
one, planted feature requests and complaints, a spam review; loaded through the real ingest pipeline."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta

from ecomintel.config import load_settings
from ecomintel.db.repository import Repository
from ecomintel.ingest.pipeline import IngestResult, ingest_file

SETTINGS = load_settings({})
START = date(2024, 1, 1)
GOOD = ["Love this top, the fabric is soft and it fits true to size.", "Beautiful colour and so comfortable, I wear it "
        "every week.", "Great quality for the price, the stitching is neat and it washes well.",
        "Perfect fit and flattering cut, I got many compliments.", "Really happy with it, soft fabric and lovely "
        "colour."]
BAD = ["Runs small and the fabric is thin and cheap, I returned it.", "Terrible quality, the seams ripped after one "
       "wash and it shrank.", "Awful fit, too tight in the shoulders and the material is scratchy. Returned it.",
       "Very disappointed, it runs small and looks nothing like the picture.", "Poor quality fabric, see-through "
       "and itchy, sending it back."]
REQUESTS = [("I wish it had pockets, otherwise a lovely top.", 4), ("Nice shirt. Please make it in navy!", 5),
            ("It would be nice with pockets, the fabric is great.", 4), ("Soft and warm; I wish it came in petite.", 4)]
# neutral filler so that no two planted reviews are near-copies of each other (the spam check would flag them)
FILLER = """table window river morning garden station ticket kitchen office market bridge village harbour
mountain library museum corner street meadow island forest school castle tower valley lake cottage bakery
pharmacy airport subway avenue square plaza tunnel canal orchard vineyard barn attic cellar hallway balcony
porch terrace courtyard fountain statue gallery theatre cinema stadium arena temple chapel monastery""".split()  # noqa: SIM905
SPAM = ("Great deals at www.cheap-tops.example buy now with promo code SAVE50", 5)


def review_rows(seed: int = 3) -> list[dict[str, object]]:
    """P-WORSE: 30 good reviews in Jan–Mar then 30 bad ones in May–Jun 2024; P-STEADY: 40 good reviews over the
    whole span; 4 feature requests on P-STEADY; 1 spam review; a 5★ review with a plainly negative text."""
    rnd = random.Random(seed)
    rows: list[dict[str, object]] = []

    def tail() -> str:
        return "Wore it near the " + " ".join(rnd.sample(FILLER, 14)) + "."

    def add(sku: str, text: str, rating: int, day: date, author: str | None = None) -> None:
        rows.append({"review_id": f"r{len(rows):04d}", "product_id": sku, "category": "Tops" if sku != "P-DRESS"
                     else "Dresses", "rating": rating, "title": "", "review_text": text,
                     "author": author or f"user{len(rows)}", "date": day.isoformat()})

    for _i in range(30):
        add("P-WORSE", rnd.choice(GOOD) + " " + tail(), rnd.choice([4, 5]),
            START + timedelta(days=rnd.randrange(0, 90)))
    for _i in range(30):
        add("P-WORSE", rnd.choice(BAD) + " " + tail(), rnd.choice([1, 2]),
            date(2024, 5, 1) + timedelta(days=rnd.randrange(0, 60)))
    for _i in range(40):
        add("P-STEADY", rnd.choice(GOOD) + " " + tail(), rnd.choice([4, 5]),
            START + timedelta(days=rnd.randrange(0, 181)))
    for _i in range(20):
        add("P-DRESS", rnd.choice(BAD) + " " + tail(), rnd.choice([1, 2, 3]),
            START + timedelta(days=rnd.randrange(0, 181)))
    for text, rating in REQUESTS:
        add("P-STEADY", text, rating, START + timedelta(days=rnd.randrange(0, 181)))
    add("P-STEADY", SPAM[0], SPAM[1], date(2024, 3, 3))
    add("P-STEADY", "Horrible, it fell apart immediately and the colour is awful. Worst purchase ever.", 5,
        date(2024, 2, 2))
    return rows


def to_csv(rows: list[dict[str, object]]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode()


def load_reviews(repo: Repository, rows: list[dict[str, object]] | None = None,
                 file_name: str = "reviews.csv") -> IngestResult:
    result = ingest_file(repo, "reviews", to_csv(rows or review_rows()), settings=SETTINGS, file_name=file_name)
    assert result.status == "done", result.message
    return result
