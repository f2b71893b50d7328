"""judge_text: whether a review's text can be judged by an English sentiment model, and if not, why.

Why before every model: the models here learned English reviews; given "Sehr gut, passt perfekt", "ок" or
"!!!" they still return a confident number. Such texts are labelled neutral with a reason instead of guessed.

How, cheaply (it runs on every text, so it must not cost more than the models' own ~0.1 ms):
- too short: fewer than 3 letters in the whole text ("", "5", "ok", "!!!");
- another script: most letters are not Latin (Cyrillic, CJK, Devanagari, Arabic, …);
- another language in Latin script: function words of German, French, Spanish, Italian, Portuguese or Dutch
  outnumber English ones (words shared with English — "die", "was", "son", "hat" … — are left out of the
  foreign lists). Short English texts with no function word ("Great product, fast delivery") pass: no foreign
  words either. Two foreign words with no English one ("Sehr gut", "Muy bueno") are enough.
"""

from __future__ import annotations

import re

MIN_LETTERS = 3
TOO_SHORT = "too short to judge"
_WORD = re.compile(r"[^\W\d_]+")

def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


ENGLISH = _set("""
the a an and is it i to of for this that was my but not with very so in on are be have has had they you me at as
its too would will just were all what if or really than them their our we he she his her do does did been can
could should these those there here from by about out up after before because which who when how much more most
love loved great good nice fit fits bad poor perfect comfortable wear quality size small large color colour
""")

FOREIGN: dict[str, frozenset[str]] = {
    "German": _set("""der das und ist nicht sehr ich ein eine einen mit für auf sich aber auch es zu dem von
        wie noch gut schön leider wirklich nur kein keine habe wird sind bei würde passt toll"""),
    "French": _set("""le la les et est très je pas une un des du pour avec sur mais que qui ce cette il elle
        bon bien trop mon ma sont été produit qualité parfait taille jolie"""),
    "Spanish": _set("""el los las y es muy pero que una un por para del lo mi esta este está producto calidad
        bueno buena también talla bonito perfecto"""),
    "Italian": _set("""il gli e è molto che una per ma sono della del questo prodotto qualità buono bella
        ottimo taglia perfetto"""),
    "Portuguese": _set("""o os e é muito não que um uma para mas da produto qualidade bom boa está ótimo
        tamanho lindo"""),
    "Dutch": _set("""de het een en niet zeer ik met voor maar ook op dat goed mooi kwaliteit erg leuk
        past"""),
}


_FOREIGN_WORDS: dict[str, tuple[str, ...]] = {}
for _language, _vocabulary in FOREIGN.items():
    for _w in _vocabulary:
        _FOREIGN_WORDS[_w] = (*_FOREIGN_WORDS.get(_w, ()), _language)
_THREE_LETTERS = re.compile(r"[^\W\d_](?:[\W\d_]*[^\W\d_]){" + str(MIN_LETTERS - 1) + "}")
_LETTER = re.compile(r"[^\W\d_]")
_NON_LATIN_LETTER = re.compile(r"[^\W\d_A-Za-z\u00aa\u00ba\u00c0-\u024f\u1e00-\u1eff]")


def judge_text(text: object) -> str | None:
    """None when `text` can be judged; else the reason it is labelled neutral without judging."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    if _THREE_LETTERS.search(text) is None:
        return TOO_SHORT
    if not text.isascii():
        letters = len(_LETTER.findall(text))
        if len(_NON_LATIN_LETTER.findall(text)) > letters / 2:
            return "not English (another script); not judged"
    english = 0
    foreign: dict[str, int] = {}
    for w in _WORD.findall(text.lower()):
        if w in ENGLISH:
            english += 1
        elif w in _FOREIGN_WORDS:
            for language in _FOREIGN_WORDS[w]:
                foreign[language] = foreign.get(language, 0) + 1
    if foreign:
        best = max(foreign, key=lambda lang: (foreign[lang], lang))
        if foreign[best] >= 2 and foreign[best] > 2 * english:
            return f"looks {best}, not English; not judged"
    return None
