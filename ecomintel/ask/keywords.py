"""The words the offline planner reads: one regex per intent, metric and grouping.

Why a module of tables: the rules that read a question are easiest to review (and to extend for a new
agent) when every word list sits in one place, away from the code that combines them. Patterns run on
the normalised question (lower case) with periods and named entities already blanked out.
"""

from __future__ import annotations

WHY = r"\bwhy\b|what\s+(?:caused|drove|explains|happened)|\breasons?\b|\bexplain|\bdrivers?\b|\bdrove\b|decompos|contribut|behind\s+the"
MOVERS = (r"\bmovers?\b|\brisers?\b|\bfallers?\b|\bgainers?\b|\blosers?\b|\bwinners?\b"
           r"|(?:grew|growing|rose|increased|declined|dropped|fell|decreased|improved|gained|lost|jumped)\s+(?:the\s+)?most"
           r"|(?:biggest|largest|greatest|fastest|sharpest|most)\s+(?:[a-z]+\s+)?(?:increases?|decreases?|drops?|rises?|gains?|loss(?:es)?|declines?|changes?|jumps?|falls?|growth|growing|declining|movers?)"
           r"|fastest[- ]growing|trending\s+(?:up|down)")
FALLERS = (r"\b(?:fell|fallen|falling|dropped|dropping|declined|declining|decreased|decreasing|lost|shrank|slumped)"
            r"\s+(?:the\s+)?most\b|\b(?:decliners|fallers|losers)\b|(?:biggest|largest|sharpest|steepest|greatest)\s+"
            r"(?:drops?|declines?|decreases?|falls?|loss(?:es)?)")
RETURNS = (r"\breturn(?:s|ed|ing)?\b|\brefund|\bcancel+(?:ed|ations?|s)?\b|\bcredit\s+notes?\b"
           r"|\b(?:came|come|comes|coming|sent|send|sends|brought|bring|got\s+sent)\s+back\b|\bsendbacks?\b")
PATTERNS = (r"day\s+of\s+(?:the\s+)?week|\bweekdays?\b|\bweekends?\b|\bwhich\s+day|\bwhat\s+day|days\s+of\s+the\s+week"
             r"|\bhours?\b|\bhourly\b|time\s+of\s+(?:the\s+)?day|what\s+time|\bbusiest\b|\bpeak\b|\bquietest\b")
# how analysts say a number went up or down ("sales tanked", "revenue plummeted", "orders spiked"): a change, and
# never an unknown word (the planner reads them in every intent, so "why did sales tank" keeps its confidence)
DIRECTION = (r"\btank(?:ed|ing|s)?\b|\bplummet\w*|\bcrash(?:ed|ing)?\b|\bslump(?:ed|ing|s)?\b|\bdip(?:ped|ping|s)?\b"
             r"|\bnose-?div\w*|\bplung(?:e|ed|ing)\b|\bcollaps(?:e|ed|ing)\b|\bsurg(?:e|ed|ing)\b|\bsoar(?:ed|ing)?\b"
             r"|\bspik(?:e|ed|ing)\b|\bjump(?:ed|ing)?\b|\bshr[au]nk\b|\bshrink(?:ing)?\b|\bdived?\b|\bbounced?\s+back\b"
             r"|\bpick(?:ed)?\s+up\b|\bslow(?:ed)?\s+down\b|\bdried\s+up\b")
COMPARE = (DIRECTION + r"|\bcompar|\bvs\b|\bversus\b|\bchange[ds]?\b|\bdifference\b|\bdiffer\b|\bgrowth\b|\bgrow\b|\bgrew\b"
            r"|\bincrease[ds]?\b|\bdecrease[ds]?\b|\bdrop(?:ped)?\b|\bfell\b|\bfall\b|\brise\b|\brose\b|\bdeclined?\b"
            r"|up\s+or\s+down|\bagainst\b")
TOP = r"\btop\b|\bbest\b|\bhighest\b|\bmost\b|\bbiggest\b|\blargest\b|\bleading\b|best[- ]?sell|\bpopular\b|\bstrongest\b"
BOTTOM = r"\bbottom\b|\bworst\b|\blowest\b|\bleast\b|\bfewest\b|\bsmallest\b|\bweakest\b|\bslowest\b|\bpoorest\b"
TREND = (r"\btrends?\b|over\s+time|\bdaily\b|\bweekly\b|\bmonthly\b|\bquarterly\b|(?:per|by|each|every)\s+(?:day|week|month|quarter|date)"
          r"|time\s+series|\bevolution\b|\bevolv|\bprogress|(?:day|week|month)\s+by\s+(?:day|week|month)|\bover\s+the\s+(?:weeks|months|days)")
BREAKDOWN = (r"\bby\s+(?:country|countries|product|products|category|categories|channel|channels|marketplace|marketplaces|sku|skus|market|markets|region|item|items)\b"
              r"|\bper\s+(?:country|product|category|channel|marketplace|sku|market|region|item)\b|\bbreak\s*down|broken\s+down|\bsplit\b|\bshare\b|\bdistribution\b|\bacross\b|\beach\s+(?:country|product|category|channel|marketplace)")
OVERVIEW = (r"how\s+much|how\s+many|\btotal\b|\boverview\b|\bsummary\b|\bkpis?\b|\bheadline|\bperformance\b|\bhow\s+(?:did|are|were|is)\b"
             r"|\bwhat\s+(?:was|were|is|are)\b|\bnumbers\b|\bfigures\b|\bstats\b")

AOV = r"\baov\b|average\s+order\s+(?:value|size)|avg\.?\s+order|average\s+basket|basket\s+(?:size|value)|\border\s+value|average\s+(?:spend|sale|transaction)"
HOW_MANY = r"(?:how\s+many|number\s+of|count\s+of|no\.?\s+of)\s+(?:distinct\s+|unique\s+|different\s+)?(?P<what>\w+)"
REVENUE_STRONG = r"\brevenues?\b|\bumsatz\b|\bventas\b|\bingresos\b|\bventes\b|\bchiffre\s+d'affaires\b|\brev\b|\brevs\b|\bsales\s+\$+|\$\$+|\bgrossed\b|\bturnover\b|\bincome\b|\bmoney\b|\bgmv\b|\btakings\b|\bearn|[£$€₹]|\bvalue\b|\bsales\s+value|\bspen[dt]\b|\bmade\b|\bgenerated?\b|\bgross\b|\bnet\b"
UNITS = (r"\bunits?\b|\bquantit(?:y|ies)\b|\bqty\b|items?\s+sold|products?\s+sold|\bpieces\b|\bvolumes?\b|best[- ]?sell"
          r"|\b(?:best|top|biggest)[- ]?sellers?\b|most\s+(?:sold|popular)|sold\s+(?:the\s+)?most|\bpopular\b|top[- ]selling|how\s+many\s+(?:items|products|things)")
ORDERS = r"\borders?\b|\binvoices?\b|\btransactions?\b|\bpurchases\b|\bbaskets?\b"
CUSTOMERS = r"\bcustomers?\b|\bbuyers?\b|\bshoppers?\b|\bclients?\b|\bppl\b|\bfolks\b"
SALES_WEAK = r"\bsales?\b|\bsold\b|\bselling\b|\bsell\b"

GROUPS: tuple[tuple[str, str], ...] = (
    ("weekday", r"day\s+of\s+(?:the\s+)?week|\bweekdays?\b|\bwhich\s+day|\bwhat\s+day|days\s+of\s+the\s+week"),
    ("hour", r"\bhours?\b|\bhourly\b|time\s+of\s+(?:the\s+)?day|what\s+time"),
    ("day", r"\bdaily\b|(?:per|by|each|every)\s+(?:the\s+)?(?:day|date)\b|day\s+by\s+day|\bday-by-day"),
    ("week", r"\bweekly\b|(?:per|by|each|every)\s+(?:the\s+)?(?:iso\s+)?week\b|week\s+by\s+week|\bweek-by-week"),
    ("month", r"\bmonthly\b|(?:per|by|each|every)\s+(?:the\s+)?month\b|month\s+by\s+month|\bmonth-by-month"),
    ("quarter", r"\bquarterly\b|(?:per|by|each|every)\s+(?:the\s+)?quarter\b"),
    ("category", r"\bcategor(?:y|ies)\b"),
    ("channel", r"\bchannels?\b"),
    ("marketplace", r"\bmarketplaces?\b"),
    ("country", r"\bcountr(?:y|ies)\b|\bmarkets?\b|\bregions?\b|\bnations?\b|\bgeograph|\bwhere\b"),
    ("product", r"\bproducts?\b|\bitems?\b|\bskus?\b|stock\s*codes?\b|\barticles?\b|(?:best|top|biggest|worst|slowest)[- ]?sellers?|\bwhat\s+sold\b|\bwhich\s+sold\b|\bmerchandise\b|\blines\b"),
)



# -- customers ---------------------------------------------------------------------------------------------
CUSTOMER_WORDS = (r"\bcustomers?\b|\bcusts?\b|\bbuyers?\b|\bshoppers?\b|\bclients?\b|\baccounts?\b|\bpurchasers?\b"
                  r"|\bspenders?\b|\bwhales\b")
COHORTS = r"\b(?:first[- ](?:purchase|order|buy)|acquisition)\s+(?:month|cohort|date)s?\b|\bcohorts?\b|\bretention\b|\bretain(?:ed|ing)?\b|\bchurn\w*|\bstick(?:y|iness)\b"
NEW_RETURNING = (r"\bnew\s+(?:vs\.?|versus|v|and|or|&)\s+(?:returning|repeat|existing|old)\b"
                 r"|\b(?:returning|repeat|existing|old)\s+(?:vs\.?|versus|v|and|or|&)\s+new\b"
                 r"|\bnew\s+(?:customers?|custs?|buyers?|clients?|shoppers?|accounts?)\b|\bfirst[- ]time\s+(?:customers?|buyers?|"
                 r"shoppers?|purchasers?)\b|\bnewly\s+acquired\b|\bacquired\s+(?:customers?|buyers?)\b|\bnew\s+vs\b"
                 r"|\breturning\s+(?:customers?|custs?|buyers?|clients?|shoppers?)\b|\bexisting\s+(?:customers?|buyers?|clients?)\b")
REPEAT = (r"\brepeat\s+(?:customers?|custs?|buyers?|clients?|purchase\w*|rate|business|orders?|buying)(?:\s+rates?)?\b"
          r"|\b(?:bought|ordered|purchased|came\s+back|come\s+back|shopped)\s+(?:again|more\s+than\s+once|twice|multiple\s+times)"
          r"|\b(?:customers?|buyers?|clients?|shoppers?)\s+(?:who|that)\s+(?:came|come|keep\s+coming)\s+back\b"
          r"|\bmore\s+than\s+(?:one|1)\s+(?:order|purchase)\b|\bloyal\w*|\brepurchase\w*|\brepeaters\b|\bone[- ]time\s+(?:customers?|buyers?)\b")
WHO = r"\bwho(?:'?s)?\b|\bwhom\b"
WHICH_CUSTOMERS = (r"\b(?:which|what)\s+(?:customers|custs|buyers|clients|accounts|shoppers)\b"
                   r"|\bwho(?:'?s|\s+is|\s+are)?\s+(?:bought|buys|buying|purchased|purchasing|ordered|ordering|orders|buy|spent|spends|spending)\b"
                   r"|\b(?:customers|buyers|clients)\s+(?:who|that)\s+(?:bought|purchased|ordered|buy)\b"
                   r"|\bcustomers\s+(?:of|for)\b")

# -- shares ------------------------------------------------------------------------------------------------
SHARE = (r"\bshare\b|\bwhat\s+(?:%|percent(?:age)?|proportion|fraction|portion|part)\b|%\s*of\b|\bpercent(?:age)?\s+of\b"
         r"|\bpct\s+of\b|\bproportion\b|\bfraction\b|\bportion\b|\bcut\s+of\b|\bpiece\s+of\b|\bhow\s+much\s+of\b|\bcontribution\s+(?:of|from)\b"
         r"|\bcontribut\w*\s+(?:to|towards)\s+(?:total|overall)\b|\bcomes?\s+from\b|\bcame\s+from\b|\bslice\b")

# -- derived metrics (checked before the plain metrics; the first match wins) ---------------------------------
DERIVED: tuple[tuple[str, str], ...] = (
    ("units_per_order", r"\b(?:units?|items?|pieces|products?|qty)\s+(?:per|an?|each)\s+(?:order|basket|invoice|transaction)\b"
                        r"|\b(?:average|avg\.?|mean|typical)\s+(?:basket|order)\s+size\b|\bbasket\s+size\b|\b(?:avg|average|mean)\s+(?:number\s+of\s+)?"
                        r"(?:units?|items?|qty|quantity)\s+(?:per|in\s+an?|on\s+an?)\s+(?:order|basket)\b|\bupo\b|\bupt\b"),
    ("asp", r"\basp\b|\baverage\s+(?:selling|sale|sales|unit)\s+price\b|\b(?:avg|average|mean)\.?\s+(?:unit\s+)?price\b"
            r"|\bprice\s+per\s+unit\b|\brevenue\s+per\s+unit\b|\bavg\s+selling\s+price\b|\bwhat\s+(?:price|prices)\s+(?:did|do|does)\b"
            r"|\baverage\s+price\s+(?:we\s+)?(?:sold|sell|charged?)\b"),
    ("avg_daily_revenue", r"\b(?:average|avg|mean|typical)\.?\s+(?:daily|per[- ]day|a\s+day)\s+(?:revenue|sales|turnover|takings|income)\b"
                          r"|\b(?:revenue|rev|sales|turnover|takings|income|make|made|earn)\s+(?:per|a|each)\s+(?:trading\s+|calendar\s+)?day\b"
                          r"|\b(?:counting\s+)?(?:every|each|all)\s+calendar\s+days?\b|\bper\s+(?:trading|calendar)\s+day\b"
                          r"|\b(?:average|avg|mean|typical)\.?\s+(?:revenue|sales|turnover|takings)\s+(?:per|a|each)\s+day\b"
                          r"|\bdaily\s+average\b|\baverage\s+day\b|\bper\s+day\s+on\s+average\b|\bon\s+an?\s+average\s+day\b"),
    ("cancelled_orders", r"\b(?:how\s+many|number\s+of|count\s+of|no\.?\s+of|#)\s+(?:cancel+ed\s+(?:orders?|invoices?)"
                         r"|orders?\s+(?:were\s+|got\s+)?cancel+ed|cancel+ations?|cancel+ed)\b|\bcancel+(?:ed|ation)\s+(?:orders?|invoices?)\s+count\b"
                         r"|\bcancel+ed\s+orders?\b|\border\s+cancel+ations?\b"),
    ("return_rate", r"\breturn\s+rates?\b|\brate\s+of\s+returns?\b|\brefund\s+rates?\b|\bcancel+ation\s+rates?\b"
                    r"|\b(?:%|percent(?:age)?|share|proportion)\s+(?:of\s+)?(?:sales|revenue|orders|units|items)?\s*(?:that\s+)?(?:was|were|got|get|gets|are|is)?\s*"
                    r"(?:returned|refunded|cancel+ed)\b|\bhow\s+much\s+(?:of\s+\w+\s+)?(?:gets|got|is|was)\s+returned\b"),
    ("revenue_per_customer", r"\b(?:revenue|rev|sales|spend|spending|turnover|value|income)\s+(?:per|an?|each)\s+(?:customer|cust|buyer|client|shopper)\b"
                             r"|\b(?:average|avg|mean)\.?\s+(?:customer|cust|client|buyer)\s+(?:spend|value|revenue)\b|\barp[ua]\b"
                             r"|\b(?:average|avg|mean)\.?\s+(?:spend|revenue|sales)\s+(?:per|by)\s+(?:customer|buyer|client)\b"
                             r"|\bhow\s+much\s+(?:does|do|did)\s+(?:the\s+)?(?:average|avg|typical|each|a)\s+(?:customer|buyer|client)\s+spend\b"
                             r"|\bcustomer\s+value\b"),
)

# -- the one metric of an answer -------------------------------------------------------------------------------
# Plain metric words → the metric. "by <word>" after a ranking names the ranking metric ("top 3 countries by rev
# … and their aov" ranks by revenue); a second metric joined by "and"/"plus"/"," is not answered by the same
# table, so the planner says so instead of dropping it silently.
METRIC_WORDS: tuple[tuple[str, str], ...] = (
    ("revenue", r"revs?|revenues?|turnover|takings|gmv|sales"),
    ("units", r"units|qty|quantit(?:y|ies)|volumes?"),
    ("orders", r"orders|invoices|transactions"),
    ("customers", r"customers|custs|buyers|shoppers|clients"),
    ("aov", r"aov|average\s+order\s+values?|avg\.?\s+order\s+values?|basket\s+values?"),
)
_METRIC_ALT = "|".join(p for _, p in METRIC_WORDS)
BY_METRIC = rf"\bby\s+(?:the\s+)?(?:most\s+|highest\s+|total\s+|net\s+)?(?P<word>{_METRIC_ALT})\b"
METRIC_PAIR = (rf"(?:\b(?P<a>{_METRIC_ALT})\s*,\s*|\b(?:and|plus|as\s+well\s+as|along\s+with)\s+|&\s*|\+\s*)"
               rf"(?:(?:their|the|its|also|total|number\s+of)\s+)*(?P<b>{_METRIC_ALT})\b")

# -- best / worst periods -------------------------------------------------------------------------------------
RANK_WORDS_TOP = r"mejor|meilleure?|beste[nrs]?|best|top|highest|biggest|strongest|busiest|record|peak|largest|greatest|most\s+profitable|highest[- ]grossing|top[- ]grossing|most"
RANK_WORDS_BOTTOM = r"peor|pire|schlechteste[nrs]?|worst|lowest|weakest|quietest|slowest|poorest|smallest|least|bottom|fewest"
PERIOD_UNITS = {"day": "day", "date": "day", "week": "week", "wk": "week", "month": "month", "mth": "month",
                "quarter": "quarter", "qtr": "quarter", "hour": "hour", "weekday": "weekday",
                "day of the week": "weekday", "day of week": "weekday", "time of day": "hour",
                "mes": "month", "mois": "month", "monat": "month", "semana": "week", "semaine": "week",
                "woche": "week", "dia": "day", "día": "day", "jour": "day", "tag": "day"}
_UNIT_ALT = (r"day\s+of\s+(?:the\s+)?week|time\s+of\s+day|weekday|day|date|week|wk|month|mth|quarter|qtr|hour"
             r"|mes|mois|monat|semana|semaine|woche|d[ií]a|jour|tag")
PERIOD_RANK = (rf"\b(?P<dir>{RANK_WORDS_TOP}|{RANK_WORDS_BOTTOM})\s+(?:(?:single|sales|selling|trading|revenue|performing|full|complete|whole|calendar|iso)\s+){{0,2}}(?P<unit>{_UNIT_ALT})s?\b"
               rf"|\b(?:which|what)\s+(?P<unit2>{_UNIT_ALT})s?\b(?=.*\b(?P<dir2>{RANK_WORDS_TOP}|{RANK_WORDS_BOTTOM}|peaked|bottomed|sold\s+(?:the\s+)?most|sold\s+(?:the\s+)?least)\b)"
               rf"|\b(?P<unit3>{_UNIT_ALT})s?\s+with\s+(?:the\s+)?(?P<dir3>{RANK_WORDS_TOP}|{RANK_WORDS_BOTTOM})\b")
PARTIAL_TOO = r"\bincl(?:ude|uding|\.)?\s+(?:the\s+)?partial\b|\bpartial\s+\w+\s+(?:too|included)\b|\bpartial\s+(?:weeks?|months?|periods?)\s+(?:too|included|as\s+well)\b|\beven\s+partial\b"

# -- stock adjustments (reported with returns) --------------------------------------------------------------
ADJUSTMENTS = r"\b(?:inventory|stock)\s+adjust\w*|\badjust(?:ed|ing|s)?\s+(?:\w+\s+)?(?:out\s+of\s+|in\s+)?stock\b|\bstock\s+adjust\w*|\bdamaged\s+(?:stock|goods|items|products)\b|\badjustments?\b|\bwrite[- ]?offs?\b|\bwritten\s+off\b|\bdamaged\b|\bdamages\b|\bunsaleable\b|\bshrinkage\b"

# -- words that never need a rule (chit-chat, hedges) ---------------------------------------------------------
FILLER = frozenset("""
hey hi hello pls plz please thanks thank thx u ur ya yeah ok okay quick quickly just roughly approx approximately
about around exactly actually really kindly maybe wanna want need needed know curious wondering like
can could would tell give show me us our we i you guys team so well right now currently basically overall
stuff thing things lot lots bit whats what's hows how's wheres where's whos who's gimme lemme tho though
also again real broken up down out back any some sort kind info information data numbers number figure
figures details detail breakdown look looking see check pull get got getting find do does did doing done
happened happen going been being ever still yet already here there which that those these this it its
pounds gbp sterling dollars usd euros eur rupees inr currency money table chart graph list plot visual terms
general whole entire everything altogether combined together respectively descending ascending order
mostly mainly usually typically generally normally tend tends tended likely roughly broadly
come comes came coming arrive arrives arrived arriving
biz business company firm placed place ones one por pour nach lines line rows records entries analysis analyse analyze analytics insight insights report overview we've we're they them
""".split())  # noqa: SIM905

# -- the revenue definition stated in a question ("net of returns") is not a returns question ----------------
NET_OF_RETURNS = (r"\b(?:net\s+of|after|less|minus|including|incl\.?|excluding|excl\.?|before|with|without|net\s+after)"
                  r"\s+(?:the\s+)?(?:returns|refunds|cancell?ations)\b")

# -- markets relative to the home market (the country with the most sales lines) ------------------------------
INTERNATIONAL = (r"\b(?:intl|international(?:ly)?|overseas|abroad|foreign|exports?|non[- ]domestic|outside\s+(?:our\s+)?"
                 r"home\s+(?:market|country)|rest\s+of\s+(?:the\s+)?world|row)\b")
DOMESTIC = r"\b(?:domestic(?:ally)?|home\s+(?:market|country)|local\s+market)\b"

# -- weekend / weekday as a qualifier ("weekend share of revenue", "weekday sales"), not a grouping ------------
WEEKEND_FILTER = r"(?<!by )(?<!per )(?<!vs )(?<!and )(?<!or )\bweekends?\b(?!\s+(?:vs|versus|and|or)\b)"
WEEKDAY_FILTER = r"\bweekday\s+(?=(?:sales|revenue|orders|units|share|trading|customers|aov)\b)"
