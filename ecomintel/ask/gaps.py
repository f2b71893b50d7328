"""Questions the tenant's data cannot answer: what each needs, how to say so, and what to ask instead.

Why a table: the honest answer to "what is our profit margin?" without cost data is "I can't: upload
product costs", not the revenue overview that happens to parse. Each row names a need, the words that
reveal it, the dataset that would make it answerable, and the sentence the user reads. A new agent (the
review, pricing or forecast issue) makes a row answerable by adding its intent to `ask/plan.py` and
checking for it before this table is consulted.

Words are matched on the normalised question (lower case). Patterns are written to avoid the in-scope
look-alikes: "stock code" and "stock adjustments" are sales data, "what did returns cost us" is the value
of returns, "return customers" are customers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ecomintel.ask.plan import Gap, Need
from ecomintel.db.vocab import Vocab


@dataclass(frozen=True)
class Requirement:
    """A capability the question needs: detecting words, the dataset behind it, and the user's sentence."""

    need: Need
    pattern: str
    missing: str  # what the tenant lacks, as a noun phrase
    remedy: str   # what would make it answerable: a sentence


# Other shops' sales, market share, industry figures: not in any dataset a tenant loads (listings are
# competitors' prices, not their sales). Checked before "listings", which "competitors" also names.
MARKET = (r"\bmarket\s+(?:share|size|growth)\b|\bshare\s+of\s+(?:the\s+)?market\b|\bindustry\s+(?:averages?|benchmarks?"
          r"|growth|sales|trends?|figures|data)\b|\b(?:other|rival|competing|competitors?'?s?)\s+(?:shops?|stores?"
          r"|retailers?|sellers?|brands?|companies|businesses)'?s?\s+(?:sales|revenues?|orders|customers|volumes?"
          r"|traffic|performance|doing|growth)\b|\bcompetitors?'?s?\s+(?:sales|revenues?|orders|customers|volumes?"
          r"|growth|performance)\b|\bhow\s+(?:are|is|were|was)\s+(?:other|rival|competing)\s+(?:shops?|stores?"
          r"|retailers?|sellers?|brands?)\b|\b(?:other|rival)\s+(?:shops?|stores?|retailers?)\b")

REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement("cost", r"\bprofit\w*|\bmargins?\b|\bcogs\b|\bcost\s+of\s+(?:goods|sales)|\bcost\s+prices?\b"
                        r"|\b(?:unit|product|item|purchase|landed|supplier)\s+costs?\b|\bmark[- ]?ups?\b"
                        r"|\bcosts\b(?!\s+us)|\bbreak[- ]?even\b|\bearnings\s+before|\bebitda\b",
                "product costs", "Upload products with a cost column (Upload → products) to make margin and "
                "profit answerable."),
    Requirement("reviews", r"\breviews?\b|\breviewers?\b|\bratings?\b|\brated\b|\bstars?\b|\bsentiment\w*"
                           r"|\bcomplain\w*|\bfeedback\b|\bsatisf\w*|\bnps\b|\bopinions?\b|\bunhappy\b"
                           r"|\bcustomers?\s+(?:say|think|feel|like|hate|love)\b|\bsaying\s+about\b",
                "product reviews", "Upload reviews (Upload → reviews) to make it answerable."),
    Requirement("market", MARKET, "market data (other shops' sales, market share, industry benchmarks)",
                "Your data holds your own sales; competitor listings give their prices, not their sales. Compare "
                "'revenue by month' with an industry report outside ecomintel."),
    Requirement("listings", r"\bcompetit\w*|\brivals?\b|\bother\s+sellers?\b|\bundercut\w*|\bprice\s+gaps?\b"
                            r"|\bprice\s+(?:position|positioning|comparison|benchmark|index|match\w*)"
                            r"|\bcheaper\s+than\b|\b(?:more|less)\s+expensive\s+than\b|\bmarket\s+prices?\b"
                            r"|\bbuy\s*box\b|\bprice\s+war\b",
                "competitor listings (marketplace prices of the same products)",
                "Upload competitor listings with prices (Upload → listings) to make it "
                "answerable."),
    Requirement("inventory", r"\binventory\b|\bstock\s*(?:levels?|on\s+hand|outs?|position|count|holding|left)\b"
                             r"|\bin\s+stock\b|\bout\s+of\s+stock\b|\bstockouts?\b|\bre-?order\w*|\breplenish\w*"
                             r"|\bstock(?:ing|ed)\s*-?\s*out\b|\bsold\s+out\b|\bsell(?:ing)?\s+out\b|\blow\s+(?:on\s+)?stock\b"
                             r"|\brun(?:ning)?\s+out\b|\bwarehouse\w*|\bon\s+hand\b|\bdays?\s+of\s+(?:cover|supply)"
                             r"|\boverstock\w*|\bsell[- ]through\b|\bsafety\s+stock\b|\blead\s+times?\b"
                             r"|\bhow\s+much\s+stock\b|\bunits?\s+(?:left|remaining)\b",
                "stock levels", "Upload products with inventory_level and lead_time_days columns to make "
                "stock questions answerable."),
    Requirement("marketing", r"\bad(?:vert\w*|s)?\s*spend\w*|\badverti\w*|\bads\b|\bmarketing\b|\bcampaigns?\b"
                             r"|\broas\b|\bcac\b|\bcpc\b|\bcpa\b|\bcpm\b|\bacquisition\s+costs?\b|\bpaid\s+search\b"
                             r"|\bppc\b|\bgoogle\s+ads\b|\bfacebook\s+ads\b|\binfluencers?\b|\bnewsletters?\b"
                             r"|\bemail\s+(?:campaigns?|blasts?)\b|\bcoupons?\b|\bvouchers?\s+codes?\b"
                             r"|\bopen\s+rates?\b|\bsubscribers?\b|\bunsubscrib\w*|\bsocial\s+media\b|\bseo\b",
                "marketing spend and campaign data", "ecomintel does not load marketing data yet; compare an export of daily "
                "spend with 'revenue by day'."),
    Requirement("traffic", r"\btraffic\b|\bsessions?\b|\bvisits?\b|\bvisit(?:ed|ing)\s+(?:the\s+|our\s+)?(?:site|shop|store|website|page)|\bvisitors?\b|\bpage\s*views?\b|\bpageviews?\b"
                           r"|\bconversions?\b|\bconvert\w*|\bbounce\w*|\bclick[- ]?through\w*|\bctr\b|\bclicks?\b"
                           r"|\b(?:cart|basket)\s+abandon\w*|\babandon\w*\s+(?:carts?|baskets?)\b|\bfunnel\b"
                           r"|\bimpressions?\b|\bweb\s*site\s+(?:users|hits)\b|\bhits\b",
                "website traffic (sessions, visits, conversions)", "ecomintel does not load traffic data yet; with sessions per day, "
                "conversion = orders / sessions ('orders by day')."),
    Requirement("fulfilment", r"\bdeliver(?:y|ies)\s+(?:times?|speed|delays?|performance)\b|\bshipping\s+(?:times?|delays?|speed)\b"
                              r"|\blate\s+deliver\w*|\bfulfil+ment\b|\bcarriers?\b|\bcouriers?\b|\bdispatch\s+times?\b"
                              r"|\btime\s+to\s+(?:ship|deliver|dispatch)\b|\bdelivered\s+late\b|\bin\s+transit\b",
                "delivery and fulfilment data", "ecomintel does not load dispatch and delivery dates yet."),
    Requirement("customer_profile", r"\bdemograph\w*|\bgender\b|\baged\b"
                                    r"|\bages?\s+\d{1,2}\s*(?:-|–|to)\s*\d{1,2}\b|\b\d{1,2}\s*(?:-|–|to)\s*\d{1,2}\s*"
                                    r"(?:year[- ]olds?|y/?o|yrs?\s+old)\b|\b(?:year|yr)[- ]olds?\b|\bmillennials?\b"
                                    r"|\bgen\s*[xyz]\b|\bboomers?\b|\bteens?\b|\bteenagers?\b|\bmen\s+(?:vs|or|and)\s+women\b|\bage\s+(?:groups?|brackets?|range|profiles?|distribution|split|breakdown|bands?"
                                    r"|of\s+(?:our\s+)?(?:customers|buyers|shoppers|clients))\b"
                                    r"|\b(?:customer|buyer|shopper|client)s?'?\s+ages?\b"
                                    r"|\bhow\s+old\b|\bcustomer\s+(?:names?|emails?|addresses|phone)\b|\bemail\s+address\w*"
                                    r"|\bphone\s+numbers?\b|\bincome\s+(?:level|bracket)s?\b|\bmale\b|\bfemale\b",
                "customer profiles (customers are ids only: no names, ages or contact details)",
                "Customer attributes are not in the sales data, and ecomintel keeps customer ids only."),
    Requirement("weather", r"\bweather\b|\brain\w*\b|\btemperature\w*|\bsnow\w*|\bsunny\b|\bsunshine\b"
                           r"|\bheat\s*waves?\b|\bclimate\b|\bstorms?\b|\bforecast\s+for\s+rain\b",
                "weather data", "Compare 'revenue by day' with a weather export outside ecomintel."),
    Requirement("forecast", r"\bforecast\w*|\bpredict\w*|\bprojection\w*|\bprojected\b|\bextrapolat\w*"
                            r"|\bnext\s+(?:\d+\s+|few\s+|couple\s+of\s+)?(?:days?|weeks?|months?|quarters?|years?"
                            r"|period|season|christmas|holidays?|black\s+friday|summer|winter|spring|autumn|fall)\b"
                            r"|\bcoming\s+(?:days|weeks|months|quarters?|year)\b|\bupcoming\b|\bin\s+the\s+future\b"
                            r"|\bwill\s+(?:we|it|sales|revenue|demand|orders|units)\b|\bgoing\s+to\s+(?:sell|make|be)\b"
                            r"|\bexpect(?:ed)?\s+(?:revenue|sales|demand|orders|units)\b|\bdemand\s+planning\b",
                "a forecast of future periods", "Forecasts come with the demand forecasting analysis, which is not "
                "available yet; ask about a past period instead."),
)

# Off-topic: plainly not about the shop's own data.
OFF_TOPIC = (r"\bworld\s+cup\b|\bpresident\b|\bprime\s+minister\b|\bbitcoin\b|\bstock\s+market\b|\bshare\s+price\b"
             r"|\brecipe\b|\bjoke\b|\bpoem\b|\bmeaning\s+of\s+life\b|\bcapital\s+of\b|\bwho\s+(?:won|invented)\b"
             r"|\bhoroscope\b|\bfootball\b|\bsoccer\b|\belection\b|\bmovie\b|\bsong\b|\bwrite\s+(?:me\s+)?(?:a|an)\b"
             r"|\btranslate\b|\bnews\b|\bhello\b|\bhi\b|\bthanks?\b|\bthank\s+you\b")


def find_gap(text: str) -> Requirement | None:
    """The first requirement (in table order) whose words the question uses."""
    return next((req for req in REQUIREMENTS if re.search(req.pattern, text)), None)


def is_off_topic(text: str) -> bool:
    return bool(re.search(OFF_TOPIC, text))


def suggestions(vocab: Vocab, limit: int = 3) -> list[str]:
    """Questions this tenant's data can answer, using its own names (a real country, a real product)."""
    if not vocab.has_sales:
        return ["Upload a sales file (Upload → sales), then ask: top 10 products by revenue last month"]
    country = vocab.main_country or next((c for c in vocab.countries if c.lower() not in ("unspecified",
                                                                                          "(unspecified)")), None)
    out = ["top 10 products by revenue last month", "revenue by week this quarter"]
    if country:
        out.insert(1, f"revenue in {country} last month vs the month before")
    out.append("top 10 customers by revenue")
    return out[:limit]


def gap_for(req: Requirement, vocab: Vocab) -> Gap:
    """The Gap of a requirement for this tenant: says whether the data is missing or only the analysis."""
    has = {"cost": vocab.has("cost"), "reviews": vocab.has("reviews"), "listings": vocab.has("listings"),
           "inventory": vocab.has("inventory")}.get(req.need, False)
    if has:
        message = (f"Your {req.missing} are loaded, but the analysis that answers this question is not "
                   f"available yet, so I can't answer it without guessing.")
    elif req.need == "forecast":  # a capability, not data
        message = f"I can't answer that yet: it needs {req.missing}. {req.remedy}"
    else:
        message = f"I can't answer that: it needs {req.missing}, which your data does not have. {req.remedy}"
    return Gap(need=req.need, message=message[:400], suggestions=suggestions(vocab))


def not_understood_gap(vocab: Vocab, words: list[str], *, off_topic: bool = False) -> Gap:
    """The Gap of a question that is about something else, or whose words match nothing in the data."""
    if off_topic:
        message = ("That question is not about your shop's data, so I can't answer it. I answer questions "
                   "about your sales (revenue, units, orders, customers, products, countries, periods).")
        return Gap(need="off_topic", message=message, suggestions=suggestions(vocab))
    quoted = ", ".join(f"'{w}'" for w in words[:4])
    if not vocab.has_sales:
        message = "There is no sales data loaded yet, so there is nothing to answer from. Upload a sales file first."
        return Gap(need="sales", message=message, suggestions=suggestions(vocab))
    message = (f"I did not understand {quoted} and could not match it to anything in your data (countries, "
               "products, categories, channels, periods), so I won't guess an answer." if words else
               "I could not tell what that question asks about your data, so I won't guess an answer.")
    return Gap(need="not_understood", message=message[:400], suggestions=suggestions(vocab))


def unknown_filter_gap(vocab: Vocab, words: list[str]) -> Gap:
    """The Gap of a question filtered by a value the data does not have ("in Paris", "on TikTok")."""
    quoted = ", ".join(f"'{w}'" for w in words[:4])
    known = []
    if vocab.countries:
        known.append("countries such as " + ", ".join(vocab.countries[:3]))
    if vocab.channels:
        known.append("channels " + ", ".join(vocab.channels[:3]))
    if vocab.marketplaces:
        known.append("marketplaces " + ", ".join(vocab.marketplaces[:3]))
    has = "; ".join(known) if known else "no countries, channels or marketplaces"
    message = (f"I could not find {quoted} in your data: it is not a country, product, category, channel or "
               f"marketplace there (your sales have {has}). An unfiltered number would not answer the question.")
    return Gap(need="not_understood", message=message[:400], suggestions=suggestions(vocab))


def unknown_dimension_gap(vocab: Vocab, words: list[str]) -> Gap:
    """The Gap of a split by a field the data does not have ("revenue by city", "units by colour")."""
    quoted = ", ".join(f"'{w}'" for w in words[:4])
    fields = ["country", "product", "customer", "day", "week", "month", "quarter", "weekday", "hour"]
    fields += [name for name, values in (("category", vocab.categories), ("channel", vocab.channels),
                                         ("marketplace", vocab.marketplaces)) if values]
    message = (f"I can't split by {quoted}: your data has no such field. It can be split by "
               + ", ".join(fields) + ".")
    return Gap(need="not_understood", message=message[:400], suggestions=suggestions(vocab))
