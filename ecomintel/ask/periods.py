"""Time expressions in a question → inclusive date ranges, anchored to the tenant's latest sales date D.

Why anchored to D and not the wall clock: analysts ask about *their* data ("last month" on a file that ends
2011-12-09 means Nov 2011, not the month before today). The shared rules (common.md):

- "last month/quarter/week/year" = the last COMPLETE calendar unit before D's unit;
- "this month/quarter/week/year", "month/year to date", "YTD" = start of D's unit .. D;
- "last N days/weeks/months" = rolling, ending at D inclusive (N days, N*7 days, N months);
- a month, quarter or ISO week without a year = its latest occurrence at or before D (or the one year
  stated elsewhere in the question, when that is not in the future);
- "yesterday" = D - 1, "today" = D.

Every resolved period is clipped to the data's date range (with a note) and a period wholly outside the
data, or a nonsense date ("2011-13", "week 60", "Q5"), raises PlanError with a message for the user —
never any other exception (a hypothesis test holds us to that).
Comparisons: two periods joined by "vs", or "from A to B" / "between A and B" when the caller says the
question compares (otherwise those are ranges), or one period plus "month over month", "YoY", "previous
period" → [current, previous], current being the later one.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from rapidfuzz import fuzz

from ecomintel.ask.plan import Period
from ecomintel.errors import PlanError

Kind = Literal["day", "week", "month", "quarter", "year", "rolling", "todate", "range"]
Relation = Literal["none", "single", "range", "compare"]

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december")
_MONTH_ALT = (r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
              r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?")
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
                "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
                "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "ninety": 90, "a": 1, "a couple of": 2,
                "couple of": 2, "a few": 3, "few": 3}
_NUM = r"(\d{1,6}|" + "|".join(sorted((re.escape(k) for k in NUMBER_WORDS), key=len, reverse=True)) + ")"
_ORDINAL_Q = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
              "last": 4}
_UNIT_WORDS = r"(%|units?|orders?|items?|products?|customers?|pieces|pcs|gbp|usd|eur|inr|pounds?|dollars?|euros?|rupees?)"
_VS = re.compile(r"\b(?:vs\.?|versus|v\.|against|compared?(?:\s+(?:to|with))?)(?!\w)")


@dataclass(frozen=True)
class Span:
    """A period as written: nominal dates (before clipping to the data), its kind and where it was found."""

    start: date
    end: date
    label: str
    kind: Kind
    pos: tuple[int, int]
    year_stated: bool = True
    unit: str = ""  # month/quarter/week/year for calendar units and to-date periods
    assumption: str = ""


@dataclass
class PeriodResult:
    """Resolved periods ([one] or [current, previous]), notes for the user, and what the text consumed."""

    periods: list[Period] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    relation: Relation = "none"
    consumed: list[tuple[int, int]] = field(default_factory=list)
    text: str = ""  # the normalised text the positions refer to (lower case, month typos fixed)
    original: str = ""  # the question with month typos fixed, original case (same length as `text`)


# -- calendar helpers ----------------------------------------------------------------------------------
def month_span(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def quarter_span(year: int, q: int) -> tuple[date, date]:
    start = date(year, 3 * (q - 1) + 1, 1)
    return start, month_span(year, 3 * q)[1]


def week_span(year: int, week: int) -> tuple[date, date]:
    monday = date.fromisocalendar(year, week, 1)
    return monday, monday + timedelta(days=6)


def weeks_in_year(year: int) -> int:
    return date(year, 12, 28).isocalendar()[1]


def add_months(day: date, months: int) -> date:
    """Same day-of-month `months` later (earlier when negative), clipped to the month's length."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _fmt(d: date) -> str:
    return d.isoformat()


def _month_label(year: int, month: int) -> str:
    return f"{calendar.month_abbr[month]} {year}"


def _month_number(word: str) -> int:
    return next(i for i, name in enumerate(MONTHS, 1) if name.startswith(word.rstrip(".")[:3]))


# -- text normalisation --------------------------------------------------------------------------------
def normalise(text: str) -> str:
    """Lower case without changing length (positions stay valid), typographic quotes and dashes made plain."""
    out = []
    for ch in text:
        low = ch.lower()
        ch = low if len(low) == 1 else ch
        out.append({"’": "'", "‘": "'", "–": "-", "—": "-"}.get(ch, ch))
    return "".join(out)


def fix_month_typos(text: str) -> tuple[str, list[str]]:
    """'Novmber' → 'November' (rapidfuzz ratio ≥ 80, same first letter, 5+ letters), keeping the case of
    the first letter. Works on the question as typed; returns the fixed text and notes."""
    notes: list[str] = []

    def repl(match: re.Match[str]) -> str:
        word = match.group(0)
        low = word.lower()
        if low in MONTHS or len(low) < 5:
            return word
        best, score = "", 0.0
        for name in MONTHS:
            if name[0] == low[0]:
                s = fuzz.ratio(low, name)
                if s > score:
                    best, score = name, s
        if score >= 80:
            notes.append(f"Read '{word}' as '{best.capitalize()}'.")
            return best.capitalize() if word[0].isupper() else best
        return word

    return re.sub(r"[A-Za-z]+", repl, text), notes


# -- the scanner -------------------------------------------------------------------------------------------
class _Scanner:
    """Finds period mentions left to right by pattern priority, blanking what each pattern consumed."""

    def __init__(self, text: str, anchor: date) -> None:
        self.text = text
        self.masked = text
        self.anchor = anchor
        self.spans: list[Span] = []
        self.markers: list[tuple[str, tuple[int, int]]] = []  # compare markers: mom/wow/qoq/yoy/prev
        self.context_year: int | None = None

    def consume(self, a: int, b: int) -> None:
        self.masked = self.masked[:a] + " " * (b - a) + self.masked[b:]

    def scan(self, pattern: str, handler: Callable[[re.Match[str]], Span | None]) -> None:
        for match in list(re.finditer(pattern, self.masked)):
            a, b = match.span()
            if self.masked[a:b].strip() != match.group(0).strip():  # consumed meanwhile
                continue
            span = handler(match)
            if span is not None:
                self.spans.append(span)
                self.consume(a, b)

    def latest_month(self, month: int) -> tuple[int, bool, str]:
        """Year for a month stated without one: the context year if it isn't in the future, else the latest
        occurrence at or before the anchor."""
        d = self.anchor
        if self.context_year is not None and date(self.context_year, month, 1) <= d:
            return self.context_year, False, f"year {self.context_year} from your question"
        year = d.year if month <= d.month else d.year - 1
        return year, False, f"latest {MONTHS[month - 1].capitalize()} in your data"


def _year(text: str | None) -> int | None:
    if not text:
        return None
    text = text.strip("' ")
    value = int(text)
    return 2000 + value if len(text) == 2 else value


def _scan_all(sc: _Scanner) -> None:
    d = sc.anchor
    mon = rf"(?P<mon>{_MONTH_ALT})"

    # years stated anywhere give bare months/quarters/weeks their context
    years = {int(y) for y in re.findall(r"(?<![\d£$€.,-])((?:19|20)\d{2})(?![\d%])", sc.text)}
    years |= {2000 + int(y) for y in re.findall(r"'(\d{2})\b", sc.text)}
    if len(years) == 1:
        sc.context_year = years.pop()

    # 0. comparison markers (consumed first, so "vs previous month" is not read as "last month")
    prev_unit = r"(?:the\s+)?(?:previous|prior|preceding)\s+(?:month|week|quarter|year|period)"
    for name, pattern in (("mom", r"\b(?:month[- ]over[- ]month|m-?o-?m|mom)\b"),
                          ("wow", r"\b(?:week[- ]over[- ]week|w-?o-?w|wow)\b"),
                          ("qoq", r"\b(?:quarter[- ]over[- ]quarter|q-?o-?q|qoq)\b"),
                          ("yoy", r"\b(?:year[- ]over[- ]year|y-?o-?y|yoy|(?:the\s+)?same\s+(?:period|time|month|week|quarter)\s+(?:last|a|the\s+previous|previous)\s+year)\b"),
                          ("prev", rf"\b(?:vs\.?|versus|compared\s+(?:to|with)|against)\s+{prev_unit}\b"
                                   r"|\b(?:(?:the\s+)?(?:previous|prior|preceding)\s+period|period[- ]over[- ]period|(?:the\s+)?period\s+before)\b")):
        for match in list(re.finditer(pattern, sc.masked)):
            sc.markers.append((name, match.span()))
            sc.consume(*match.span())

    def day(year: int, month: int, dd: int, m: re.Match[str], stated: bool = True, assume: str = "") -> Span:
        try:
            value = date(year, month, dd)
        except ValueError:
            raise PlanError(f"'{m.group(0).strip()}' is not a valid date.",
                            "Write dates like 2011-11-05 or 5 Nov 2011.") from None
        return Span(value, value, _fmt(value), "day", m.span(), stated, "day", assume)

    # 1. full dates: ISO, d/m/yyyy, "5 nov 2011", "nov 5th, 2011"
    sc.scan(r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b",
            lambda m: day(int(m.group(1)), int(m.group(2)), int(m.group(3)), m))

    def dmy(m: re.Match[str]) -> Span:
        a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if a > 12 >= b:
            return day(y, b, a, m)
        if b > 12 >= a:
            return day(y, a, b, m, assume="month/day order")
        return day(y, b, a, m, assume="read as day/month/year")
    sc.scan(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b", dmy)

    def day_month(m: re.Match[str]) -> Span:
        month = _month_number(m.group("mon"))
        year = _year(m.group("y"))
        if year is None:
            year, stated, assume = sc.latest_month(month)
            # a day later in D's month than D is in the future → previous year
            if date(year, month, 1) <= d < date(year, month, min(int(m.group("d")), 28)):
                year -= 1
            return day(year, month, int(m.group("d")), m, stated, assume)
        return day(year, month, int(m.group("d")), m)
    sc.scan(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{mon}\b\.?(?:,?\s*(?P<y>\d{{4}}|'\d{{2}}))?",
            day_month)
    sc.scan(rf"\b{mon}\b\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?!\s*(?:%|\d|{_UNIT_WORDS[1:-1]}))\b"
            rf"(?:,?\s*(?P<y>\d{{4}}|'\d{{2}}))?", day_month)

    # 2. ISO weeks: 2011-W48, week 48 (of 2011), wk 48, w48
    def week(m: re.Match[str]) -> Span:
        w = int(m.group("w"))
        year = int(m.group("y")) if m.group("y") else None
        stated = year is not None
        assume = ""
        if year is None:
            if sc.context_year is not None and 1 <= w <= weeks_in_year(sc.context_year) \
                    and week_span(sc.context_year, w)[0] <= d:
                year, assume = sc.context_year, f"year {sc.context_year} from your question"
            else:
                year = d.isocalendar()[0]
                if not (1 <= w <= weeks_in_year(year)) or week_span(year, w)[0] > d:
                    year -= 1
                assume = f"latest week {w} in your data"
        if not 1 <= w <= weeks_in_year(year):
            raise PlanError(f"'{m.group(0).strip()}' is not an ISO week (weeks run 1–52, or 53 in some years).")
        s, e = week_span(year, w)
        return Span(s, e, f"{year}-W{w:02d}", "week", m.span(), stated, "week", assume)
    sc.scan(r"\b(?P<y>\d{4})-?w(?P<w>\d{1,2})\b", week)
    sc.scan(r"\b(?:iso\s+)?(?:week|wk|w)\s*(?:no\.?\s*|number\s*|#\s*)?(?P<w>\d{1,2})\b(?:\s*(?:of\s+|,\s*)?(?P<y>\d{4}))?",
            week)

    # 3. quarters: Q4 2011, 2011-Q4, Q4 '11, fourth quarter of 2011, Q4
    def quarter(m: re.Match[str]) -> Span:
        qtext = m.group("q")
        q = _ORDINAL_Q[qtext] if qtext in _ORDINAL_Q else int(qtext)
        if not 1 <= q <= 4:
            raise PlanError(f"'{m.group(0).strip()}' is not a quarter (Q1–Q4).")
        year = _year(m.group("y"))
        stated, assume = year is not None, ""
        if year is None:
            if sc.context_year is not None and quarter_span(sc.context_year, q)[0] <= d:
                year, assume = sc.context_year, f"year {sc.context_year} from your question"
            else:
                year = d.year if quarter_span(d.year, q)[0] <= d else d.year - 1
                assume = f"latest Q{q} in your data"
        s, e = quarter_span(year, q)
        return Span(s, e, f"Q{q} {year}", "quarter", m.span(), stated, "quarter", assume)
    sc.scan(r"\b(?P<y>\d{4})\s*[-/ ]?\s*q(?P<q>\d)\b", quarter)
    sc.scan(r"\bq(?P<q>\d)\b(?:\s*[-/,]?\s*(?:of\s+)?(?P<y>\d{4}|'\d{2})\b)?", quarter)
    sc.scan(r"\b(?P<q>first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter\b(?:\s+(?:of\s+)?(?P<y>\d{4}))?",
            quarter)

    # 3b. half years: H1 2011, first half of 2011, second half, 2nd half of 2011
    def half(m: re.Match[str]) -> Span:
        h = 1 if m.group("h") in ("1", "first", "1st") else 2
        year = _year(m.group("y"))
        stated, assume = year is not None, ""
        if year is None:
            first_month = 1 if h == 1 else 7
            if sc.context_year is not None and date(sc.context_year, first_month, 1) <= d:
                year, assume = sc.context_year, f"year {sc.context_year} from your question"
            else:
                year = d.year if date(d.year, first_month, 1) <= d else d.year - 1
                assume = f"latest H{h} in your data"
        s, e = (date(year, 1, 1), date(year, 6, 30)) if h == 1 else (date(year, 7, 1), date(year, 12, 31))
        return Span(s, e, f"H{h} {year}", "range", m.span(), stated, "", assume)
    sc.scan(r"\bh(?P<h>[12])\b(?:\s*[-/,]?\s*(?:of\s+)?(?P<y>\d{4}|'\d{2})\b)?", half)
    sc.scan(r"\b(?:the\s+)?(?P<h>first|second|1st|2nd)\s+half\b(?:\s+(?:of\s+)?(?:the\s+year\s+)?(?P<y>\d{4}))?",
            half)

    # 4. numeric months: 2011-11, 2011/11, 11/2011, 11-2011
    def num_month(m: re.Match[str]) -> Span:
        year, month = int(m.group("y")), int(m.group("m"))
        if not 1 <= month <= 12:
            raise PlanError(f"'{m.group(0).strip()}' is not a valid month.", "Write months like 2011-11 or Nov 2011.")
        s, e = month_span(year, month)
        return Span(s, e, _month_label(year, month), "month", m.span(), True, "month")
    sc.scan(r"\b(?P<y>\d{4})[-/](?P<m>\d{1,2})\b", num_month)
    sc.scan(r"\b(?P<m>\d{1,2})[-/](?P<y>\d{4})\b", num_month)

    # 5. relative: last N units, last/this unit, to date, yesterday
    def rolling(m: re.Match[str]) -> Span:
        raw = m.group("n")
        n = int(raw) if raw.isdigit() else NUMBER_WORDS[raw]
        unit = m.group("unit")
        if n < 1:
            raise PlanError(f"'{m.group(0).strip()}' is an empty period.", "Use a number of at least 1.")
        if n > 100_000:
            raise PlanError(f"'{m.group(0).strip()}' is too long a period.")
        if unit == "day":
            start = d - timedelta(days=n - 1)
        elif unit == "week":
            start = d - timedelta(days=7 * n - 1)
        elif unit == "month":
            start = add_months(d, -n) + timedelta(days=1) if n < 12 * 2000 else date.min
        elif unit == "quarter":
            start = add_months(d, -3 * n) + timedelta(days=1) if n < 4 * 2000 else date.min
        else:
            start = add_months(d, -12 * n) + timedelta(days=1) if n < 2000 else date.min
        plural = "s" if n != 1 else ""
        return Span(start, d, f"last {n} {unit}{plural}", "rolling", m.span(), True, "",
                    f"rolling, ending at your latest data date {_fmt(d)}")
    sc.scan(rf"\b(?:the\s+)?(?:last|past|previous|prior|trailing|recent)\s+{_NUM.replace('(', '(?P<n>', 1)}"
            r"\s+(?P<unit>day|week|month|quarter|year)s?\b", rolling)

    def last_unit(m: re.Match[str]) -> Span:
        unit = m.group("unit")
        if unit == "month":
            s, e = month_span(*add_months(d.replace(day=1), -1).timetuple()[:2])
            label = _month_label(s.year, s.month)
        elif unit == "quarter":
            q = (d.month - 1) // 3 + 1
            year, q = (d.year, q - 1) if q > 1 else (d.year - 1, 4)
            s, e = quarter_span(year, q)
            label = f"Q{q} {year}"
        elif unit == "week":
            monday = d - timedelta(days=d.weekday())
            s, e = monday - timedelta(days=7), monday - timedelta(days=1)
            iso = s.isocalendar()
            label = f"{iso[0]}-W{iso[1]:02d}"
        else:
            s, e = date(d.year - 1, 1, 1), date(d.year - 1, 12, 31)
            label = str(d.year - 1)
        kind: Kind = "year" if unit == "year" else unit  # type: ignore[assignment]
        return Span(s, e, label, kind, m.span(), True, unit,
                    f"last complete {unit} before your latest data date {_fmt(d)}")
    sc.scan(r"\b(?:the\s+)?(?:last|previous|prior|past)\s+(?P<unit>month|quarter|week|year)\b", last_unit)

    def this_unit(m: re.Match[str]) -> Span:
        unit = m.group("unit") or m.group("unit2") or {"m": "month", "q": "quarter", "y": "year",
                                                       "w": "week"}[m.group("abbr")]
        if unit == "month":
            s = d.replace(day=1)
            label = f"{_month_label(d.year, d.month)} to date"
        elif unit == "quarter":
            q = (d.month - 1) // 3 + 1
            s = quarter_span(d.year, q)[0]
            label = f"Q{q} {d.year} to date"
        elif unit == "week":
            s = d - timedelta(days=d.weekday())
            label = f"week of {_fmt(s)} to date"
        else:
            s = date(d.year, 1, 1)
            label = f"{d.year} to date"
        return Span(s, d, label, "todate", m.span(), True, unit, f"up to your latest data date {_fmt(d)}")
    sc.scan(r"\b(?:this|current|the\s+current)\s+(?P<unit>month|quarter|week|year)\b(?:[- ]to[- ]date)?"
            r"|\b(?P<unit2>month|quarter|week|year)[- ]to[- ]date\b|\b(?P<abbr>m|q|y|w)td\b",
            this_unit)

    def one_day(m: re.Match[str]) -> Span:
        word = m.group(0).strip()
        value = d - timedelta(days=1) if word == "yesterday" else d
        return Span(value, value, _fmt(value), "day", m.span(), True, "day",
                    f"'{word}' counted from your latest data date {_fmt(d)}")
    sc.scan(r"\b(?:yesterday|today|(?:the\s+)?latest\s+day|(?:the\s+)?last\s+day)\b", one_day)

    # 6. month names (with an optional year), "may" only where it reads as a month
    def month_name(m: re.Match[str]) -> Span | None:
        word = m.group("mon")
        year = _year(m.group("y"))
        if word == "may" and year is None:
            before = sc.text[:m.start()].split()[-1:] or [""]
            after = sc.text[m.end():].split()[:1] or [""]
            if before[0] not in {"in", "for", "of", "during", "since", "from", "to", "until", "between", "and",
                                 "vs", "versus", "through", "than", "before", "after"} \
                    and after[0] not in {"vs", "to", "and", "versus", "-"}:
                return None
        month = _month_number(word)
        stated, assume = True, ""
        if year is None:
            year, stated, assume = sc.latest_month(month)
        s, e = month_span(year, month)
        return Span(s, e, _month_label(year, month), "month", m.span(), stated, "month", assume)
    sc.scan(rf"\b{mon}\b\.?(?:(?:\s*,?\s*(?:of\s+)?|-)(?P<y>(?:19|20)\d{{2}}|'\d{{2}})(?!\d))?", month_name)

    # 7. bare years (not amounts: "more than 2000 units", "£2011")
    def year_only(m: re.Match[str]) -> Span:
        year = int(m.group("y"))
        return Span(date(year, 1, 1), date(year, 12, 31), str(year), "year", m.span(), True, "year")
    sc.scan(r"(?<![£$€\d.,])(?<!than )(?<!over )(?<!above )(?<!below )(?<!under )(?<!least )(?<!top )"
            rf"\b(?:fy\s*)?(?P<y>(?:19|20)\d{{2}})\b(?!\s*{_UNIT_WORDS})(?![.,]\d)", year_only)


# -- combining and clipping --------------------------------------------------------------------------------
def previous_of(span: Span, how: str = "prev") -> Span:
    """The period a single period is compared with: same weeks/days last year for 'yoy', the previous
    calendar unit for whole months/quarters/weeks/years, the same days of the previous unit for to-date
    periods, and the equally long period just before for rolling and explicit ranges."""
    s, e = span.start, span.end
    if how == "yoy":
        return Span(add_months(s, -12), add_months(e, -12), f"{span.label} a year earlier", span.kind,
                    span.pos, True, span.unit)
    if span.kind == "month":
        ps, pe = month_span(*add_months(s, -1).timetuple()[:2])
        return Span(ps, pe, _month_label(ps.year, ps.month), "month", span.pos, True, "month")
    if span.kind == "quarter":
        ps = add_months(s, -3)
        q = (ps.month - 1) // 3 + 1
        return Span(*quarter_span(ps.year, q), f"Q{q} {ps.year}", "quarter", span.pos, True, "quarter")
    if span.kind == "year":
        return Span(date(s.year - 1, 1, 1), date(s.year - 1, 12, 31), str(s.year - 1), "year", span.pos)
    if span.kind == "todate" and span.unit in ("month", "quarter", "year"):
        months = {"month": 1, "quarter": 3, "year": 12}[span.unit]
        ps, pe = add_months(s, -months), add_months(e, -months)
        return Span(ps, pe, f"{_fmt(ps)}..{_fmt(pe)}", "range", span.pos)
    length = (e - s).days + 1
    ps, pe = s - timedelta(days=length), s - timedelta(days=1)
    if span.kind == "week":
        iso = ps.isocalendar()
        return Span(ps, pe, f"{iso[0]}-W{iso[1]:02d}", "week", span.pos, True, "week")
    return Span(ps, pe, f"{_fmt(ps)}..{_fmt(pe)}", "range", span.pos)


def clip(span: Span, data_start: date, data_end: date, phrase: str = "") -> tuple[Period, str]:
    """The span limited to the data's dates, and a note saying what it resolved to (and why)."""
    words = phrase or span.label
    if span.end < data_start or span.start > data_end:
        raise PlanError(
            f"{words} ({_fmt(span.start)}..{_fmt(span.end)}) is outside your sales data, "
            f"which covers {_fmt(data_start)}..{_fmt(data_end)}.",
            "Ask about a period inside that range.")
    start, end = max(span.start, data_start), min(span.end, data_end)
    note = f"{words} → {span.label} = {_fmt(start)}..{_fmt(end)}"
    reasons = [span.assumption] if span.assumption else []
    if end < span.end:
        reasons.append(f"data ends {_fmt(data_end)}")
    if start > span.start:
        reasons.append(f"data starts {_fmt(data_start)}")
    if reasons:
        note += f" ({'; '.join(reasons)})"
    return Period(start=start, end=end, label=span.label[:80]), note


def _merge(a: Span, b: Span) -> Span:
    s, e = min(a.start, b.start), max(a.end, b.end)
    return Span(s, e, f"{a.label} to {b.label}"[:80], "range", (a.pos[0], b.pos[1]))


def _phrase(text: str, span: Span) -> str:
    """The words a span was read from, quoted for notes (capitalised like a sentence start)."""
    words = " ".join(text[span.pos[0]:span.pos[1]].split())
    return f"'{words}'" if words else span.label


def _between(text: str, a: Span, b: Span) -> str:
    return text[a.pos[1]:b.pos[0]].strip()


def _before(text: str, a: Span) -> str:
    words = text[:a.pos[0]].split()
    return words[-1] if words else ""


def _shift_year(span: Span, years: int) -> Span:
    return Span(add_months(span.start, 12 * years), add_months(span.end, 12 * years),
                span.label.replace(str(span.start.year), str(span.start.year + years)), span.kind, span.pos,
                span.year_stated, span.unit, span.assumption)


def resolve_periods(text: str, *, data_start: date, data_end: date, compare: bool = False) -> PeriodResult:
    """Find the time expressions in `text` and resolve them against the data range [data_start, data_end].

    `compare`: the question compares two periods (the planner saw "change", "why", "vs", …); then
    "from A to B" / "between A and B" mean A vs B, and a single period is compared with the one before.
    Raises PlanError (only) for dates outside the data or nonsense dates.
    """
    if data_end < data_start:
        raise PlanError("The sales data has no valid date range.")
    original, notes = fix_month_typos(text)
    fixed = normalise(original)
    sc = _Scanner(fixed, data_end)
    _scan_all(sc)
    spans = sorted(sc.spans, key=lambda s: s.pos[0])
    result = PeriodResult(notes=notes, text=fixed, original=original)
    result.consumed = [s.pos for s in spans] + [pos for _, pos in sc.markers]
    compare = compare or bool(sc.markers) or bool(_VS.search(sc.masked) and len(spans) >= 2)
    if not spans:
        if not (sc.markers or compare):
            return result
        how = sc.markers[0][0] if sc.markers else "mom"
        unit = {"wow": "week", "qoq": "quarter"}.get(how, "month")
        default = _default_compare(unit, data_start, data_end, how)
        result.periods, more = default
        result.notes += more
        result.relation = "compare"
        return result

    if len(spans) > 2:
        merged = spans[0]
        for extra in spans[1:]:
            merged = _merge(merged, extra)
        result.notes.append(f"Several periods mentioned; used the whole range {merged.label}.")
        spans = [merged]

    if len(spans) == 2:
        a, b = spans
        if b.kind == "rolling" and re.match(r"(?:the\s+)?(?:previous|prior|preceding)\b", fixed[b.pos[0]:b.pos[1]]):
            # "the last 4 weeks vs the previous 4 weeks": the window just before the first one
            before = previous_of(a)
            b = Span(before.start, before.end, f"previous {b.label.removeprefix('last ')}"[:80], "range", b.pos)
        link = _between(sc.masked, a, b)
        if a.start > b.start and not a.year_stated and link in {"to", "-", "and", "until", "till", "through"}:
            a = _shift_year(a, -1)  # "between Nov and Jan"
        if (a.kind == "day" and b.kind == "day") or not (_VS.fullmatch(link) or compare):
            merged = _merge(a, b)
            period, note = clip(merged, data_start, data_end, _phrase(fixed, merged))
            result.periods, result.relation = [period], "range"
            result.notes.append(note)
            return result
        later, earlier = (b, a) if b.start >= a.start else (a, b)
        current, n1 = clip(later, data_start, data_end, _phrase(fixed, later))
        previous, n2 = clip(earlier, data_start, data_end, _phrase(fixed, earlier))
        result.periods, result.relation = [current, previous], "compare"
        result.notes += [n1, n2, f"Compared {current.label} (current) with {previous.label} (previous)."]
        return result

    only = spans[0]
    if _before(sc.masked, only) == "since":
        only = Span(only.start, data_end, f"since {only.label}"[:80], "range", only.pos)
    elif _before(sc.masked, only) in {"until", "till", "before"}:
        only = Span(data_start, only.end, f"until {only.label}"[:80], "range", only.pos)
    current, note = clip(only, data_start, data_end, _phrase(fixed, only))
    result.notes.append(note)
    if not compare:
        result.periods, result.relation = [current], "single"
        return result
    how = "yoy" if any(name == "yoy" for name, _ in sc.markers) else "prev"
    base = only
    if current.end < only.end and how != "yoy" and only.kind in ("month", "quarter", "year", "week"):
        # a partial unit (data ends inside it) is compared with the same days of the previous unit
        base = Span(only.start, current.end, current.label, "todate", only.pos, True, only.unit)
    prev_span = previous_of(base, how)
    previous, note2 = clip(prev_span, data_start, data_end, "previous period")
    result.periods, result.relation = [current, previous], "compare"
    result.notes += [note2, f"Compared {current.label} (current) with {previous.label} (previous)."]
    return result


def _default_compare(unit: str, data_start: date, data_end: date, how: str) -> tuple[list[Period], list[str]]:
    """No period named but a comparison asked: the last complete unit vs the one before; when the data is
    too short for that, the unit to date vs the same days of the previous unit."""
    d = data_end
    if unit == "week":
        monday = d - timedelta(days=d.weekday())
        last = Span(monday - timedelta(days=7), monday - timedelta(days=1), "", "week", (0, 0), True, "week")
        iso = last.start.isocalendar()
        last = Span(last.start, last.end, f"{iso[0]}-W{iso[1]:02d}", "week", (0, 0), True, "week")
        todate = Span(monday, d, f"week of {_fmt(monday)} to date", "range", (0, 0))
    elif unit == "quarter":
        q = (d.month - 1) // 3 + 1
        year, lq = (d.year, q - 1) if q > 1 else (d.year - 1, 4)
        last = Span(*quarter_span(year, lq), f"Q{lq} {year}", "quarter", (0, 0), True, "quarter")
        todate = Span(quarter_span(d.year, q)[0], d, f"Q{q} {d.year} to date", "todate", (0, 0), True, "quarter")
    else:
        s, e = month_span(*add_months(d.replace(day=1), -1).timetuple()[:2])
        last = Span(s, e, _month_label(s.year, s.month), "month", (0, 0), True, "month")
        todate = Span(d.replace(day=1), d, f"{_month_label(d.year, d.month)} to date", "todate", (0, 0),
                      True, "month")
    errors: list[str] = []
    for current in (last, todate):
        prev = previous_of(current, how)
        try:
            cur_p, n1 = clip(current, data_start, data_end)
            prev_p, n2 = clip(prev, data_start, data_end, "previous period")
        except PlanError as exc:
            errors.append(exc.message)
            continue
        return [cur_p, prev_p], [f"No period named: compared {cur_p.label} with {prev_p.label}.", n1, n2]
    raise PlanError("There is not enough sales history to compare two periods. " + " ".join(errors[:1]))


def resolve_expression(expr: str, *, data_start: date, data_end: date) -> PeriodResult:
    """One period written by someone else (an LLM draft): 'Nov 2011', 'last quarter', or 'A..B' ISO dates."""
    text = expr.strip()
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})\s*(?:\.\.|/|to)\s*(\d{4}-\d{2}-\d{2})", text)
    if m:
        text = f"from {m.group(1)} to {m.group(2)}"
    result = resolve_periods(text, data_start=data_start, data_end=data_end)
    if not result.periods:
        raise PlanError(f"Could not read the period '{expr[:60]}'.")
    return result
