"""Reading forecast questions: demand forecasts (a product, category, country or the total; units or revenue),
seasonality, and stockout risk / reorder advice — with the horizon and the future period the question names.

Why its own reading: a forecast is about days after the data, which the sales period parser refuses on
purpose ("November 2012 is after your data"). Here "next month", "the next 4 weeks", "next quarter", "January"
and "for 2012" resolve to dates after the tenant's last sales day (anchored to the data, not the wall clock,
like every period): a named period becomes `Plan.periods` (the answer covers exactly its days) and the
horizon runs to its end; "next N days/weeks/months" only sets `Plan.horizon_days`. A question naming no
horizon gets the tenant's setting (forecast_horizon_days, default 28). "Sales" in a forecast question are
units (demand) unless money words say revenue. Stock questions need stock levels: without inventory data they
become the inventory cannot_answer of ask/gaps.py; a tenant without sales gets the "no sales" refusal.
Questions about trends, busiest weekdays or returns of past periods stay with the sales rules: only
"seasonality/seasonal" words make a seasonality question here.
"""

from __future__ import annotations

import calendar as _cal
import re
from datetime import date, timedelta
from typing import TYPE_CHECKING

from ecomintel.ask import gaps
from ecomintel.ask import keywords as K
from ecomintel.ask.entities import find_entities
from ecomintel.ask.plan import Filters, Gap, Period, Plan
from ecomintel.ask.understanding import Spans, plan_confidence, understood_share, unused_words
from ecomintel.errors import PlanError

if TYPE_CHECKING:
    from ecomintel.ask.domains import DomainQuestion

NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "few": 3, "couple": 2, "couple of": 2}
MONTHS = {name.lower(): i for i, name in enumerate(_cal.month_name) if name} | \
    {name.lower(): i for i, name in enumerate(_cal.month_abbr) if name}
MONTHS.pop("may", None)  # "may" is also a verb; the full name is matched below with care
MONTH_RE = r"\b(" + "|".join(sorted((m for m in MONTHS if len(m) > 3 or m in ("jan", "feb", "mar", "apr", "jun",
                                                                            "jul", "aug", "sep", "oct", "nov",
                                                                            "dec")), key=len, reverse=True)) + \
    r"|may(?=\s+(?:20\d\d|next|this)\b))\b(?:\s+(20\d\d))?"

FORECAST = (r"\bforecast\w*|\bpredict\w*|\bprojection\w*|\bprojected\b|\bproject\s+(?:demand|sales|revenue|units)\b"
            r"|\bextrapolat\w*|\boutlook\b|\bwill\s+(?:we|it|they|sales|revenue|demand|orders|units|i)\b"
            r"|\bgoing\s+to\s+(?:sell|make|be|need)\b|\bexpect(?:ed)?\s+(?:to\s+sell|revenue|sales|demand|orders|units)\b"
            r"|\bexpected\b|\bdemand\s+(?:planning|plan)\b|\bdemand\s+for\s+the\s+next\b"
            r"|\bnext\s+(?:\d+|a|one|two|three|four|five|six|few|couple\s+of)?\s*(?:days?|weeks?|months?|quarters?|years?"
            r"|wks?|mths?|mnths?|qtrs?|yrs?)\b|\bnext\s+\d+\s*(?:d|w|mos?)\b"
            r"|\bcoming\s+(?:days|weeks|months|quarters?|year)\b|\bupcoming\b|\bin\s+the\s+future\b|\bfuture\b"
            r"|\bnext\s+(?:week|month|quarter|year)\b|\brest\s+of\s+(?:the\s+|this\s+)?(?:week|month|quarter|year)\b"
            r"|\bwhat\s+will\b|\bwill\s+(?:\w+\s+){1,5}(?:be|sell|make|look|need|do)\b")
SEASONAL = r"\bseasonal\w*|\bseasonality\b|\bseasons?\b(?!\s+(?:of|in)\s+\w+\s+\d)|\bweekly\s+pattern\b" \
           r"|\byearly\s+pattern\b|\bannual\s+pattern\b|\bpeak\s+(?:months?|season|days?)\b"
STOCK = (r"\bstock\s*-?\s*outs?\b|\bstock\s+out\b|\bout\s+of\s+stock\b|\brun(?:ning)?\s+out\b|\bruns\s+out\b"
         r"|\bstock(?:ing|ed|s)\s*-?\s*out\b|\bran\s+out\b|\bsell(?:ing|s)?\s+out\b|\bsold\s+out\b"
         r"|\brun(?:s|ning)?\s+(?:dry|short|low)\b|\bshort\s+of\s+stock\b|\blow\s+(?:on\s+)?stock\b"
         r"|\bre-?order\w*|\breplenish\w*|\bdays?\s+of\s+(?:cover|supply|stock)\b|\bsafety\s+stock\b"
         r"|\boverstock\w*|\binventory\b|\bstock\s*(?:levels?|on\s+hand|position|cover)\b|\blead\s+times?\b"
         r"|\bnext\s+deliver\w*|\bbefore\s+(?:the\s+)?(?:next\s+)?(?:delivery|restock|shipment)\b"
         r"|\bhow\s+much\s+(?:stock|should\s+we\s+order)\b|\bwhat\s+(?:should|to)\s+(?:we\s+)?order\b"
         r"|\border\s+quantit\w*|\bsuggested\s+orders?\b|\bhow\s+many\s+(?:units\s+)?(?:should|to)\s+(?:we\s+)?order\b")
# a named period that may lie after the data ("revenue in January 2012", "units in q1 2012", "sales 2012"):
# read as a forecast only when the period the question names starts after the last sales day
FUTURE_HINT = MONTH_RE + r"|\bq[1-4]\b|\b[1-4](?:st|nd|rd|th)\s+quarter\b|\b20\d\d\b|\bnext\s+(?:week|month|quarter|year)\b" \
    r"|\btomorrow\b"
PATTERN = "|".join((FORECAST, SEASONAL, STOCK, FUTURE_HINT))
PAST_ONLY = r"\b(?:last|previous|past)\s+(?:\d+\s+)?(?:days?|weeks?|months?|quarters?|years?)\b"
REVENUE = r"\brevenues?\b|\brevs?\b|\btakings\b|\bturnover\b|\bincome\b|\bmoney\b|\b(?:how\s+much|what)\s+will\s+we\s+(?:make|earn)\b|[£$€₹]" \
          r"|\bsales\s+value\b|\bvalue\s+of\s+sales\b|\bgmv\b|\bbookings\b"
STRUCTURE = (r"\bdemand\b|\bunits?\b|\bsales\b|\bsell\b|\bsold\b|\bvolumes?\b|\bquantit\w*|\bitems?\b|\bpieces\b"
             r"|\bhow\s+many\b|\bhow\s+much\b|\btotal\b|\boverall\b|\bper\s+(?:day|week|month)\b|\bdaily\b|\bweekly\b"
             r"|\bmonthly\b|\bby\s+(?:day|week|month)\b|\beach\s+(?:day|week)\b|\bproducts?\b|\bskus?\b|\bwhich\b"
             r"|\bwhat\b|\bour\b|\bwe\b|\bshow\b|\bgive\b|\btable\b|\bchart\b|\bdays?\b|\bweeks?\b|\bmonths?\b"
             r"|\bwith\s+intervals?\b|\bintervals?\b|\bconfidence\b|\bbands?\b|\bexpect\w*|\bneed\b|\bdo\b|\bis\b"
             r"|\bare\b|\bshop\b|\bstore\b|\bbusiness\b|\bplan\w*|\bstock\b|\bdeliver\w*|\bbefore\b|\bsoon\b"
             r"|\bitems\b|\bpattern\w*|\btrend\w*|\bstrength\b|\bpeaks?\b|\bbusiest\b|\bsell\s+out\b|\border\b"
             r"|\bshould\b|\bsuggest\w*|\brisk\w*|\bprobab\w*|\bcategory\b|\bcountry\b|\bstrong\b|\bget\b|\blook\w*"
             r"|\bhave\b|\bhas\b|\blike\b|\bgoing\b|\bbe\b|\bmake\b|\bearn\b|\bhow\b|\bthere\b|\bany\b|\bmuch\b|\bmany\b")
UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "quarter": 91, "year": 365}
# the abbreviations the sales period parser reads too (ask/periods.py): "next 4 wks", "next 30d", "next 3 mths"
_UNIT_ABBREV = {"d": "day", "wk": "week", "w": "week", "mnth": "month", "mth": "month", "mo": "month",
                "qtr": "quarter", "yr": "year"}


def _spans(pattern: str, text: str) -> Spans:
    return [m.span() for m in re.finditer(pattern, text)]


def _blank(text: str, spans: Spans) -> str:
    chars = list(text)
    for a, b in spans:
        for i in range(a, min(b, len(chars))):
            chars[i] = " "
    return "".join(chars)


def _month_end(d: date) -> date:
    return date(d.year, d.month, _cal.monthrange(d.year, d.month)[1])


def _add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    return date(d.year + y, m + 1, min(d.day, _cal.monthrange(d.year + y, m + 1)[1]))


def future_period(text: str, end: date) -> tuple[Period | None, int | None, Spans, list[str]]:
    """(named future period, horizon in days, spans read, notes) for a question whose data ends on `end`."""
    spans: Spans = []
    notes: list[str] = []
    first = end + timedelta(days=1)
    m = re.search(r"\b(?:the\s+)?(?:next|coming|following)\s+(\d+|a|an|one|two|three|four|five|six|seven|eight|nine"
                  r"|ten|twelve|few|couple\s+of|couple)\s*(days?|d|weeks?|wks?|w|months?|mnths?|mths?|mos?"
                  r"|quarters?|qtrs?|years?|yrs?)\b", text)
    if m:
        n = int(m.group(1)) if m.group(1).isdigit() else NUMBER_WORDS[re.sub(r"\s+", " ", m.group(1))]
        unit = _UNIT_ABBREV.get(m.group(2).rstrip("s"), m.group(2).rstrip("s"))  # "wks", "30d", "3 mths"
        spans.append(m.span())
        if unit in ("month", "quarter", "year"):
            months = n * {"month": 1, "quarter": 3, "year": 12}[unit]
            days = (_add_months(end, months) - end).days
        else:
            days = n * UNIT_DAYS[unit]
        return None, max(1, min(days, 365)), spans, notes
    m = re.search(r"\b(?:for\s+)?(?:the\s+)?(next|this|rest\s+of\s+(?:the|this))\s+(week|month|quarter|year)\b", text)
    if m:
        spans.append(m.span())
        which, unit = m.group(1), m.group(2)
        if unit == "week":
            this_end = end + timedelta(days=6 - end.weekday())
            start, stop = (first, this_end) if which != "next" else (this_end + timedelta(days=1),
                                                                     this_end + timedelta(days=7))
            if which == "this" and this_end == end:  # the data ends on a Sunday: "this week" is over
                start, stop = first, end + timedelta(days=7)
        elif unit == "month":
            this_end = _month_end(end)
            start, stop = (first, this_end) if which != "next" else (this_end + timedelta(days=1),
                                                                     _month_end(this_end + timedelta(days=1)))
        elif unit == "quarter":
            q_end = _month_end(date(end.year, 3 * ((end.month - 1) // 3) + 3, 1))
            nxt = q_end + timedelta(days=1)
            start, stop = (first, q_end) if which != "next" else (nxt, _month_end(_add_months(nxt, 2)))
        else:
            start, stop = (first, date(end.year, 12, 31)) if which != "next" else (date(end.year + 1, 1, 1),
                                                                                 date(end.year + 1, 12, 31))
        if stop <= end:
            start, stop = first, first + timedelta(days=UNIT_DAYS[unit] - 1)
        label = f"{which} {unit}".replace("rest of the", "rest of the").strip()
        notes.append(f"'{label}' = {max(start, first)}..{stop}, after the last sales day {end}: forecast.")
        return Period(start=max(start, first), end=stop, label=label[:80]), None, spans, notes
    m = re.search(MONTH_RE, text)
    if m:
        month = MONTHS.get(m.group(1), 5)  # "may" is only read before a year or next/this
        year = int(m.group(2)) if m.group(2) else (end.year if month >= end.month else end.year + 1)
        start, stop = date(year, month, 1), _month_end(date(year, month, 1))
        spans.append(m.span())
        if stop <= end:
            raise PlanError(f"{_cal.month_name[month]} {year} is already in your data (up to {end}), so it has actual "
                            "sales, not a forecast.", f"Ask 'units in {_cal.month_name[month]} {year}' instead.")
        notes.append(f"'{m.group(0).strip()}' = {max(start, first)}..{stop}: after your data, so forecast.")
        return Period(start=max(start, first), end=stop, label=f"{_cal.month_name[month]} {year}"), None, spans, notes
    m = re.search(r"\b(?:q([1-4])|([1-4])(?:st|nd|rd|th)\s+quarter(?:\s+of)?)\s*(?:of\s+)?(20\d\d)?\b", text)
    if m:
        q = int(m.group(1) or m.group(2))
        year = int(m.group(3)) if m.group(3) else (end.year if 3 * q >= end.month else end.year + 1)
        start, stop = date(year, 3 * q - 2, 1), _month_end(date(year, 3 * q, 1))
        spans.append(m.span())
        if stop <= end:
            raise PlanError(f"Q{q} {year} is already in your data (up to {end}), so it has actual sales, not a "
                            "forecast.", f"Ask 'units in Q{q} {year}' instead.")
        notes.append(f"'{m.group(0).strip()}' = {max(start, first)}..{stop}: after your data, so forecast.")
        return Period(start=max(start, first), end=stop, label=f"Q{q} {year}"), None, spans, notes
    m = re.search(r"\b(?:(?:for|in|of|during)\s+)?(20\d\d)\b", text)
    if m and int(m.group(1)) > end.year:
        y = int(m.group(1))
        spans.append(m.span())
        notes.append(f"'{y}' = {max(date(y, 1, 1), first)}..{y}-12-31: after your data, so forecast.")
        return Period(start=max(date(y, 1, 1), first), end=date(y, 12, 31), label=str(y)), None, spans, notes
    m = re.search(r"\btomorrow\b", text)
    if m:
        spans.append(m.span())
        return Period(start=first, end=first, label="tomorrow"), None, spans, notes
    return None, None, spans, notes


def _intent(text: str) -> str | None:
    if re.search(K.ADJUSTMENTS, text) or re.search(r"\badjust\w*", text):
        return None  # stock adjustments / write-offs are sales lines (the sales rules read them)
    if re.search(STOCK, text):
        return "stockout"
    if re.search(SEASONAL, text):
        return "seasonality"
    if re.search(FORECAST, text) and not re.search(PAST_ONLY, text):
        return "forecast"
    return None


def _names_future(text: str, end: date) -> bool:
    """Whether the question names a period wholly after the data ("January 2012", "q1 2012", "next month") —
    not "this month" or "rest of the year", which to a sales question mean the days so far."""
    if re.search(K.ADJUSTMENTS, text):
        return False
    try:
        period, _, spans, _ = future_period(text, end)
    except PlanError:
        return False
    if period is None or period.start <= end or not spans:
        return False
    phrase = text[spans[0][0]:spans[0][1]]
    if period.label.startswith(("next", "tomorrow")):
        return True
    # a bare month name is the latest such month in the data to the sales rules ("revenue in November")
    return bool(re.search(r"20\d\d", phrase)) and period.start.day == 1


def _refusal(q: DomainQuestion, need: str) -> Plan:
    req = next(r for r in gaps.REQUIREMENTS if r.need == need)
    if need == "inventory":
        gap = gaps.gap_for(req, q.vocab)
    else:
        gap = Gap(need="sales", message="There is no sales data loaded yet, so there is nothing to forecast from. "
                  "Upload a sales file first.", suggestions=gaps.suggestions(q.vocab))
    return Plan(intent="cannot_answer", agents=[], mode=q.mode, planner="offline", confidence=0.9,  # type: ignore[arg-type]
                gap=gap)


def plan(q: DomainQuestion) -> Plan | None:
    """A forecast / seasonality / stockout Plan, an honest cannot_answer, or None (not a forecast question)."""
    from ecomintel.ask.plan import agents_for

    text, vocab = q.text, q.vocab
    intent = _intent(text)
    if intent is None:
        if not vocab.has_sales or vocab.sales_end is None or not _names_future(text, vocab.sales_end):
            return None  # a past period (or none): the sales rules read it
        intent = "forecast"
    if not vocab.has_sales or vocab.sales_end is None:
        return _refusal(q, "forecast")
    if intent == "stockout" and not vocab.has("inventory"):
        return _refusal(q, "inventory")
    notes: list[str] = []
    spans: Spans = []
    periods: list[Period] = []
    horizon: int | None = None
    try:
        period, horizon, read, period_notes = future_period(text, vocab.sales_end)
    except PlanError as exc:
        return Plan(intent="cannot_answer", agents=[], mode=q.mode, planner="offline", confidence=0.8,  # type: ignore[arg-type]
                    gap=Gap(need="sales", message=f"{exc.message} {exc.hint}".strip()[:400],
                            suggestions=gaps.suggestions(vocab)))
    spans += read
    notes += period_notes
    if period is not None:
        periods = [period]
        horizon = min(365, (period.end - vocab.sales_end).days)  # the agent forecasts to the period's end
    # the words that made it a forecast/stock question are not product names ("stocking out" is not the
    # CHRISTMAS STOCKING, "sell out" not a product called OUT)
    cue = spans + _spans(STOCK, text) + _spans(FORECAST, text) + _spans(SEASONAL, text)
    working, original = _blank(text, cue), _blank(q.question, cue)
    try:
        ents = find_entities(working, original, vocab)
    except PlanError as exc:
        return Plan(intent="cannot_answer", agents=[], mode=q.mode, planner="offline", confidence=0.7,  # type: ignore[arg-type]
                    gap=Gap(need="not_understood", message=f"{exc.message} {exc.hint}".strip()[:400],
                            suggestions=gaps.suggestions(vocab)))
    spans += ents.consumed
    metric = "revenue" if re.search(REVENUE, text) else "units"
    counted = re.search(r"\b(?:orders?|customers?|invoices?|baskets?|visitors?)\b", text)
    if counted and metric == "units" and not re.search(r"\bunits?\b|\bdemand\b|\bsell\b|\bsold\b", text):
        unused_extra = [counted.group(0)]  # forecasts are of units or revenue: say so, lower the confidence
        notes.append(f"'{counted.group(0)}' is not forecast: the forecast is of units sold.")
    else:
        unused_extra = []
    if metric == "revenue":
        notes.append("Revenue forecast = revenue of sale lines per day (gross: returns are not forecast, not net).")
    if metric == "units" and re.search(r"\bsales\b", text):
        notes.append("'sales' read as units sold (demand); ask for revenue to forecast money.")
    group_by = None
    if re.search(r"\bper\s+week\b|\bweekly\b(?!\s+pattern)|\bby\s+week\b|\beach\s+week\b|\bweek\s+by\s+week\b", text):
        group_by = "week"
    elif re.search(r"\bper\s+month\b|\bmonthly\b|\bby\s+month\b", text):
        group_by = "month"
        notes.append("Monthly totals are shown as weekly rows (the forecast is daily).")
    elif re.search(r"\bper\s+day\b|\bdaily\b|\bby\s+day\b|\beach\s+day\b|\bday\s+by\s+day\b", text):
        group_by = "day"
    thresholds: dict[str, float] = {}
    m = re.search(r"\b(\d{2}(?:\.\d+)?)\s*%\s*(?:service\s+level|service)\b|\bservice\s+level\s+(?:of\s+)?(\d{2}(?:\.\d+)?)\s*%", text)
    if m:
        thresholds["service_level"] = float(m.group(1) or m.group(2)) / 100
        spans.append(m.span())
    for pattern in (FORECAST, SEASONAL, STOCK, REVENUE, STRUCTURE):
        spans += _spans(pattern, text)
    unused = [*unused_extra, *[w.text for w in unused_words(text, spans) if w.text not in unused_extra]]
    share = understood_share(text, spans)
    confidence = plan_confidence(share, len(unused), notes, fallback=False)
    if intent == "forecast":
        notes.append("A forecast of days after the data, not actual sales.")
        if not periods:  # the answer states the dates it forecasts (not "all data")
            if horizon is None:
                from ecomintel.config import load_settings

                horizon = load_settings().default_forecast_horizon_days
                notes.append(f"No horizon named: the default {horizon} days (ECOMINTEL_DEFAULT_FORECAST_HORIZON_DAYS).")
            first = vocab.sales_end + timedelta(days=1)
            periods = [Period(start=first, end=vocab.sales_end + timedelta(days=horizon),
                              label=f"next {horizon} days")]
    filters = Filters(countries=ents.countries, exclude_countries=ents.exclude_countries, skus=ents.skus,
                      exclude_skus=ents.exclude_skus, products=ents.products, categories=ents.categories,
                      channels=ents.channels, marketplaces=ents.marketplaces)
    return Plan(intent=intent, agents=agents_for(intent, q.mode), metric=metric, periods=periods,  # type: ignore[arg-type]
                group_by=group_by, filters=filters, top_n=ents.top_n or 20, horizon_days=horizon,  # type: ignore[arg-type]
                thresholds=thresholds, mode=q.mode, planner="offline", confidence=confidence,  # type: ignore[arg-type]
                notes=[*ents.notes, *notes][:20], not_understood=unused[:20])
