"""The things a question names — countries, SKUs, products, categories, channels, marketplaces, "top N",
thresholds — resolved against the tenant's own vocabulary.

Why against the vocabulary: a filter is only useful when it names a value that exists in the data
("the UK" must become "United Kingdom" as spelled in the file, "white hanging heart" must become SKU
85123A). Values that do not resolve are reported in notes instead of silently filtering everything out.
The functions work on text already normalised by `periods.normalise` (same length as the question, so
positions can be blanked as they are consumed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from ecomintel.db.vocab import Vocab
from ecomintel.errors import PlanError

# Alias groups: any spelling in a group names the member that exists in the tenant's data.
COUNTRY_ALIASES: tuple[tuple[str, ...], ...] = (
    ("united kingdom", "uk", "u.k.", "britain", "great britain", "england", "gb", "the uk"),
    ("usa", "united states", "united states of america", "u.s.", "u.s.a.", "america", "us"),
    ("eire", "ireland", "republic of ireland"),
    ("netherlands", "the netherlands", "holland"),
    ("germany", "deutschland"),
    ("czech republic", "czechia"),
    ("rsa", "south africa"),
    ("united arab emirates", "uae"),
)
# Adjectives and nicknames of countries ("Swiss customers", "the German market", "aussie buyers"): read as the
# country only before a word for customers or trade, because "french blue metal door sign" is a product.
DEMONYMS: dict[str, str] = {
    "british": "united kingdom", "brit": "united kingdom", "brits": "united kingdom", "english": "united kingdom",
    "scottish": "united kingdom", "welsh": "united kingdom", "irish": "ireland", "german": "germany",
    "french": "france", "spanish": "spain", "portuguese": "portugal", "italian": "italy", "dutch": "netherlands",
    "belgian": "belgium", "swiss": "switzerland", "austrian": "austria", "danish": "denmark", "swedish": "sweden",
    "norwegian": "norway", "finnish": "finland", "icelandic": "iceland", "polish": "poland", "czech": "czech republic",
    "greek": "greece", "cypriot": "cyprus", "maltese": "malta", "lithuanian": "lithuania", "israeli": "israel",
    "lebanese": "lebanon", "saudi": "saudi arabia", "emirati": "united arab emirates", "bahraini": "bahrain",
    "japanese": "japan", "singaporean": "singapore", "australian": "australia", "aussie": "australia",
    "aussies": "australia", "canadian": "canada", "american": "usa", "brazilian": "brazil",
    "south african": "south africa", "chinese": "china", "indian": "india", "mexican": "mexico",
}
_TRADE_WORDS = (r"customers?|buyers?|clients?|shoppers?|accounts?|markets?|orders?|sales|revenue|business|shops?"
                r"|stores?|retailers?|wholesalers?|trade|demand|spend|purchases?")
# Countries a question may name although the tenant never sold there. They still filter (the honest answer
# to "revenue in Japan" is 0, not the all-country total) and a note says the data has no such country.
WORLD_COUNTRIES = (
    "afghanistan", "albania", "algeria", "argentina", "armenia", "australia", "austria", "azerbaijan",
    "bahrain", "bangladesh", "belarus", "belgium", "bolivia", "bosnia", "brazil", "bulgaria", "cambodia",
    "cameroon", "canada", "chile", "china", "colombia", "costa rica", "croatia", "cuba", "cyprus",
    "czech republic", "denmark", "ecuador", "egypt", "estonia", "ethiopia", "finland", "france", "georgia",
    "germany", "ghana", "greece", "hong kong", "hungary", "iceland", "india", "indonesia", "iran", "iraq",
    "ireland", "israel", "italy", "jamaica", "japan", "jordan", "kazakhstan", "kenya", "kuwait", "latvia",
    "lebanon", "lithuania", "luxembourg", "malaysia", "malta", "mexico", "moldova", "monaco", "morocco",
    "nepal", "netherlands", "new zealand", "nigeria", "norway", "oman", "pakistan", "panama", "peru",
    "philippines", "poland", "portugal", "qatar", "romania", "russia", "saudi arabia", "serbia", "singapore",
    "slovakia", "slovenia", "south africa", "south korea", "korea", "spain", "sri lanka", "sweden",
    "switzerland", "taiwan", "thailand", "tunisia", "turkey", "ukraine", "united arab emirates",
    "united kingdom", "uruguay", "usa", "venezuela", "vietnam",
)
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
                "fifty": 50, "hundred": 100, "a dozen": 12, "dozen": 12}
_N = r"(\d{1,5}|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + ")"
_EXCLUDERS = r"(?:excluding|exclude|excl\.?|except(?:\s+for)?|without|not(?:\s+in)?|ex|other\s+than|apart\s+from|outside(?:\s+of)?|besides|but\s+not|minus|non)"

# Words that carry the question's structure, not a product name (they never start a product match).
STOPWORDS = frozenset(["a", "an", "the", "of", "in", "on", "at", "for", "to", "from", "by", "with", "and", "or", "vs", "versus", "per", "each", "every", "all", "any", "me", "my", "our", "we", "us", "i", "you", "your", "is", "are", "was", "were", "be", "been", "do", "does", "did", "done", "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "much", "many", "show", "give", "list", "tell", "find", "get", "see", "display", "please", "can", "could", "would", "should", "will", "shall", "let", "lets", "let's", "this", "that", "these", "those", "it", "its", "their", "them", "there", "here", "than", "then", "so", "as", "into", "over", "under", "about", "up", "down", "out", "most", "least", "more", "less", "best", "worst", "top", "bottom", "highest", "lowest", "biggest", "largest", "smallest", "leading", "number", "total", "overall", "amount", "average", "avg", "mean", "sum", "count", "sold", "sell", "sells", "selling", "sale", "sales", "revenue", "revenues", "turnover", "income", "units", "unit", "quantity", "quantities", "qty", "volume", "orders", "order", "invoices", "invoice", "transactions", "customers", "customer", "buyers", "shoppers", "clients", "aov", "basket", "value", "spend", "product", "products", "item", "items", "sku", "skus", "stockcode", "code", "country", "countries", "market", "markets", "region", "regions", "category", "categories", "channel", "channels", "marketplace", "marketplaces", "day", "days", "daily", "week", "weeks", "weekly", "month", "months", "monthly", "quarter", "quarters", "quarterly", "year", "years", "yearly", "hour", "hours", "hourly", "time", "weekday", "weekdays", "trend", "trends", "change", "changed", "changes", "compare", "compared", "comparison", "difference", "growth", "grow", "grew", "increase", "decrease", "drop", "dropped", "fell", "rise", "rose", "decline", "declined", "performance", "performing", "perform", "performed", "did", "why", "explain", "reason", "reasons", "driver", "drivers", "drove", "caused", "cause", "breakdown", "split", "share", "distribution", "pattern", "patterns", "returns", "return", "returned", "refunds", "refund", "cancellations", "cancelled", "cancellation", "movers", "mover", "risers", "fallers", "gainers", "losers", "made", "make", "makes", "generated", "generate", "earn", "earned", "last", "this", "next", "previous", "prior", "past", "since", "until", "between", "during", "vs.", "excluding", "except", "without", "not", "only", "just", "also", "new", "old", "same", "period", "periods", "date", "dates", "range", "today", "yesterday", "ytd", "mtd", "week's", "month's", "year's", "overview", "summary", "kpi", "kpis", "headline", "numbers", "figures", "stats", "statistics", "report", "doing", "going", "went", "look", "popular", "performers", "performer", "like", "bought", "buy", "purchased", "ordered", "shipped", "net", "gross", "value", "values", "per", "cent", "percent", "percentage", "rate"])


@dataclass
class Entities:
    """What `find_entities` resolved, the notes explaining it, and the character spans it consumed."""

    countries: list[str] = field(default_factory=list)
    exclude_countries: list[str] = field(default_factory=list)
    skus: list[str] = field(default_factory=list)
    exclude_skus: list[str] = field(default_factory=list)  # "UK sales excluding 85123A"
    found_at: list[tuple[int, str]] = field(default_factory=list)  # where each SKU was named (exclusions)
    products: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    marketplaces: list[str] = field(default_factory=list)
    top_n: int | None = None
    order: str | None = None
    thresholds: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    consumed: list[tuple[int, int]] = field(default_factory=list)


class _Text:
    """The question with consumed parts blanked out (positions never shift)."""

    def __init__(self, text: str) -> None:
        self.value = text
        self.consumed: list[tuple[int, int]] = []

    def take(self, a: int, b: int) -> None:
        self.value = self.value[:a] + " " * (b - a) + self.value[b:]
        self.consumed.append((a, b))


def country_lookup(vocab: Vocab) -> dict[str, str]:
    """Lower-case spelling (names in the data + aliases) → the country as spelled in the data."""
    lookup = {c.lower(): c for c in vocab.countries}
    for group in COUNTRY_ALIASES:
        present = [lookup[name] for name in group if name in lookup]
        if present:
            for name in group:
                lookup.setdefault(name, present[0])
    return lookup


def resolve_country(name: str, vocab: Vocab) -> str | None:
    """A country as spelled in the data for a name or alias ('UK', 'Ireland', 'Germnay'), else None."""
    lookup = country_lookup(vocab)
    key = name.strip().lower()
    if key in lookup:
        return lookup[key]
    match = process.extractOne(key, list(lookup), scorer=fuzz.ratio, score_cutoff=85)
    return lookup[match[0]] if match and match[0][:1] == key[:1] else None


def _find_countries(t: _Text, original: str, vocab: Vocab, out: Entities) -> None:
    lookup = country_lookup(vocab)
    absent: set[str] = set()
    for name in WORLD_COUNTRIES:
        if name not in lookup:
            lookup[name] = name.upper() if len(name) <= 3 else name.title()
            absent.add(lookup[name])
    names = sorted((n for n in lookup if n != "us"), key=len, reverse=True)
    hits: list[tuple[int, int, str]] = []
    if names:
        pattern = r"(?<![\w.])(" + "|".join(re.escape(n) for n in names) + r")(?![\w])"
        hits += [(m.start(), m.end(), lookup[m.group(1)]) for m in re.finditer(pattern, t.value)]
    if "us" in lookup:  # "US" only in capitals ("show us" is not a country)
        hits += [(m.start(), m.end(), lookup["us"]) for m in re.finditer(r"(?<![\w.])US(?![\w.])", original)
                 if t.value[m.start():m.end()] == "us"]
    demonyms = "|".join(re.escape(d) for d in sorted(DEMONYMS, key=len, reverse=True))
    for m in re.finditer(rf"(?<![\w.])({demonyms})(?:\s+markets?\b|(?=\s+(?:{_TRADE_WORDS})\b))", t.value):
        if DEMONYMS[m.group(1)] in lookup:  # "the German market" is Germany, not a split by market
            hits.append((m.start(), m.end(), lookup[DEMONYMS[m.group(1)]]))
    # typos of countries in the data: 5+ letter words, same first letter, ratio >= 85
    taken = {(a, b) for a, b, _ in hits}
    data_names = {c.lower(): c for c in vocab.countries}
    for m in re.finditer(r"[a-z]{5,}", t.value):
        if (m.start(), m.end()) in taken or m.group(0) in STOPWORDS or m.group(0) in data_names:
            continue
        best = process.extractOne(m.group(0), list(data_names), scorer=fuzz.ratio, score_cutoff=85)
        if best and best[0][:1] == m.group(0)[:1] and " " not in best[0]:
            hits.append((m.start(), m.end(), data_names[best[0]]))
            out.notes.append(f"Read '{m.group(0)}' as {data_names[best[0]]}.")
    hits.sort()
    excluding = False
    last_end = -1
    for a, b, country in hits:
        if any(a < e and s < b for s, e in t.consumed):
            continue
        before = t.value[max(0, last_end if last_end >= 0 else 0):a] if last_end >= 0 else ""
        lead = t.value[max(0, a - 40):a]
        if re.search(_EXCLUDERS + r"[\s-]+(?:the\s+)?$", lead):
            excluding = True
        elif not (excluding and re.fullmatch(r"[\s,]*(?:and|or|,|&|nor)?[\s,]*(?:the\s+)?", before)):
            excluding = False
        target = out.exclude_countries if excluding else out.countries
        if country not in target:
            target.append(country)
        if country in absent:
            out.notes.append(f"{country} does not appear in your sales data, so its figures are zero.")
        word = original[a:b]
        if word.lower() != country.lower():
            out.notes.append(f"'{word}' → {country} (as spelled in your data).")
        t.take(a, b)
        last_end = b
    # a country both included and excluded ("all countries except the UK") is excluded only
    out.countries = [c for c in out.countries if c not in out.exclude_countries]


def _settle_exclusions(t: _Text, out: Entities) -> None:
    """Move the SKUs named to be left out from `skus` to `exclude_skus`, once every name is blanked out: an
    excluding word before an item ("excluding 85123A", "except the cakestand"), or before a list the item
    belongs to ("excl. the regency cakestand and 85123A": only blanks and list words sit between)."""
    for start, sku in sorted(out.found_at):
        lead = re.sub(r"\s+", " ", t.value[max(0, start - 80):start])
        if re.search(_EXCLUDERS + r"(?: the| our)?(?: sku| stock ?code| items?| products?)?(?: ?#)?"
                                  r"(?:(?: ?,| and| or| nor| &)? (?:the )?)* ?$", lead):
            if sku in out.skus:
                out.skus.remove(sku)
            if sku not in out.exclude_skus:
                out.exclude_skus.append(sku)
                out.notes.append(f"Excluded: SKU {sku}.")


def _add_sku(sku: str, start: int, out: Entities) -> None:
    if sku not in out.skus:
        out.skus.append(sku)
    out.found_at.append((start, sku))


def _find_skus(t: _Text, original: str, vocab: Vocab, out: Entities) -> None:
    upper: dict[str, str] = {}
    for sku in vocab.catalogue:  # an exact-case code wins; among case variants, the upper-case one
        if sku.upper() not in upper or sku == sku.upper():
            upper[sku.upper()] = sku
    for m in re.finditer(r"(?<![\w-])([a-z0-9][a-z0-9_-]{2,19})(?![\w-])", t.value):
        token = m.group(1)
        cue = re.search(r"(?:sku|stock\s*code|item|product|code|article|#)\s*:?\s*#?$", t.value[:m.start()])
        if token.upper() in upper and (cue or (any(ch.isdigit() for ch in token) and len(token) >= 4)):
            typed = original[m.start():m.end()]
            sku = typed if typed in vocab.catalogue else upper[token.upper()]
            if sku not in out.skus:
                out.notes.append(f"SKU {sku} = {vocab.catalogue[sku]}.")
            _add_sku(sku, cue.start() if cue else m.start(), out)
            t.take(cue.start() if cue else m.start(), m.end())  # "SKU 22423" is a filter, not a grouping
        elif cue and re.fullmatch(r"\d{4,6}[a-z]{0,3}", token):
            raise PlanError(f"There is no SKU '{token.upper()}' in your sales data.",
                            "Check the code, or name the product instead.")


def match_products(phrase: str, catalogue: dict[str, str], limit: int = 20) -> list[tuple[str, str, float]]:
    """Products whose name best matches `phrase`: [(sku, name, score)], all tied at the best score.

    token_set_ratio scores a phrase fully contained in a name as 100 ("white hanging heart" in "WHITE
    HANGING HEART T-LIGHT HOLDER"), and tolerates small typos. Only matches scoring ≥ 85 count.
    """
    if not catalogue or not phrase.strip():
        return []
    skus = list(catalogue)
    names = [catalogue[s].lower() for s in skus]
    found = process.extract(phrase.lower(), names, scorer=fuzz.token_set_ratio, limit=200, score_cutoff=85)
    if not found:
        return []
    best = max(score for _, score, _ in found)
    top = [(skus[i], catalogue[skus[i]], float(score)) for _, score, i in found if score >= best - 0.01]
    # a name (almost) equal to the phrase beats names that merely share its words
    exact = [r for r in top if fuzz.token_sort_ratio(phrase.lower(), r[1].lower()) >= 95]
    top = exact or top
    # SKU codes that differ only by case ("85123A" / "85123a") with the same name: the canonical upper-case one
    codes = {sku for sku, _, _ in top}
    top = [r for r in top if r[0] == r[0].upper() or r[0].upper() not in codes]
    # prefer names that contain the phrase's words in order (tie-break among equals), then shorter names
    top.sort(key=lambda r: (-r[2], phrase.lower() not in r[1].lower(), len(r[1])))
    return top[:limit]


def _find_products(t: _Text, vocab: Vocab, out: Entities) -> None:
    if not vocab.catalogue:
        return
    name_words = {w for name in vocab.catalogue.values() for w in re.findall(r"[a-z0-9']+", name.lower())}
    quoted = list(re.finditer(r"[\"“]([^\"”]{2,80})[\"”]", t.value))
    runs: list[tuple[int, int, str]] = [(m.start(), m.end(), m.group(1)) for m in quoted]
    if not quoted:
        for m in re.finditer(r"[a-z][a-z0-9'&/-]*(?:\s+[a-z0-9][a-z0-9'&/-]*)*", t.value):
            words = m.group(0).split()
            start = m.start()
            current: list[tuple[int, str]] = []
            pos = start
            for w in words:
                idx = t.value.index(w, pos)
                pos = idx + len(w)
                if w in STOPWORDS or w.isdigit():
                    if current:
                        runs.append((current[0][0], current[-1][0] + len(current[-1][1]),
                                     " ".join(x for _, x in current)))
                    current = []
                else:
                    current.append((idx, w))
            if current:
                runs.append((current[0][0], current[-1][0] + len(current[-1][1]),
                             " ".join(x for _, x in current)))
    for a, b, phrase in runs:
        words = phrase.split()
        known = [w for w in words if w in name_words or any(fuzz.ratio(w, n) >= 85 for n in name_words
                                                            if n[:1] == w[:1] and abs(len(n) - len(w)) <= 2)]
        cue = re.search(r"\b(?:of|for|about|on|containing|named|called|product|item)\s+(?:the\s+|our\s+)?$",
                        t.value[:a])
        if len(words) < 2 and not (quoted or (cue and len(phrase) >= 4 and phrase in name_words)):
            continue
        if 2 * len(known) < len(words):  # mostly words that no product name uses: not a product
            continue
        matches = match_products(phrase, vocab.catalogue)
        if not matches:  # retry with each word spelled as the catalogue spells its nearest word
            fixed = " ".join(w if w in name_words else _closest(w, name_words) for w in words)
            matches = match_products(fixed, vocab.catalogue) if fixed != phrase else []
        if not matches:
            continue
        if len(matches) > 20 or (len(words) == 1 and len(matches) > 5):
            out.products.append(phrase)
            out.notes.append(f"Products whose name contains '{phrase}'.")
        else:
            for sku, _name, _ in matches:
                _add_sku(sku, a, out)
            listed = "; ".join(f"{sku} {name}" for sku, name, _ in matches[:3])
            more = f" and {len(matches) - 3} more" if len(matches) > 3 else ""
            out.notes.append(f"'{phrase}' → {listed}{more}.")
        t.take(a, b)


def _closest(word: str, vocabulary: set[str]) -> str:
    """The vocabulary word nearest to `word` (same first letter, ratio ≥ 85), else `word` itself."""
    pool = [n for n in vocabulary if n[:1] == word[:1] and abs(len(n) - len(word)) <= 2]
    best = process.extractOne(word, pool, scorer=fuzz.ratio, score_cutoff=85) if pool else None
    return best[0] if best else word


def _find_named(t: _Text, values: tuple[str, ...], label: str, target: list[str], out: Entities) -> None:
    """Channels / marketplaces: only with a cue ("on amazon", "amazon marketplace") — many are plain words."""
    for value in sorted(values, key=len, reverse=True):
        v = re.escape(value.lower())
        cue = (rf"\b(?:on|via|through|from|at|in)\s+(?:the\s+)?({v})\b"
               rf"|\b({v})\s+(?:marketplace|channel|store|shop|site|website|sales|orders|revenue)\b"
               rf"|\b{label}\s*(?:=|:|is)?\s*({v})\b")
        m = re.search(cue, t.value)
        if m:
            group = next(g for g in (1, 2, 3) if m.group(g))
            if value not in target:
                target.append(value)
            t.take(*m.span(group))


def _find_categories(t: _Text, vocab: Vocab, out: Entities) -> None:
    segments: dict[str, str] = {}
    for cat in vocab.categories:
        for seg in [cat, *re.split(r"[|>/]", cat)]:
            seg = seg.strip()
            if len(seg) >= 4:
                segments.setdefault(seg.lower(), seg)
    for low in sorted(segments, key=len, reverse=True):
        m = re.search(rf"(?<![\w]){re.escape(low)}(?![\w])", t.value)
        if m and low not in STOPWORDS:
            if segments[low] not in out.categories:
                out.categories.append(segments[low])
            t.take(*m.span())


def _find_top_n(t: _Text, out: Entities) -> None:
    first = re.search(r"#\s*1\b|\bnumber\s+one\b|\bno\.?\s*1\b|\bsingle\s+(?:best|biggest|top)\b", t.value)
    if first:  # "our #1 customer": the single best
        out.top_n, out.order = 1, "desc"
        t.take(*first.span())
        return
    asc = {"bottom", "worst", "lowest", "smallest", "least", "fewest", "weakest", "slowest"}
    pattern = (rf"\b(?P<w>top|best|bottom|worst|first|highest|lowest|biggest|largest|smallest|leading|least)"
               rf"[\s-]*(?P<n>{_N})\b(?!\s*%)"
               rf"|\b(?P<n2>{_N})\s+(?P<w2>best|worst|top|bottom|biggest|highest|lowest|largest|smallest|most|least|fewest|leading|weakest|slowest)\b"
               rf"|\b(?:which|what|the|our|list)\s+(?P<n3>{_N})\s+(?=(?:[a-z-]+\s+)?(?:products?|items?|skus?|countries|markets|categories|channels|marketplaces|customers|custs|clients|buyers"
               rf"|shoppers|accounts|months|weeks|days|hours|quarters)\b)")
    m = re.search(pattern, t.value)
    if not m:
        return
    group = "n" if m.group("n") else "n2" if m.group("n2") else "n3"
    raw = m.group(group)
    word = m.group("w") or m.group("w2") or ""
    n = int(raw) if raw.isdigit() else NUMBER_WORDS[raw]
    if n < 1:
        raise PlanError(f"'{m.group(0).strip()}': N must be at least 1.")
    if n > 100:
        out.notes.append(f"Asked for {n} rows.")  # make_plan caps N and says to what
    out.top_n = min(n, 100)
    out.order = ("asc" if word in asc else "desc") if word else None  # "which 5 products": the planner decides
    t.take(*m.span(group))  # the word ("best", "worst") still tells the planner


def _find_thresholds(t: _Text, out: Entities) -> None:
    more = r"(?:more\s+than|over|above|at\s+least|greater\s+than|exceeding|in\s+excess\s+of|>=?|≥)"
    less = r"(?:less\s+than|under|below|at\s+most|fewer\s+than|<=?|≤)"
    num = r"[£$€₹]?\s*(\d+(?:[.,]\d+)?)\s*(%|percent|per\s+cent|pct)?"
    for direction, words in (("min", more), ("max", less)):
        for m in re.finditer(rf"\b(?:by\s+)?{words}\s*{num}", t.value):
            value = float(m.group(1).replace(",", "."))
            kind = "pct" if m.group(2) else "value"
            out.thresholds[f"{direction}_{kind}"] = value
            t.take(*m.span())


def find_entities(text: str, original: str, vocab: Vocab) -> Entities:
    """Resolve what `text` names (normalised question with period phrases blanked) against `vocab`.

    `original` is the question as typed (same length), used where case matters ("US" vs "us").
    """
    out = Entities()
    t = _Text(text)
    _find_thresholds(t, out)  # first: "at least 12%" is a threshold, not "least 12"
    _find_top_n(t, out)
    _find_countries(t, original, vocab, out)
    _find_skus(t, original, vocab, out)
    _find_named(t, vocab.marketplaces, "marketplace", out.marketplaces, out)
    _find_named(t, vocab.channels, "channel", out.channels, out)
    _find_categories(t, vocab, out)
    _find_products(t, vocab, out)
    _settle_exclusions(t, out)
    out.consumed = t.consumed
    return out
