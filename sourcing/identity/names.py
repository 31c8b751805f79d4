"""Person names for matching: unicode folding and transliteration (unidecode), name order,
initials, particles, and a graded compatibility between two names.

A name is parsed once (cached by its raw text) into *readings*: (given, middles, family) guesses,
western order and, for short names, family-first order too. Two names are compatible when some
pair of readings has the same family and compatible given names (equal, an initial, a prefix
nickname, or the same consonant skeleton of a transliteration: Sergey/Sergei, Yuri/Iurii).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Levenshtein
from unidecode import unidecode

MAX_CHARS = 200  # a 500-character "name" is noise; its head is all we look at
MAX_TOKENS = 6

PARTICLES = frozenset(
    "de van von der den del della da di du dos das la le al el bin ibn ter ten st zu af".split()
)
SUFFIXES = frozenset("jr sr ii iii iv phd md dr prof mr mrs ms msc bsc".split())

# grades of compatibility of two given names
FULL = 1.0
VARIANT = 0.85
INITIAL = 0.8
NICKNAME = 0.75

_SPLIT = re.compile(r"[\s,;/()\[\]{}\"“”'`|]+")
_ALNUM = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Reading:
    given: str  # folded, hyphens and spaces removed ("jihoon"); one letter when an initial
    middles: tuple[str, ...]
    family: str  # folded, particles joined ("vanderberg")
    swapped: bool = False  # read family-first ("Zhang Wei" read as family Zhang)


@dataclass(frozen=True, slots=True)
class Name:
    raw: str
    tokens: tuple[str, ...]  # folded tokens in written order
    readings: tuple[Reading, ...]  # empty for a mononym

    @property
    def folded(self) -> str:
        return " ".join(self.tokens)

    @property
    def is_full(self) -> bool:
        """Has a family name and a given name that is not just an initial."""
        return any(len(r.given) > 1 for r in self.readings if not r.swapped)


def fold(text: str | None) -> str:
    """Lower-case ASCII transliteration with punctuation removed ("José García" -> "jose garcia")."""
    if not text:
        return ""
    s = unidecode(str(text)[:MAX_CHARS]).lower()
    return " ".join(t for t in _ALNUM.split(s) if t)


def _fold_piece(piece: str) -> list[str]:
    """One whitespace-separated piece: "J.-P." -> ["j", "p"], "Ji-hoon" -> ["jihoon"]."""
    s = unidecode(piece).lower()
    parts = [p for p in re.split(r"[.\-‐_]+", s) if p]
    parts = [_ALNUM.sub("", p) for p in parts]
    parts = [p for p in parts if p]
    if not parts:
        return []
    if len(parts) > 1 and not all(len(p) == 1 for p in parts):
        # "Ji-hoon", "Al-Sayed": one word; "J.P." or "J.-P.": two initials
        if "." in piece and all(len(p) <= 2 for p in parts):
            return parts
        return ["".join(parts)]
    return parts


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    for piece in _SPLIT.split(text):
        if piece:
            out.extend(_fold_piece(piece))
    return [t for t in out if t not in SUFFIXES][:MAX_TOKENS]


def _join_particles(tokens: list[str]) -> list[str]:
    """Attach "van der" to the family name that follows it: [maria, van, der, berg] -> [maria, vanderberg]."""
    for i in range(1, len(tokens) - 1):
        if tokens[i] in PARTICLES:
            return tokens[:i] + ["".join(tokens[i:])]
    return tokens


@lru_cache(maxsize=500_000)
def parse(raw: str | None) -> Name | None:
    """Parse a written name; None when nothing name-like is left (empty, emoji, punctuation)."""
    if not raw:
        return None
    # transliterate first: unidecode turns one CJK character into one word ("张伟" -> "Zhang Wei ")
    text = unidecode(str(raw)[:MAX_CHARS])
    family_first: list[str] | None = None
    if text.count(",") == 1:
        fam, _, giv = text.partition(",")
        fam_t, giv_t = _tokens(fam), _tokens(giv)
        if fam_t and giv_t and len(fam_t) <= 3:
            family_first = ["".join(fam_t)] if len(fam_t) > 1 else fam_t
            tokens = giv_t + family_first
        else:
            tokens = _tokens(text.replace(",", " "))
    else:
        tokens = _tokens(text)
    if not tokens:
        return None
    tokens = [t for t in tokens if t]
    if family_first is None:
        tokens = _join_particles(tokens)
    readings: list[Reading] = []
    n = len(tokens)
    if n >= 2:
        readings.append(Reading(tokens[0], tuple(tokens[1:-1]), tokens[-1]))
        if family_first is None:
            if n == 2:
                readings.append(Reading(tokens[1], (), tokens[0], True))  # "Zhang Wei"
            elif n == 3 and all(len(t) > 1 for t in tokens):
                readings.append(Reading(tokens[0] + tokens[1], (), tokens[2]))  # "Ji Hoon Kim"
                readings.append(Reading(tokens[1] + tokens[2], (), tokens[0], True))  # "Kim Ji Hoon"
    return Name(raw=text, tokens=tuple(tokens), readings=tuple(readings))


_VOWELS = re.compile(r"[aeiouy]+")


@lru_cache(maxsize=200_000)
def skeleton(word: str) -> str:
    """Consonant skeleton that transliteration variants share: sergey/sergei -> srg,
    mikhail/michail -> mhl, aleksei/alexey -> alx, yuri/iurii -> r."""
    w = word.replace("ks", "x").replace("kh", "h").replace("ch", "h").replace("ph", "f")
    w = _VOWELS.sub("", w)
    return re.sub(r"(.)\1+", r"\1", w)


def given_grade(a: str, b: str) -> float:
    if a == b:
        return FULL
    if len(a) == 1 or len(b) == 1:
        return INITIAL if a[0] == b[0] else 0.0
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    sa, sb = skeleton(a), skeleton(b)
    if sa and sa == sb:
        sim = Levenshtein.normalized_similarity(a, b)
        if (len(sa) >= 2 and sim >= 0.5) or (len(short) >= 4 and sim >= 0.6):
            return VARIANT
    if len(short) >= 3 and long_.startswith(short):
        return NICKNAME  # alex / alexander, chris / christopher
    return 0.0


def _middles_agree(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    if not a or not b:
        return True
    return all(x[0] == y[0] for x, y in zip(a, b))


def match(a: Name | None, b: Name | None) -> tuple[float, str]:
    """(grade, block) of the best way two names can be the same person's: grade 0 (not),
    NICKNAME, INITIAL, VARIANT or FULL; block "family|initial" it matched in."""
    if a is None or b is None or not a.readings or not b.readings:
        return 0.0, ""
    if a.tokens == b.tokens:
        r = a.readings[0]
        return (FULL if a.is_full else INITIAL), f"{r.family}|{r.given[0]}"
    best, block = 0.0, ""
    for ra in a.readings:
        for rb in b.readings:
            # family-first readings only against a name as written: two of them would compare
            # the given names as families and the families as given names
            if (ra.swapped and rb.swapped) or ra.family != rb.family:
                continue
            g = given_grade(ra.given, rb.given)
            if g and not _middles_agree(ra.middles, rb.middles):
                g = 0.0
            if g > best:
                best, block = g, f"{ra.family}|{ra.given[0]}"
                if best == FULL:
                    return best, block
    return best, block


def compat(a: Name | None, b: Name | None) -> float:
    """How well two names can be the same person's: 0 (not), NICKNAME, INITIAL, VARIANT or FULL."""
    return match(a, b)[0]


def given_keys(name: Name | None) -> set[str]:
    """"family|initial=given" for each reading with a full given name: which given names a block
    holds, so an initial ("T. Sokolov") is known to be ambiguous (Taylor and Tomasz)."""
    if name is None:
        return set()
    return {f"{r.family}|{r.given[0]}={r.given}" for r in name.readings if len(r.family) >= 2 and len(r.given) > 1}


def block_keys(name: Name | None) -> set[str]:
    """Blocking keys "family|x": x is the given name's initial and its skeleton's first letter,
    for every reading (so "Zhang Wei" and "Wei Zhang" share a block)."""
    out: set[str] = set()
    if name is None:
        return out
    for r in name.readings:
        if len(r.family) < 2:
            continue
        out.add(f"{r.family}|{r.given[0]}")
        sk = skeleton(r.given)
        if sk and sk[0] != r.given[0]:
            out.add(f"{r.family}|{sk[0]}")
    return out


def person_tokens(name: Name | None) -> set[str]:
    """Tokens a co-author is known by ("lee|a"), for every reading: context, not identity."""
    if name is None:
        return set()
    return {f"{r.family}|{r.given[0]}" for r in name.readings if len(r.family) >= 2}


def loosely_compatible(a: Name | None, b: Name | None) -> bool:
    """False only when two written names clearly belong to different people; a missing or
    one-word name never contradicts (exact keys such as emails then decide alone)."""
    if a is None or b is None:
        return True
    if compat(a, b):
        return True
    for x in a.tokens:
        for y in b.tokens:
            if x == y:
                return True
            if len(x) >= 3 and len(y) >= 3 and x[:3] == y[:3]:
                return True
            if len(x) >= 3 and len(y) >= 3 and skeleton(x) == skeleton(y) and len(skeleton(x)) >= 2:
                return True
    # "JS" against "John Smith": initials written as one word
    ia = "".join(t[0] for t in a.tokens)
    ib = "".join(t[0] for t in b.tokens)
    if a.tokens[0] in (ib, ib[::-1]) or b.tokens[0] in (ia, ia[::-1]):
        return True
    return False


def login_grade(login: str | None, name: Name | None) -> float:
    """How well a platform login spells a name: johnsmith, john-smith, smithjohn42 -> FULL;
    jsmith, smithj -> INITIAL; anything else (quantumfox, nlewis for "Nina Le") -> 0."""
    if not login or name is None or not name.readings:
        return 0.0
    lg = _ALNUM.sub("", unidecode(login).lower()).rstrip("0123456789")
    if len(lg) < 3:
        return 0.0
    best = 0.0
    for r in name.readings:
        g, f = r.given, r.family
        if len(f) < 2:
            continue
        gm = g + "".join(r.middles)
        if len(g) > 1 and lg in (g + f, f + g, gm + f):
            return FULL
        if lg in (g[0] + f, f + g[0], g[0] + "".join(m[0] for m in r.middles) + f):
            best = max(best, INITIAL)
        elif len(f) >= 4 and lg.startswith(f) or lg.endswith(f):
            rest = lg[len(f):] if lg.startswith(f) else lg[: -len(f)]
            if rest and (rest == g or rest == g[0]):
                best = max(best, INITIAL)
    return best


def login_block_keys(login: str | None) -> set[str]:
    """Name blocks a nameless account's login may spell: "andreimensah" -> mensah|a (and every
    other split), "jsmith" -> smith|j, "smithj" -> smith|j. Bounded: logins are <= 39 characters."""
    if not login:
        return set()
    lg = _ALNUM.sub("", unidecode(login).lower()).rstrip("0123456789")[:39]
    out = set()
    for k in range(1, len(lg) - 1):
        head, tail = lg[:k], lg[k:]
        if len(tail) >= 3:
            out.add(f"{tail}|{head[0]}")  # given then family
        if len(head) >= 3:
            out.add(f"{head}|{tail[0]}")  # family then given
    return out
