"""Time expressions in a question → inclusive date ranges, anchored to the tenant's latest sales date D.

Why anchored to D and not the wall clock: analysts ask about *their* data ("last month" on a file that ends
2011-12-09 means Nov 2011, not the month before today). The shared rules (common.md):

- "last month/quarter/week/year" = the last COMPLETE calendar unit before D's unit;
- "this month/quarter/week/year", "month/year to date", "YTD" = start of D's unit .. D;
- "last N days/weeks/months" (also "rolling", "trailing") = rolling, ending at D inclusive (N days, N*7
  days, N months);
- "N months/weeks/… ago", "the month before last" = that calendar unit, counted back from D's unit;
- a month, quarter or ISO week without a year = its latest occurrence at or before D (or the one year
  stated elsewhere in the question, when that is not in the future);
- "yesterday" = D - 1, "today" = D;
- "week of <date>" (also "w/c", "week commencing/beginning/starting/ending", "w/e") = the ISO week,
  Monday to Sunday, that contains the date, stated in the note;
- "dec 1-9", "1st-15th nov" = those days of one month; a weekday written before a date ("fri 25 nov")
  belongs to it (and a note says so when it is the wrong weekday).

Abbreviations read like the words: qtr(s), mth(s)/mnth(s)/mo(s), wk(s), yr(s), prev; "30d", "L4W", "L3M",
TTM/LTM (the last 12 months), "fortnight" (14 days); ytd/mtd/qtd/wtd; yoy, mom, wow, qoq, y/y, m/m,
"vs LY".

Every resolved period is clipped to the data's date range (with a note) and a period wholly outside the
data, or a nonsense date ("2011-13", "week 60", "Q5"), raises PlanError with a message for the user —
never any other exception (a hypothesis test holds us to that).
Comparisons: two periods joined by "vs", or "from A to B" / "between A and B" when the caller says the
question compares (otherwise those are ranges), or one period plus "month over month", "YoY", "previous
period" → [current, previous], current being the later one.

Month names in Spanish, French and German (full names and the usual abbreviations) are read as the
English month, with a note ("Read 'noviembre' as November."). Some of them are also English words or
names — "Mars" (the planet, the chocolate bar), "Mai" (Mai Tai), "Avril", "mayo" — so those four, and
the abbreviations that are not English ("dic", "ago", "okt", …), are months only where the words around
them say so: a year after them ("mars 2011", "mayo de 2011"), a day number before them ("5 mai"), a
foreign preposition before them ("en mars", "im Mai", "de mayo"), or an English one (in, for, during,
since, until, from, to, between, through) with nothing but a link word ("and", "to", "vs") or the end of
the question after them ("revenue in mars"). So "sales of mars bars" and "twix vs mars" have no period.
A word that looks like a month but is not one we read — closer to a foreign month name than to an
English one ("noviembr", "dezembre", Italian "dicembre") — is not guessed: it goes to
`PeriodResult.unread` (and a note), and a year or day next to it is not read either, so the planner can
say "did not understand 'noviembr'" instead of answering for the whole year.

Weekday filters ("on sundays", "weekends", "on weekdays", "mon-fri", "excluding weekends", "every
monday", "sunday sales") go to `PeriodResult.weekdays` (English names, Monday first) and are consumed.
Groupings by weekday ("by weekday", "which weekday", "day of week", "weekdays vs weekends", "weekday sales
pattern") are the planner's, and stay unconsumed; so do named days ("black friday", "cyber monday") and a
single day with no other cue ("on sunday": one Sunday or every Sunday?). "weekdays" needs a cue (on, only,
during, …) because it also means "the days of the week"; singular "weekday" is a filter only before a
measure ("weekday revenue"). Several filters combine: the days named, minus the days excluded ("on
weekends excluding sundays" = Saturday); one that leaves no day is a PlanError.

How it works: `read_month_words` first reads foreign month names and fixes English month typos in the
question as typed. Then `RULES`, a table of (name, regex, handler) rows, is scanned in priority order;
each match a handler accepts (a Span, a comparison Marker or a WeekdayFilter) is blanked so later rows do
not read it again: comparison markers first, so "vs previous month" is not read as "last month"; weekday
filters before dates; bare years last, so "Nov 2011" is one month, not a month and a year. Finally the
spans are combined (one period, a range, or a comparison) and clipped to the data.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Literal

from rapidfuzz import fuzz

from ecomintel.ask.plan import Period
from ecomintel.dates import (
    add_months,
    iso_week_label,
    month_label,
    month_span,
    quarter_label,
    quarter_of,
    quarter_span,
    week_containing,
    week_span,
    weeks_in_year,
)
from ecomintel.errors import PlanError

Kind = Literal["day", "week", "month", "quarter", "year", "rolling", "todate", "range"]
Relation = Literal["none", "single", "range", "compare"]

# -- vocabulary ------------------------------------------------------------------------------------------------
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_ALT = (r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
              r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?")
_MON = rf"(?P<mon>{_MONTH_ALT})"
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
                "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
                "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "ninety": 90, "a": 1, "a couple of": 2,
                "couple of": 2, "a few": 3, "few": 3}
_NUM = r"(?P<n>\d{1,6}|" + "|".join(sorted((re.escape(k) for k in NUMBER_WORDS), key=len, reverse=True)) + ")"
_ORDINAL_Q = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
              "last": 4}
_UNIT_WORDS = r"(%|units?|orders?|items?|products?|customers?|pieces|pcs|gbp|usd|eur|inr|pounds?|dollars?|euros?|rupees?)"
# A number like a year that is an amount: "more than 2000 units", "top 2000", "over 2011 orders".
_NOT_UNITS = rf"(?!\s*(?:{_UNIT_WORDS[1:-1]}))"
_AMOUNT_BEFORE = re.compile(r"\b(?:than|over|above|below|under|least|top) $")
_YEAR_IN_TEXT = re.compile(rf"(?<![\d£$€.,-])(?:19|20)\d{{2}}(?![\d%]){_NOT_UNITS}")
_SHORT_YEAR = re.compile(r"'(\d{2})\b")
_VS = re.compile(r"\b(?:vs\.?|versus|v\.|against|compared?(?:\s+(?:to|with))?)(?!\w)")

# Calendar units as written → the unit. Single letters only where glued to a number ("30d", "L4W").
_UNITS = (("day", r"days?|d"), ("week", r"weeks?|wks?|w"), ("fortnight", r"fortnights?"),
          ("month", r"months?|mnths?|mths?|mos?|m"), ("quarter", r"quarters?|qtrs?|q"), ("year", r"years?|yrs?|y"))
_UNIT_WORD = r"(?P<unit>days?|weeks?|wks?|fortnights?|months?|mnths?|mths?|mos?|quarters?|qtrs?|years?|yrs?)"
_CAL_UNITS = r"month|mnth|mth|mo|quarter|qtr|week|wk|year|yr"  # one calendar unit: last/this/… ago
_CAL_UNIT = rf"(?P<unit>{_CAL_UNITS})"
_PREV = r"(?:previous|prev|prior|preceding)"


def _unit(word: str) -> str:
    return next(name for name, pattern in _UNITS if re.fullmatch(pattern, word))


# Foreign month names (Spanish, French, German). German April/August/September/November are English.
_FOREIGN_MONTHS = {
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7, "agosto": 8,
    "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12, "decembre": 12,
    "januar": 1, "jänner": 1, "jaenner": 1, "februar": 2, "märz": 3, "maerz": 3, "juni": 6, "juli": 7,
    "oktober": 10, "dezember": 12,
}
_FOREIGN_ABBREVIATIONS = {"ene": 1, "abr": 4, "ago": 8, "dic": 12, "janv": 1, "févr": 2, "fevr": 2, "avr": 4,
                          "juil": 7, "déc": 12, "mär": 3, "mrz": 3, "okt": 10, "dez": 12}
_ALSO_ENGLISH = frozenset({"mars", "mai", "avril", "mayo"})  # a planet and a chocolate bar, a cocktail, a name, a sauce
_FOREIGN_PREPOSITIONS = frozenset({"en", "de", "del", "du", "au", "im", "für", "fur", "bis", "seit", "ab", "desde",
                                   "hasta", "depuis", "entre", "y", "et", "und"})
_ENGLISH_PREPOSITIONS = frozenset({"in", "for", "during", "since", "until", "from", "to", "between", "through"})
_LINK_WORDS = frozenset({"and", "to", "vs", "versus", "compared", "against", "or", "y", "et", "und", "bis"})
# Words within the typo distance of a month name that are words of their own: not months, not unread.
_NOT_MONTHS = frozenset({"match", "marsh", "marche", "marché", "jungle", "junior", "juniors"})
_ENGLISH_BY_LETTER = {c: [m for m in MONTHS if m[0] == c] for c in {m[0] for m in MONTHS}}
_FOREIGN_BY_LETTER = {c: sorted(w for w in _FOREIGN_MONTHS if len(w) >= 5 and w[0] == c)
                      for c in {w[0] for w in _FOREIGN_MONTHS}}
_YEAR_AFTER = re.compile(r"\.?\s*,?\s*(?:of\s+|de\s+|del\s+)?(?:(?:19|20)\d{2}|'\d{2})(?!\d)")
_DAY_BEFORE = re.compile(r"\b\d{1,2}(?:st|nd|rd|th|\.)?\s+(?:of\s+|de\s+)?$")
_WORD = re.compile(r"[^\W\d_]+")
_DIGIT = re.compile(r"\d")

# Weekdays. Abbreviations ("sat", "sun", "wed") only in ranges ("mon-fri"): alone they are English words.
_DAY_NAME = r"(?:mon|tues|wednes|thurs|fri|satur|sun)days?"
_DAY_ABBR = r"(?:mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)"
_DAY_LIST = rf"{_DAY_NAME}(?:\s*(?:,|&|\+|/|\band\b|\bor\b)\s*(?:on\s+)?{_DAY_NAME})*"
_DAY_SET = rf"weekends?|weekdays?|(?:business|working|work)\s+days|{_DAY_LIST}"
_MEASURE_AFTER = re.compile(r"\s+(?:sales|revenue|rev|orders|units|trade|trading|business|takings|turnover"
                            r"|customers|shoppers|traffic|numbers|figures|performance)\b")
_GROUPING_BEFORE = frozenset({"by", "per", "which", "what", "each", "busiest", "quietest", "best", "worst",
                              "slowest", "top", "compare", "across", "between", "vs", "versus", "against",
                              "last", "this", "next", "past", "previous", "prev"})
_GROUPING_AFTER = frozenset({"vs", "versus", "compared", "against"})
_NAMED_DAYS = frozenset({"black", "cyber", "good", "easter", "super", "giving", "holy", "ash", "palm", "shrove"})
_CUE_BEFORE = re.compile(r"(?:\bonly\s+|\bevery\s+|(?:\bonly\s+)?\b(?:on|at|over|during|for|in|from)\s+(?:the\s+|a\s+)?)$")
_GROUPING_NEAR = re.compile(r"(?:\s+\w+){0,2}?\s+(?:patterns?|breakdown|split|distribution|profile|mix|trends?"
                            r"|seasonality)\b")


# -- results ---------------------------------------------------------------------------------------------------
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


@dataclass(frozen=True)
class Marker:
    """A comparison word without a period of its own: mom, wow, qoq, yoy or prev."""

    how: str


@dataclass(frozen=True)
class WeekdayFilter:
    """Days of the week (0 = Monday) a phrase keeps, or drops when `exclude`."""

    days: frozenset[int]
    exclude: bool
    phrase: str
    pos: tuple[int, int]


Found = Span | Marker | WeekdayFilter


@dataclass
class PeriodResult:
    """Resolved periods ([one] or [current, previous]), notes for the user, and what the text consumed."""

    periods: list[Period] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    relation: Relation = "none"
    consumed: list[tuple[int, int]] = field(default_factory=list)
    text: str = ""  # the normalised text the positions refer to (lower case, month words read)
    original: str = ""  # the question with month words read, original case (same length as `text`)
    weekdays: list[str] = field(default_factory=list)  # weekday filter, English names, Monday first
    unread: list[str] = field(default_factory=list)  # month-like words that were not understood, as typed


# -- text normalisation ----------------------------------------------------------------------------------------
_PLAIN = str.maketrans({"’": "'", "‘": "'", "–": "-", "—": "-"})


def normalise(text: str) -> str:
    """Lower case without changing length (positions stay valid), typographic quotes and dashes made plain."""
    low = text.lower()
    if len(low) == len(text):
        return low.translate(_PLAIN)
    out = []  # a character whose lower case is longer ('İ' → 'i̇') stays as it is
    for ch in text:
        low = ch.lower()
        ch = low if len(low) == 1 else ch
        out.append({"’": "'", "‘": "'", "–": "-", "—": "-"}.get(ch, ch))
    return "".join(out)


@dataclass
class MonthWords:
    """The question with month words read as English month names, the notes saying so, and the month-like
    words that were not read."""

    text: str
    notes: list[str]
    unread: list[str]


def read_month_words(text: str) -> MonthWords:
    """Foreign month names → the English name ('noviembre' → 'November'); English typos fixed ('Novmber' →
    'November': rapidfuzz ratio ≥ 80, same first letter, 5+ letters); a word closer to a foreign month name
    than to an English one (ratio ≥ 85: 'noviembr') is left as it is and listed as unread. Works on the
    question as typed, keeping the case of the first letter."""
    notes: list[str] = []
    unread: list[str] = []

    def repl(match: re.Match[str]) -> str:
        word = match.group(0)
        low = word.lower()
        if low in _FOREIGN_MONTHS or low in _FOREIGN_ABBREVIATIONS:
            ambiguous = low in _ALSO_ENGLISH or low in _FOREIGN_ABBREVIATIONS
            if ambiguous and not _reads_as_month(match.string, match.start(), match.end(),
                                                 abbreviation=low in _FOREIGN_ABBREVIATIONS):
                return word
            name = MONTHS[(_FOREIGN_MONTHS.get(low) or _FOREIGN_ABBREVIATIONS[low]) - 1]
            notes.append(f"Read '{word}' as {name.capitalize()}.")
            return name.capitalize() if word[0].isupper() else name
        if len(low) < 5 or low in MONTHS or low in _NOT_MONTHS:
            return word
        best, score = "", 0.0
        for name in _ENGLISH_BY_LETTER.get(low[0], ()):
            s = fuzz.ratio(low, name)
            if s > score:
                best, score = name, s
        foreign = max((fuzz.ratio(low, name) for name in _FOREIGN_BY_LETTER.get(low[0], ())), default=0.0)
        if score >= 80 and score >= foreign:
            notes.append(f"Read '{word}' as '{best.capitalize()}'.")
            return best.capitalize() if word[0].isupper() else best
        if foreign >= 85:
            unread.append(word)
            notes.append(f"Did not understand '{word}' (it looks like a month name, but not one I read); "
                         "no period was read from it.")
        return word

    return MonthWords(_WORD.sub(repl, text), notes, unread)


def _reads_as_month(text: str, start: int, end: int, *, abbreviation: bool) -> bool:
    """Whether a foreign month word that is also something else stands where a month would (module doc)."""
    low = text.lower()
    if _YEAR_AFTER.match(low, end) or _DAY_BEFORE.search(low[:start]):
        return True
    if abbreviation:
        return False
    before = _WORD.findall(low[:start])
    prev = before[-1] if before else ""
    if prev in _FOREIGN_PREPOSITIONS:
        return True
    after = _WORD.search(low, end)
    nxt = after.group(0) if after and not low[end:after.start()].strip(" ,") else ""
    return prev in _ENGLISH_PREPOSITIONS and (nxt == "" or nxt in _LINK_WORDS)


# -- the scanner -----------------------------------------------------------------------------------------------
class _Scanner:
    """Runs the rules over the question, blanking what each accepted match consumed."""

    def __init__(self, text: str, anchor: date) -> None:
        self.text = text
        self.masked = text
        self.anchor = anchor
        self.spans: list[Span] = []
        self.markers: list[tuple[str, tuple[int, int]]] = []  # compare markers: mom/wow/qoq/yoy/prev
        self.weekday_filters: list[WeekdayFilter] = []
        self.context_year: int | None = None
        # years stated anywhere give bare months/quarters/weeks their context (not amounts: "over 2000 units")
        years = {int(y.group(0)) for y in _YEAR_IN_TEXT.finditer(text) if not self.is_amount(y.start())} \
            if _DIGIT.search(text) else set()
        years |= {2000 + int(y) for y in _SHORT_YEAR.findall(text)} if "'" in text else set()
        if len(years) == 1:
            self.context_year = years.pop()

    def blank(self, a: int, b: int) -> None:
        self.masked = self.masked[:a] + " " * (b - a) + self.masked[b:]

    def run(self, rules: tuple[Rule, ...]) -> None:
        for rule in rules:
            if rule.needles and not any(needle in self.masked for needle in rule.needles):
                continue
            if rule.digits and not _DIGIT.search(self.masked):
                continue
            for match in rule.pattern.finditer(self.masked):  # over the text as it was when this row started
                a, b = match.span()
                if self.masked[a:b].strip() != match.group(0).strip():  # consumed meanwhile
                    continue
                found = rule.read(self, match)
                if isinstance(found, Span):
                    before = self.look_back(rule.prefix, found.pos[0]) if rule.prefix else None
                    if before is not None:
                        found = replace(found, pos=(before.start(), found.pos[1]))
                    self.spans.append(found)
                    self.blank(*found.pos)
                elif isinstance(found, Marker):
                    self.markers.append((found.how, (a, b)))
                    self.blank(a, b)
                elif isinstance(found, WeekdayFilter):
                    self.weekday_filters.append(found)
                    self.blank(*found.pos)

    def look_back(self, pattern: re.Pattern[str], pos: int) -> re.Match[str] | None:
        """`pattern` (anchored with $) ending right at `pos`: words before a match that belong to it."""
        return pattern.search(self.masked, max(0, pos - 40), pos)

    def is_amount(self, pos: int) -> bool:
        """Whether the number at `pos` is an amount ('more than 2000 units'), not a year."""
        return self.look_back(_AMOUNT_BEFORE, pos) is not None

    def block_unread(self, words: list[str]) -> None:
        """Blank month-like words that were not understood, with a day or year beside them, so that no rule
        reads "2011" in "noviembr 2011" as the whole year. They stay unconsumed (the planner reports them)."""
        for word in words:
            pattern = (rf"(?:\b\d{{1,2}}(?:st|nd|rd|th|\.)?\s+(?:of\s+|de\s+)?)?\b{re.escape(word.lower())}\b\.?"
                       r"(?:\s*,?\s*(?:of\s+|de\s+|del\s+)?(?:(?:19|20)\d{2}|'\d{2})(?!\d))?")
            for match in re.finditer(pattern, self.masked):
                self.blank(*match.span())

    def latest_month(self, month: int) -> tuple[int, bool, str]:
        """Year for a month stated without one: the context year if it isn't in the future, else the latest
        occurrence at or before the anchor."""
        d = self.anchor
        if self.context_year is not None and date(self.context_year, month, 1) <= d:
            return self.context_year, False, f"year {self.context_year} from your question"
        year = d.year if month <= d.month else d.year - 1
        return year, False, f"latest {MONTHS[month - 1].capitalize()} in your data"

    def word_before(self, pos: int) -> str:
        words = self.text[max(0, pos - 30):pos].split()
        return words[-1].strip(",.") if words else ""

    def word_after(self, pos: int) -> str:
        words = self.text[pos:pos + 30].split()
        return words[0].strip(",.") if words else ""


@dataclass(frozen=True)
class Rule:
    """One row of the table: what to look for, and the handler that turns a match into a period, a marker or
    a weekday filter (or None: not one after all). `prefix`: words that belong to the period when they stand
    right before it ("im März"), consumed with it. `needles` and `digits` only save time: a match always
    contains one of the needles (and a digit), so the row is skipped when the text left has none of them —
    most rows do not apply to most questions, and a substring test is far cheaper than a regex scan."""

    name: str
    pattern: re.Pattern[str]
    read: Callable[[_Scanner, re.Match[str]], Found | None]
    needles: tuple[str, ...] = ()
    prefix: re.Pattern[str] | None = None
    digits: bool = False


def _year(text: str | None) -> int | None:
    if not text:
        return None
    text = text.strip("' ")
    value = int(text)
    return 2000 + value if len(text) == 2 else value


def _month_number(word: str) -> int:
    return next(i for i, name in enumerate(MONTHS, 1) if name.startswith(word.rstrip(".")[:3]))


def _fmt(d: date) -> str:
    return d.isoformat()


# -- handlers: comparison markers ------------------------------------------------------------------------------
def _marker(how: str) -> Callable[[_Scanner, re.Match[str]], Found | None]:
    return lambda sc, m: Marker(how)


# -- handlers: weekday filters ---------------------------------------------------------------------------------
def _weekday_index(word: str) -> int:
    return next(i for i, name in enumerate(WEEKDAYS) if word.startswith(name[:3].lower()))


def _day_set(words: str) -> frozenset[int]:
    """The days a weekday phrase names: weekends, weekdays, business days, or a list of day names."""
    words = " ".join(words.split())
    if words.startswith("weekend"):
        return frozenset({5, 6})
    if words in ("weekday", "weekdays", "business days", "working days", "work days"):
        return frozenset(range(5))
    return frozenset(_weekday_index(w) for w in re.findall(_DAY_NAME, words))


def _not_a_filter(sc: _Scanner, pos: tuple[int, int]) -> bool:
    """'by weekday', 'which weekdays', 'weekdays vs weekends' (a grouping or a comparison), 'black friday',
    'cyber monday' (a named day): not a weekday filter."""
    before = sc.word_before(pos[0])
    return before in _GROUPING_BEFORE or before in _NAMED_DAYS or sc.word_after(pos[1]) in _GROUPING_AFTER


def excluded_days(sc: _Scanner, m: re.Match[str]) -> WeekdayFilter | None:
    return WeekdayFilter(_day_set(m.group("set")), True, m.group(0).strip(), m.span())


def _cued(sc: _Scanner, m: re.Match[str]) -> tuple[str, tuple[int, int]]:
    """The cue before a weekday phrase ('on', 'at the', 'every', 'only on', …) and the span with it."""
    cue = sc.look_back(_CUE_BEFORE, m.start())
    start = cue.start() if cue else m.start()
    return (cue.group(0) if cue else ""), (start, m.end())


def day_range(sc: _Scanner, m: re.Match[str]) -> WeekdayFilter | None:
    """'mon-fri', 'monday to friday', 'between monday and friday', 'sat-sun' (wrapping round the week:
    'fri-mon')."""
    _, pos = _cued(sc, m)
    if _not_a_filter(sc, pos):
        return None
    first, last = _weekday_index(m.group("a")), _weekday_index(m.group("b"))
    days = frozenset((first + i) % 7 for i in range((last - first) % 7 + 1))
    return WeekdayFilter(days, False, sc.text[pos[0]:pos[1]], pos)


def weekday_words(sc: _Scanner, m: re.Match[str]) -> WeekdayFilter | None:
    """Weekends / weekdays / business days / day names, read as a filter when something says so: plural
    days and 'weekends' always ('sundays', 'weekends'); 'weekend', 'weekdays' and business days with a cue
    ('on', 'at the', 'during', 'every', 'only', or a measure right after: 'weekend sales'); a single day
    only with 'every', 'only' or a measure after it ('every sunday', 'sunday sales'; not 'on sunday')."""
    cue, pos = _cued(sc, m)
    if _not_a_filter(sc, pos):
        return None
    words = " ".join(m.group("set").split())
    measure = _MEASURE_AFTER.match(sc.text, m.end()) is not None
    # 'every sunday', 'only on sunday', 'on a sunday', 'sunday only', 'sunday sales'
    insists = cue.startswith(("every", "only")) or cue.split()[-1:] == ["a"] or bool(m.group("post")) or measure
    if words == "weekday":  # "weekday revenue" is Mon–Fri; "weekday sales pattern" is a grouping
        accepted = (bool(cue) or insists) and not _GROUPING_NEAR.match(sc.text, m.end())
    elif words == "weekends":
        accepted = True
    elif words.startswith(("week", "business", "work")):  # weekend, weekdays, business/working days
        accepted = bool(cue) or insists
    else:  # day names: plural ones are a filter; a single day needs 'every', 'only' or a measure after it
        accepted = insists or any(w.endswith("s") for w in re.findall(_DAY_NAME, words))
    if not accepted:
        return None
    return WeekdayFilter(_day_set(words), False, sc.text[pos[0]:pos[1]], pos)


# -- handlers: days and weeks ----------------------------------------------------------------------------------
_WEEKDAY_BEFORE = re.compile(rf"\b(?P<wd>(?:mon|tues|wednes|thurs|fri|satur|sun)day|{_DAY_ABBR})\.?,?\s+(?:the\s+)?$")
_WEEK_OF = re.compile(r"(?:\bthe\s+)?(?:\b(?:week|wk)\s+(?:of|commencing|beginning|starting|ending|ended|containing)"
                      r"|\bw/[ce]|\bw\.[ce]\.)\s*$")


def _day(sc: _Scanner, m: re.Match[str], year: int, month: int, dd: int, stated: bool = True,
         assume: str = "") -> Span:
    """A single day, or the ISO week containing it when 'week of' / 'w/c' / 'week ending' precedes it."""
    try:
        value = date(year, month, dd)
    except ValueError:
        raise PlanError(f"'{m.group(0).strip()}' is not a valid date.",
                        "Write dates like 2011-11-05 or 5 Nov 2011.") from None
    named = sc.look_back(_WEEKDAY_BEFORE, m.start())  # "friday 25 nov": the weekday belongs to the date
    start = named.start() if named else m.start()
    if named and _weekday_index(named.group("wd")) != value.weekday():
        assume = "; ".join(filter(None, [assume, f"{_fmt(value)} is a {WEEKDAYS[value.weekday()]}"]))
    week_of = sc.look_back(_WEEK_OF, start)
    if week_of is None:
        return Span(value, value, _fmt(value), "day", (start, m.end()), stated, "day", assume)
    monday, sunday = week_containing(value)
    why = f"the Monday–Sunday week containing {_fmt(value)}" + (f"; {assume}" if assume else "")
    return Span(monday, sunday, f"ISO week {iso_week_label(value)}", "week", (week_of.start(), m.end()),
                stated, "week", why)


def iso_date(sc: _Scanner, m: re.Match[str]) -> Span:
    return _day(sc, m, int(m.group(1)), int(m.group(2)), int(m.group(3)))


def dmy_date(sc: _Scanner, m: re.Match[str]) -> Span:
    a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if a > 12 >= b:
        return _day(sc, m, y, b, a)
    if b > 12 >= a:
        return _day(sc, m, y, a, b, assume="month/day order")
    return _day(sc, m, y, b, a, assume="read as day/month/year")


def _day_of_month(sc: _Scanner, m: re.Match[str]) -> tuple[int, int, int, bool, str]:
    """(year, month, day, year stated, assumption) of '5 nov (2011)' / 'nov 5th(, 2011)'."""
    month, dd = _month_number(m.group("mon")), int(m.group("d"))
    year = _year(m.group("y"))
    if year is not None:
        return year, month, dd, True, ""
    year, stated, assume = sc.latest_month(month)
    # a day later in D's month than D is in the future → previous year
    if date(year, month, 1) <= sc.anchor < date(year, month, min(max(dd, 1), 28)):
        year -= 1
    return year, month, dd, stated, assume


def day_month(sc: _Scanner, m: re.Match[str]) -> Span:
    return _day(sc, m, *_day_of_month(sc, m))


def days_in_month(sc: _Scanner, m: re.Match[str]) -> Span:
    """'dec 1-9', 'december 1st to 9th 2011', '1-15 nov': days of one month."""
    year, month, dd, stated, assume = _day_of_month(sc, m)
    try:
        first, last = date(year, month, dd), date(year, month, int(m.group("d2")))
    except ValueError:
        raise PlanError(f"'{m.group(0).strip()}' is not a valid range of days.") from None
    if last < first:
        raise PlanError(f"'{m.group(0).strip()}' ends before it starts.", "Write day ranges like 'Dec 1-9'.")
    return Span(first, last, f"{_fmt(first)}..{_fmt(last)}", "range", m.span(), stated, "", assume)


def iso_week(sc: _Scanner, m: re.Match[str]) -> Span:
    """2011-W48, week 48 (of 2011), wk 48, w48."""
    d, w = sc.anchor, int(m.group("w"))
    year = int(m.group("y")) if m.group("y") else None
    stated, assume = year is not None, ""
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


# -- handlers: quarters, halves, months, years -----------------------------------------------------------------
def quarter(sc: _Scanner, m: re.Match[str]) -> Span:
    """Q4 2011, 2011-Q4, Q4 '11, qtr 4, fourth quarter of 2011, Q4."""
    d, qtext = sc.anchor, m.group("q")
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
    return Span(s, e, quarter_label(year, q), "quarter", m.span(), stated, "quarter", assume)


def half(sc: _Scanner, m: re.Match[str]) -> Span:
    """H1 2011, first half of 2011, second half, 2nd half of 2011."""
    d = sc.anchor
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


_SEASON_MONTHS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}


def season(sc: _Scanner, m: re.Match[str]) -> Span | None:
    """Summer 2011, last winter, in the spring (not 'spring flower mug': a product): meteorological seasons of the northern hemisphere (spring
    Mar–May, summer Jun–Aug, autumn Sep–Nov, winter Dec–Feb named by its December's year), stated in the
    report. 'fall' only with a year or a cue ('in the fall'): 'why did sales fall' is a verb."""
    word, year = m.group("s"), _year(m.group("y"))
    if word == "fall" and year is None and not m.group("cue"):
        return None
    first = _SEASON_MONTHS[word]
    d, stated, assume = sc.anchor, year is not None, "meteorological seasons (northern hemisphere)"
    if year is None:  # the latest such season that has begun by the anchor (the context year's if given)
        year = sc.context_year if sc.context_year is not None and date(sc.context_year, first, 1) <= d else (
            d.year if date(d.year, first, 1) <= d else d.year - 1)
        in_progress = add_months(date(year, first, 1), 3) > d
        if in_progress and (m.group("cue") or "").strip().startswith(("last", "past", "previous")):
            year -= 1  # "last winter" while a winter is under way: the one before it
        assume += f"; latest {word} in your data"
    s = date(year, first, 1)
    e = add_months(s, 3) - timedelta(days=1)
    return Span(s, e, f"{word} {year}", "range", m.span(), stated, "", assume)


def numeric_month(sc: _Scanner, m: re.Match[str]) -> Span:
    """2011-11, 2011/11, 11/2011, 11-2011."""
    year, month = int(m.group("y")), int(m.group("m"))
    if not 1 <= month <= 12:
        raise PlanError(f"'{m.group(0).strip()}' is not a valid month.", "Write months like 2011-11 or Nov 2011.")
    s, e = month_span(year, month)
    return Span(s, e, month_label(year, month), "month", m.span(), True, "month")


_MAY_BEFORE = frozenset({"in", "for", "of", "during", "since", "from", "to", "until", "between", "and", "vs",
                         "versus", "through", "than", "before", "after"}) | _FOREIGN_PREPOSITIONS
_MAY_AFTER = frozenset({"vs", "to", "and", "versus", "-"})


def month_name(sc: _Scanner, m: re.Match[str]) -> Span | None:
    """A month name with an optional year; 'may' only where it reads as a month ('may I see' does not)."""
    word, year = m.group("mon"), _year(m.group("y"))
    if word == "may" and year is None:
        before = sc.text[:m.start("mon")].split()[-1:] or [""]
        after = sc.text[m.end():].split()[:1] or [""]
        if before[0] not in _MAY_BEFORE and after[0] not in _MAY_AFTER:
            return None
    month = _month_number(word)
    stated, assume = True, ""
    if year is None:
        year, stated, assume = sc.latest_month(month)
    s, e = month_span(year, month)
    return Span(s, e, month_label(year, month), "month", m.span(), stated, "month", assume)


def year_only(sc: _Scanner, m: re.Match[str]) -> Span | None:
    """A bare year, unless it is an amount: 'more than 2000 units', 'top 2000', '£2011'. Before a unit word
    ('2011 orders') it is a year only when it is near the data (within five years before its latest date)."""
    if sc.is_amount(m.start()):
        return None
    if m.groupdict().get("near") and not sc.anchor.year - 5 <= int(m.group("y")) <= sc.anchor.year:
        return None
    year = int(m.group("y"))
    return Span(date(year, 1, 1), date(year, 12, 31), str(year), "year", m.span(), True, "year")


# -- handlers: relative periods --------------------------------------------------------------------------------
def rolling(sc: _Scanner, m: re.Match[str]) -> Span:
    """Last N days/weeks/fortnights/months/quarters/years, ending at D: 'last 3 mths', 'past 30d', 'L4W'."""
    d = sc.anchor
    groups = m.groupdict()
    raw = groups.get("n") or groups.get("n2") or "1"
    n = int(raw) if raw.isdigit() else NUMBER_WORDS[raw]
    unit = _unit(groups.get("unit") or groups.get("unit2") or "")
    if unit == "fortnight":
        n, unit = 14 * n, "day"
    if n < 1:
        raise PlanError(f"'{m.group(0).strip()}' is an empty period.", "Use a number of at least 1.")
    if n > 100_000:
        raise PlanError(f"'{m.group(0).strip()}' is too long a period.")
    if unit == "day":
        start = d - timedelta(days=n - 1)
    elif unit == "week":
        start = d - timedelta(days=7 * n - 1)
    else:
        months = n * {"month": 1, "quarter": 3, "year": 12}[unit]
        start = add_months(d, -months) + timedelta(days=1) if months < 12 * 2000 else date.min
    plural = "s" if n != 1 else ""
    return Span(start, d, f"last {n} {unit}{plural}", "rolling", m.span(), True, "",
                f"rolling, ending at your latest data date {_fmt(d)}")


def last_twelve_months(sc: _Scanner, m: re.Match[str]) -> Span:
    d = sc.anchor
    return Span(add_months(d, -12) + timedelta(days=1), d, "last 12 months", "rolling", m.span(), True, "",
                f"rolling, ending at your latest data date {_fmt(d)}")


def _units_before(d: date, unit: str, n: int) -> tuple[date, date, str]:
    """The calendar day/month/quarter/week/year `n` units before the one containing `d` (n = 1: the last)."""
    if unit == "day":
        return d - timedelta(days=n), d - timedelta(days=n), _fmt(d - timedelta(days=n))
    if unit == "month":
        s, e = month_span(*add_months(d.replace(day=1), -n).timetuple()[:2])
        return s, e, month_label(s.year, s.month)
    if unit == "quarter":
        s = add_months(quarter_span(d.year, quarter_of(d))[0], -3 * n)
        return *quarter_span(s.year, quarter_of(s)), quarter_label(s.year, quarter_of(s))
    if unit == "week":
        s, e = week_containing(d - timedelta(days=7 * n))
        return s, e, iso_week_label(s)
    return date(d.year - n, 1, 1), date(d.year - n, 12, 31), str(d.year - n)


def last_unit(sc: _Scanner, m: re.Match[str]) -> Span:
    """The last complete calendar month/quarter/week/year before D's."""
    d, unit = sc.anchor, _unit(m.group("unit"))
    s, e, label = _units_before(d, unit, 1)
    kind: Kind = unit  # type: ignore[assignment]
    return Span(s, e, label, kind, m.span(), True, unit, f"last complete {unit} before your latest data date {_fmt(d)}")


def units_ago(sc: _Scanner, m: re.Match[str]) -> Span:
    """'3 months ago', 'a week ago', '2 days ago', 'the month before last': the calendar unit N before D's."""
    d, unit = sc.anchor, _unit(m.group("unit"))
    raw = m.groupdict().get("n") or "2"  # "the month before last"
    n = int(raw) if raw.isdigit() else NUMBER_WORDS[raw]
    if not 1 <= n <= 100_000:
        raise PlanError(f"'{m.group(0).strip()}' is not a period I can count back to.")
    s, e, label = _units_before(d, unit, n)
    kind: Kind = unit  # type: ignore[assignment]
    return Span(s, e, label, kind, m.span(), True, unit,
                f"{n} calendar {unit}{'s' if n != 1 else ''} before the {unit} of your latest data date {_fmt(d)}")


def this_unit(sc: _Scanner, m: re.Match[str]) -> Span:
    """This month/quarter/week/year, month to date, MTD/QTD/YTD/WTD: the start of D's unit .. D."""
    d = sc.anchor
    unit = _unit(m.group("unit") or m.group("unit2") or m.group("abbr") or m.group("unit3"))
    if unit == "month":
        s = d.replace(day=1)
        label = f"{month_label(d.year, d.month)} to date"
    elif unit == "quarter":
        s = quarter_span(d.year, quarter_of(d))[0]
        label = f"{quarter_label(d.year, quarter_of(d))} to date"
    elif unit == "week":
        s = week_containing(d)[0]
        label = f"week of {_fmt(s)} to date"
    else:
        s = date(d.year, 1, 1)
        label = f"{d.year} to date"
    return Span(s, d, label, "todate", m.span(), True, unit, f"up to your latest data date {_fmt(d)}")


def one_day(sc: _Scanner, m: re.Match[str]) -> Span:
    d, word = sc.anchor, m.group(0).strip()
    value = d - timedelta(days=1) if word == "yesterday" else d
    return Span(value, value, _fmt(value), "day", m.span(), True, "day",
                f"'{word}' counted from your latest data date {_fmt(d)}")


# -- the rules, in priority order ------------------------------------------------------------------------------
def _rule(name: str, pattern: str, read: Callable[[_Scanner, re.Match[str]], Found | None],
          needles: tuple[str, ...] = (), *, prefix: re.Pattern[str] | None = None, digits: bool = False) -> Rule:
    return Rule(name, re.compile(pattern), read, needles, prefix, digits)


_PREV_UNIT = rf"(?:the\s+)?{_PREV}\s+(?:month|mth|mnth|mo|week|wk|quarter|qtr|year|yr|period)"
_YEAR = rf"(?:,?\s*(?:de\s+|del\s+)?(?P<y>\d{{4}}|'\d{{2}}){_NOT_UNITS})?"  # an optional year
_TO = r"\s*(?:-|\bto\b|\btill\b|\buntil\b|\bthrough\b|\bthru\b)\s*"
# a foreign preposition right before a month is part of the date ("im März", "en agosto", "de noviembre")
_FOREIGN_PREP = re.compile(r"\b(?:en|im|am|de|del|au|le|el|für|fur)\s+$")

# needles (see Rule): strings every match of a row contains
_MONTHS_IN = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS_IN = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_BACK = ("last", "past", "prev", "prior", "preced", "trailing", "recent", "rolling")

RULES: tuple[Rule, ...] = (
    # comparison markers first, so "vs previous month" is not read as "last month"
    _rule("month over month", r"\b(?:month[- ]over[- ]month|m-?o-?m|mom|m/m)\b", _marker("mom"), ("mo", "m/m", "m-o")),
    _rule("week over week", r"\b(?:week[- ]over[- ]week|w-?o-?w|wow|w/w)\b", _marker("wow"), ("week", "wo", "w/w", "w-o")),
    _rule("quarter over quarter", r"\b(?:quarter[- ]over[- ]quarter|q-?o-?q|qoq|q/q)\b", _marker("qoq"), ("quarter", "qo", "q/q", "q-o")),
    _rule("year over year", r"\b(?:year[- ]over[- ]year|y-?o-?y|yoy|y/y|(?:vs\.?|versus|against)\s+(?:ly|py)"
                            r"|this\s+time\s+last\s+(?:year|yr)|(?:the\s+)?same\s+(?:period|time|month|week|quarter)\s+"
                            r"(?:last|a|the\s+previous|previous)\s+(?:year|yr))\b", _marker("yoy"),
          ("year", "yo", "y/y", "y-o", "ly", "py", "same", "time")),
    _rule("previous period", rf"\b(?:vs\.?|versus|compared\s+(?:to|with)|against)\s+{_PREV_UNIT}\b"
                             rf"|\b(?:(?:the\s+)?{_PREV}\s+period|period[- ]over[- ]period|(?:the\s+)?period\s+before)\b",
          _marker("prev"), ("prev", "prior", "preced", "period")),
    # weekday filters (before dates: "mon" and "sun" are not months, but "on mondays" is not a period)
    _rule("weekdays excluded", r"\b(?:excluding|excl?\.?|except(?:\s+(?:for|on))?|without|not\s+on|other\s+than|no)"
                               rf"\s+(?:the\s+)?(?:on\s+)?(?P<set>{_DAY_SET})\b", excluded_days,
          ("exc", "without", "no", "other")),
    _rule("weekday between", rf"\bbetween\s+(?P<a>{_DAY_NAME}|{_DAY_ABBR})\s+(?:and|&)\s+(?P<b>{_DAY_NAME}|{_DAY_ABBR})\b",
          day_range, ("between",)),
    _rule("weekday range", rf"\b(?P<a>{_DAY_NAME}|{_DAY_ABBR})\s*"
                           rf"(?:-|\bto\b|\bthru\b|\bthrough\b|\btill\b|\buntil\b)\s*(?P<b>{_DAY_NAME}|{_DAY_ABBR})\b"
                           r"(?:\s+only)?", day_range, _DAYS_IN),
    _rule("weekday words", rf"\b(?P<set>{_DAY_SET})\b(?P<post>\s+only)?", weekday_words,
          (*_DAYS_IN, "week", "business", "work")),
    # full dates (a 'week of' before one makes it that ISO week): ISO, d/m/yyyy, "5 nov 2011", "nov 5th, 2011"
    _rule("iso date", r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b", iso_date, digits=True),
    _rule("day/month/year", r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b", dmy_date, digits=True),
    _rule("days in a month", rf"\b{_MON}\b\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?{_TO}(?P<d2>\d{{1,2}})"
                             rf"(?:st|nd|rd|th)?\b(?!\s*(?:%|{_UNIT_WORDS[1:-1]})){_YEAR}", days_in_month,
          _MONTHS_IN, prefix=_FOREIGN_PREP, digits=True),
    _rule("days of a month", rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th|\.)?{_TO}(?P<d2>\d{{1,2}})"
                             rf"(?:st|nd|rd|th|\.)?\s+(?:of\s+|de\s+)?{_MON}\b\.?{_YEAR}", days_in_month,
          _MONTHS_IN, prefix=_FOREIGN_PREP, digits=True),
    _rule("day month", rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th|\.)?\s+(?:of\s+|de\s+)?{_MON}\b\.?{_YEAR}", day_month,
          _MONTHS_IN, prefix=_FOREIGN_PREP, digits=True),
    _rule("month day", rf"\b{_MON}\b\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?"
                       rf"(?!\s*(?:%|\d(?!\d{{3}}\b)|{_UNIT_WORDS[1:-1]}))\b{_YEAR}", day_month,
          _MONTHS_IN, prefix=_FOREIGN_PREP, digits=True),
    # ISO weeks: 2011-W48, week 48 (of 2011), wk 48, w48
    _rule("iso week", r"\b(?P<y>\d{4})-?w(?P<w>\d{1,2})\b", iso_week, ("w",), digits=True),
    _rule("week number", r"\b(?:iso\s+)?(?:week|wk|w)\s*(?:no\.?\s*|number\s*|#\s*)?(?P<w>\d{1,2})\b"
                         r"(?:\s*(?:of\s+|,\s*)?(?P<y>\d{4}))?", iso_week, ("w",), digits=True),
    # quarters and halves
    _rule("year quarter", r"\b(?P<y>\d{4})\s*[-/ ]?\s*q(?P<q>\d)\b", quarter, ("q",), digits=True),
    _rule("quarter", r"\b(?:q|qtr\.?\s*|quarter\s+)(?P<q>\d)\b(?:\s*[-/,]?\s*(?:of\s+)?(?P<y>\d{4}|'\d{2})\b)?", quarter,
          ("q",), digits=True),
    _rule("ordinal quarter", r"\b(?P<q>first|second|third|fourth|1st|2nd|3rd|4th)\s+(?:quarter|qtr)\b"
                             r"(?:\s+(?:of\s+)?(?P<y>\d{4}))?", quarter, ("quarter", "qtr")),
    _rule("half", r"\bh(?P<h>[12])\b(?:\s*[-/,]?\s*(?:of\s+)?(?P<y>\d{4}|'\d{2})\b)?", half, ("h",), digits=True),
    _rule("ordinal half", r"\b(?:the\s+)?(?P<h>first|second|1st|2nd)\s+half\b"
                          r"(?:\s+(?:of\s+)?(?:the\s+year\s+)?(?P<y>\d{4}))?", half, ("half",)),
    _rule("season", r"\b(?P<cue>(?:in|during|over|for|this|last|past|previous)\s+(?:the\s+)?)?"
                    r"(?P<s>spring|summer|autumn|fall|winter)\b(?:\s*(?:of\s+)?(?P<y>\d{4}|'\d{2})\b"
                    r"|(?!\s+(?!(?:sales|revenue|orders|units|turnover|trade|trading|season|vs|versus|and|or|compared"
                    r"|to|in|for|by|of|was|were|did)\b)[a-z]))", season,
          ("spring", "summer", "autumn", "fall", "winter")),
    # numeric months: 2011-11, 2011/11, 11/2011, 11-2011
    _rule("year-month", r"\b(?P<y>\d{4})[-/](?P<m>\d{1,2})\b", numeric_month, digits=True),
    _rule("month-year", r"\b(?P<m>\d{1,2})[-/](?P<y>\d{4})\b", numeric_month, digits=True),
    # relative: last N units, last/this unit, to date, yesterday
    _rule("last n units", rf"\b(?:the\s+)?(?:last|past|{_PREV}|trailing|recent|rolling)\s+{_NUM}\s+{_UNIT_WORD}\b",
          rolling, _BACK),
    _rule("last nd", rf"\b(?:(?:the\s+)?(?:last|past|{_PREV}|trailing|rolling)\s+(?P<n2>\d{{1,4}})(?P<unit2>[dwmqy])"
                     r"|l(?P<n>\d{1,4})(?P<unit>[dwmqy]))\b", rolling,
          (*_BACK, "l"), digits=True),
    _rule("last fortnight", rf"\b(?:the\s+)?(?:last|past|{_PREV})\s+(?P<unit>fortnight)\b", rolling, ("fortnight",)),
    _rule("last twelve months", r"\b(?:ttm|ltm)\b", last_twelve_months, ("ttm", "ltm")),
    _rule("last unit", rf"\b(?:the\s+)?(?:last|past|{_PREV})\s+{_CAL_UNIT}\b", last_unit, _BACK),
    _rule("units ago", rf"\b{_NUM}\s+(?P<unit>day|{_CAL_UNITS})s?\s+ago\b", units_ago, ("ago",)),
    _rule("unit before last", rf"\b(?:the\s+)?{_CAL_UNIT}\s+before\s+last\b", units_ago, ("before",)),
    _rule("this unit", rf"\b(?:this|current|the\s+current)\s+{_CAL_UNIT}\b(?:[- ]to[- ]date)?"
                       r"|\b(?P<unit2>month|quarter|week|year)[- ]to[- ]date\b|\b(?P<abbr>m|q|y|w)td\b"
                       r"|\b(?:of|in|during|over)\s+the\s+(?P<unit3>year)\b(?!\s+(?:before|after|earlier|ago|to))",
          this_unit, ("this", "current", "date", "td", "the year")),
    _rule("yesterday, today", r"\b(?:yesterday|today|(?:the\s+)?latest\s+day|(?:the\s+)?last\s+day)\b", one_day, ("day",)),
    # month names (with an optional year)
    _rule("month name", rf"\b{_MON}\b\.?(?:(?:\s*,?\s*(?:of\s+|de\s+|del\s+)?|-)"
                        r"(?P<y>(?:19|20)\d{2}|'\d{2})(?!\d))?", month_name,
          _MONTHS_IN, prefix=_FOREIGN_PREP),
    # bare years (not amounts: "more than 2000 units", "£2011")
    _rule("year", rf"(?<![£$€\d.,])\b(?:fy\s*)?(?P<y>(?:19|20)\d{{2}})\b{_NOT_UNITS}(?![.,]\d)", year_only,
          digits=True),
    _rule("year before a unit word", rf"(?<![£$€\d.,])\b(?P<y>(?:19|20)\d{{2}})(?P<near>\b)(?=\s*{_UNIT_WORDS})",
          year_only, digits=True),
)


# -- combining and clipping ------------------------------------------------------------------------------------
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
        return Span(ps, pe, month_label(ps.year, ps.month), "month", span.pos, True, "month")
    if span.kind == "quarter":
        ps = add_months(s, -3)
        q = quarter_of(ps)
        return Span(*quarter_span(ps.year, q), quarter_label(ps.year, q), "quarter", span.pos, True, "quarter")
    if span.kind == "year":
        return Span(date(s.year - 1, 1, 1), date(s.year - 1, 12, 31), str(s.year - 1), "year", span.pos)
    if span.kind == "todate" and span.unit in ("month", "quarter", "year"):
        months = {"month": 1, "quarter": 3, "year": 12}[span.unit]
        ps, pe = add_months(s, -months), add_months(e, -months)
        return Span(ps, pe, f"{_fmt(ps)}..{_fmt(pe)}", "range", span.pos)
    length = (e - s).days + 1
    ps, pe = s - timedelta(days=length), s - timedelta(days=1)
    if span.kind == "week":
        return Span(ps, pe, iso_week_label(ps), "week", span.pos, True, "week")
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


def _weekdays(found: list[WeekdayFilter]) -> tuple[list[str], list[str]]:
    """The weekday filter (names, Monday first) and its note: the days named (all when only exclusions
    were) minus the days excluded. No filter when that is every day; PlanError when it is no day."""
    if not found:
        return [], []
    keep = [f.days for f in found if not f.exclude]
    drop = [f.days for f in found if f.exclude]
    days = frozenset().union(*keep) if keep else frozenset(range(7))
    days -= frozenset().union(*drop)
    phrases = ", ".join(f"'{' '.join(f.phrase.split())}'" for f in found)
    if not days:
        raise PlanError(f"The weekday filter {phrases} leaves no day of the week.",
                        "Name the days to keep, e.g. 'on weekdays' or 'excluding Sundays'.")
    if len(days) == 7:
        return [], [f"Weekday filter {phrases} keeps every day, so no weekday filter is used."]
    names = [WEEKDAYS[i] for i in sorted(days)]
    return names, [f"Weekday filter: {', '.join(names)} (read from {phrases})."]


def resolve_periods(text: str, *, data_start: date, data_end: date, compare: bool = False) -> PeriodResult:
    """Find the time expressions in `text` and resolve them against the data range [data_start, data_end].

    `compare`: the question compares two periods (the planner saw "change", "why", "vs", …); then
    "from A to B" / "between A and B" mean A vs B, and a single period is compared with the one before.
    Raises PlanError (only) for dates outside the data or nonsense dates.
    """
    if data_end < data_start:
        raise PlanError("The sales data has no valid date range.")
    try:
        return _resolve(text, data_start, data_end, compare)
    except (OverflowError, ValueError):  # date arithmetic past year 1 or 9999: "the 5000 years before"
        raise PlanError("That period reaches beyond the calendar (before year 1 or after 9999).") from None


def _resolve(text: str, data_start: date, data_end: date, compare: bool) -> PeriodResult:
    words = read_month_words(text)
    fixed = normalise(words.text)
    sc = _Scanner(fixed, data_end)
    sc.block_unread(words.unread)
    sc.run(RULES)
    weekdays, weekday_notes = _weekdays(sc.weekday_filters)
    spans = sorted(sc.spans, key=lambda s: s.pos[0])
    result = PeriodResult(notes=words.notes + weekday_notes, text=fixed, original=words.text, weekdays=weekdays,
                          unread=words.unread)
    result.consumed = [s.pos for s in spans] + [pos for _, pos in sc.markers] + [f.pos for f in sc.weekday_filters]
    compare = compare or bool(sc.markers) or bool(_VS.search(sc.masked) and len(spans) >= 2)
    if not spans:
        if not (sc.markers or compare):
            return result
        how = sc.markers[0][0] if sc.markers else "mom"
        unit = {"wow": "week", "qoq": "quarter"}.get(how, "month")
        result.periods, more = _default_compare(unit, data_start, data_end, how)
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
        if b.kind == "rolling" and re.match(rf"(?:the\s+)?{_PREV}\b", fixed[b.pos[0]:b.pos[1]]):
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
    if current.end < only.end and only.kind in ("month", "quarter", "year", "week"):
        # a partial unit (data ends inside it) is compared with the same days of the previous unit (or of
        # the year before, for YoY: "Dec 2011 vs LY" with data ending 2011-12-09 is Dec 1–9 vs Dec 1–9 2010)
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
        s, e = week_containing(d - timedelta(days=7))
        last = Span(s, e, iso_week_label(s), "week", (0, 0), True, "week")
        todate = Span(e + timedelta(days=1), d, f"week of {_fmt(e + timedelta(days=1))} to date", "range", (0, 0))
    elif unit == "quarter":
        q = quarter_of(d)
        year, lq = (d.year, q - 1) if q > 1 else (d.year - 1, 4)
        last = Span(*quarter_span(year, lq), quarter_label(year, lq), "quarter", (0, 0), True, "quarter")
        todate = Span(quarter_span(d.year, q)[0], d, f"{quarter_label(d.year, q)} to date", "todate", (0, 0),
                      True, "quarter")
    else:
        s, e = month_span(*add_months(d.replace(day=1), -1).timetuple()[:2])
        last = Span(s, e, month_label(s.year, s.month), "month", (0, 0), True, "month")
        todate = Span(d.replace(day=1), d, f"{month_label(d.year, d.month)} to date", "todate", (0, 0),
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
