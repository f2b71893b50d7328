"""Feature requests and complaint patterns in review texts: what customers ask to be added or changed, and
which problems recur.

Why phrase rules and not a model: "I wish it had pockets", "would be nice in navy", "please make it in petite"
are explicit, and an analyst must be able to see why a sentence counts (the trigger is shown). The rules are
generic wording of wishes and problems, not clothing words, so electronics or grocery reviews work too
("wish the battery lasted longer", "please bring back the old flavour"). A request is grouped by its first
content words after the trigger ("had pockets" → "pockets"), so the table counts what is asked for.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import pandas as pd

REQUEST_TRIGGERS = (
    r"\bi\s+(?:really\s+|just\s+|only\s+)?wish\b", r"\bwish\s+(?:it|they|there|this|the\s+\w+)\b",
    r"\bif\s+only\b", r"\bwould\s+(?:be|have\s+been)\s+(?:so\s+|really\s+|very\s+)?(?:nice|great|better|perfect|"
    r"awesome|ideal|helpful|good)\s+(?:if|to|with|in)\b", r"\bwould\s+love\s+(?:it\s+)?(?:if|to\s+see|to\s+have|"
    r"it\s+in|this\s+in|them\s+in|a|an|more)\b", r"\bplease\s+(?:make|add|bring|offer|consider|do|sell|stock|"
    r"release|include|create|produce|fix|change|keep)\b", r"\bshould\s+(?:come|be\s+(?:made|offered|available|sold))"
    r"\s+(?:in|with)\b", r"\bshould\s+(?:make|add|offer|have\s+made|include|consider)\b",
    r"\bhope\s+(?:they|you|the\s+\w+)\s+(?:make|add|bring|offer|come\s+out|release|will\s+make)\b",
    r"\bwould\s+(?:like|prefer)\s+(?:to\s+see|it\s+to|them\s+to|if|a|an|more)\b",
    r"\b(?:could\s+use|is\s+missing|lacks?|needs\s+more)\s+(?:a|an|more|some|better|longer|bigger)?\b",
    r"\b(?:bring\s+back|come\s+in\s+more|more\s+(?:colou?rs|sizes|options|flavou?rs|variet(?:y|ies)))\b",
    r"\bwhy\s+(?:not|don'?t\s+they)\s+(?:make|offer|add)\b",
)
REQUEST = re.compile("|".join(f"(?:{t})" for t in REQUEST_TRIGGERS), re.I)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
_STOP = frozenset("""a an the it its they them this that these those there to in on of for with and or but be been
was were is are had has have would could should will can so very really just more some any too also if only made
make come came offered available my me i we you please love like see bring back add consider been one ones get
even little bit much lot lots way than then out up as at by from not wasn't weren't isn't could keep less
wish i'd i'm""".split())  # noqa: SIM905

# Complaint patterns: name → regex on the lower-cased text. Generic product wording on purpose.
COMPLAINTS: dict[str, str] = {
    "runs small / too tight": r"\bruns?\s+(?:very\s+|really\s+|a\s+bit\s+|way\s+)?small\b|\btoo\s+(?:tight|small|snug)\b"
                              r"|\bsize\s+up\b|\border(?:ed)?\s+a\s+size\s+up\b",
    "runs large / too big": r"\bruns?\s+(?:very\s+|really\s+|a\s+bit\s+|way\s+)?(?:large|big)\b|\btoo\s+(?:big|large|loose|"
                            r"baggy|boxy|wide)\b|\bsize\s+down\b",
    "too short / too long": r"\btoo\s+(?:short|long)\b",
    "thin, sheer or see-through": r"\bsee[- ]?through\b|\bsheer\b|\btoo\s+thin\b|\bpaper[- ]thin\b|\btransparent\b",
    "poor quality / fell apart": r"\b(?:poor|bad|cheap|low|terrible|awful)\s+(?:quality|material|fabric|construction)\b"
                                 r"|\bfell\s+apart\b|\bfalling\s+apart\b|\bcheaply\s+made\b|\bpoorly\s+made\b|\bflimsy\b",
    "ripped, torn or broke": r"\bripp?(?:ed|ing)\b|\btore\b|\btorn\b|\bbroke\b|\bbroken\b|\bhole\s+in\b|\bunravel\w*"
                             r"|\bseams?\s+(?:came|split|ripped)\b|\bstopped\s+working\b|\bdefective\b|\bfaulty\b",
    "shrank or faded in the wash": r"\bshr[ua]nk\b|\bshrinks?\b|\bfad(?:ed|es|ing)\b|\bpill(?:ed|s|ing)\b",
    "itchy or uncomfortable": r"\bitch\w*|\bscratch\w*|\buncomfortable\b|\bstiff\b|\bdigs?\s+in\b",
    "looks different from the picture": r"\b(?:not|nothing)\s+(?:like|as)\s+(?:the\s+)?(?:pictured?|photos?|shown|"
                                        r"described|advertised|images?)\b|\bdifferent\s+(?:than|from)\s+(?:the\s+)?"
                                        r"(?:pictures?|photos?|online)\b|\bmisleading\b",
    "unflattering fit or cut": r"\bunflattering\b|\bfrumpy\b|\bshapeless\b|\blooks?\s+(?:like\s+)?(?:a\s+)?"
                               r"(?:maternity|tent|sack|potato\s+sack)\b|\bboxy\b",
    "returned it": r"\breturn(?:ed|ing)\s+(?:it|this|them|the)\b|\bsen(?:t|ding)\s+(?:it|this|them)\s+back\b"
                   r"|\bgoing\s+back\b",
    "price / not worth it": r"\boverpriced\b|\bnot\s+worth\b|\btoo\s+expensive\b|\bwaste\s+of\s+money\b"
                            r"|\bpricey\b",
    "delivery or packaging": r"\barrived\s+(?:late|damaged|broken)\b|\blate\s+delivery\b|\bshipping\s+(?:was|took)\b"
                             r"|\bdamaged\b|\bpackag\w+\s+(?:was|were)\s+(?:damaged|torn|open)",
    "smell or taste": r"\bsmell\w*|\bodou?r\b|\bstale\b|\btastes?\s+(?:bad|off|awful|weird)\b",
}
_COMPLAINTS = {name: re.compile(rx) for name, rx in COMPLAINTS.items()}


@dataclass
class Request:
    """One feature request sentence: what is asked (grouping key), the sentence, its review and product."""

    what: str
    sentence: str
    review_key: str
    product: str


@dataclass
class RequestGroup:
    what: str
    mentions: int
    products: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)


# Words after "I wish …" that wish for a different outcome, not a different product ("I wish it fit").
_OUTCOME = frozenset("""fit fitted fits worked work works looked look ordered bought kept tried read knew sized
returned got sent""".split())  # noqa: SIM905
_CLAUSE_END = re.compile(r"[,;:()]|\b(?:but|because|though|although|since|so|when|as|and\s+then|which|that)\b")
NEGATION = re.compile(r"\b(?:not|no|never|isn'?t|wasn'?t|doesn'?t|didn'?t|aren'?t|weren'?t|without|nor)\s+"
                      r"(?:(?:at\s+all|too|very|so|a\s+bit|overly|really|remotely|even|the\s+least)\s+)?[\w-]+")


def _asked(rest: str) -> str:
    """The first content words of the clause after a trigger: 'had deeper pockets, but …' → 'deeper pockets';
    '' when the wish is about an outcome ('I wish it fit')."""
    clause = _CLAUSE_END.split(rest.lower(), maxsplit=1)[0]
    raw = re.findall(r"[a-z][a-z'-]*", clause)
    if "had" in raw[:3]:  # "I wish I had ordered …" is an outcome; "I wish it had pockets" a request
        after = raw[raw.index("had") + 1:raw.index("had") + 2]
        if after and (after[0] in _OUTCOME or after[0].endswith("ed") or after[0] in ("known", "gone", "been")):
            return ""
    words = [w for w in raw if w not in _STOP or w in _OUTCOME]
    if not words or words[0] in _OUTCOME:
        return ""
    return " ".join(w for w in words[:2] if w not in _OUTCOME)


def find_requests(frame: pd.DataFrame) -> list[Request]:
    """Feature requests in frame's texts (columns review_key, text, optionally title and sku/product_name)."""
    out: list[Request] = []
    texts = frame["text"].fillna("").astype(str).tolist()
    keys = frame["review_key"].astype(str).tolist()
    products = _products(frame)
    for text, key, product in zip(texts, keys, products, strict=True):
        if not REQUEST.search(text):
            continue
        for sentence in _SENTENCE.findall(text):
            hit = REQUEST.search(sentence)
            if hit is None:
                continue
            what = _asked(sentence[hit.end():])
            if what:
                out.append(Request(what, sentence.strip()[:300], key, product))
    return out


def group_requests(requests: list[Request], top: int = 20) -> list[RequestGroup]:
    """Requests grouped by what is asked (the head word of the key, so 'pockets' and 'deeper pockets' meet),
    most mentioned first; at most 3 example sentences and 5 products per group."""
    by_head: dict[str, list[Request]] = defaultdict(list)
    for r in requests:
        by_head[r.what.split()[-1]].append(r)
    groups = []
    for head, items in by_head.items():
        phrase = Counter(r.what for r in items).most_common(1)[0][0]
        label = phrase if phrase.endswith(head) else head
        products = [p for p, _ in Counter(r.product for r in items if r.product).most_common(5)]
        examples = list(dict.fromkeys(r.sentence for r in items))[:3]
        groups.append(RequestGroup(label, len(items), products, examples))
    groups.sort(key=lambda g: (-g.mentions, g.what))
    return groups[:top]


def _products(frame: pd.DataFrame) -> list[str]:
    if "product_name" in frame and "sku" in frame:
        return [str(n) if isinstance(n, str) and n else (str(s) if s is not None else "")
                for n, s in zip(frame["product_name"], frame["sku"], strict=True)]
    if "sku" in frame:
        return frame["sku"].fillna("").astype(str).tolist()
    return [""] * len(frame)


def complaint_patterns(frame: pd.DataFrame) -> pd.DataFrame:
    """Per complaint pattern: mentions (reviews), share of negative reviews that mention it, mean score of the
    reviews mentioning it, the products mentioning it most, and an example sentence from a negative review.
    frame: columns text, label, score, review_key, sku/product_name."""
    # "not too tight", "isn't see-through": a negated problem is not a complaint
    text = frame["text"].fillna("").astype(str).str.lower().str.replace(NEGATION, " ", regex=True)
    negative = frame["label"].eq("negative")
    n_neg = int(negative.sum())
    products = pd.Series(_products(frame), index=frame.index)
    rows = []
    for name, rx in _COMPLAINTS.items():
        hit = text.str.contains(rx, regex=True)
        if not hit.any():
            continue
        neg_hit = hit & negative
        top = products[hit & (negative | frame["score"].lt(0))].value_counts().head(3).index.tolist()
        example = ""
        for raw in frame.loc[neg_hit if neg_hit.any() else hit, "text"].head(20):
            sentence = next((s.strip() for s in _SENTENCE.findall(str(raw)) if rx.search(s.lower())), "")
            if 20 <= len(sentence) <= 240:
                example = sentence
                break
        rows.append({"complaint": name, "reviews": int(hit.sum()), "negative_reviews": int(neg_hit.sum()),
                     "share_of_negative_pct": round(100 * neg_hit.sum() / n_neg, 1) if n_neg else None,
                     "mean_score": round(float(frame.loc[hit, "score"].mean()), 3),
                     "top_products": ", ".join(top), "example": example})
    out = pd.DataFrame(rows, columns=["complaint", "reviews", "negative_reviews", "share_of_negative_pct",
                                      "mean_score", "top_products", "example"])
    return out.sort_values(["negative_reviews", "reviews"], ascending=False).reset_index(drop=True)
