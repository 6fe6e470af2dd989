"""Emerging topics: words that recent unmatched complaints share and the workspace's past did not.

Method (a "burst term" rule, deterministic, explainable in one sentence to a manager):

1. The input is the recent negative texts no topic matched; each becomes the set of its lemmas
   (stop words of all three languages and words under three letters removed).
2. A lemma is *emerging* when at least ``min_size`` recent texts use it and its share of the
   recent texts is at least ``min_lift`` times its share of the background (older texts of the
   same workspace; add-one smoothed, so a word never seen before has a large but finite lift).
   Without a background every lemma used by ``min_size`` texts qualifies.
3. The emerging lemmas are taken strongest first (``texts × log(lift)``); each one that still
   gathers ``min_size`` texts not claimed by a stronger one becomes a proposal with those texts.
   Its keywords are the lemmas its texts share most, weighted the same way; its quotes are the
   three distinct texts that use most of the keywords (the shortest first on a tie).

Why not clustering: a new theme often arrives with a name nobody used before (a new parcel-locker
partner, a new payment provider) written in three languages and a dozen phrasings. Clusters of
whole texts split it by phrasing and language; one shared new word keeps it together, and the
proposal says which word that was. A manager accepts a proposal as a topic (its keywords become
the topic's rules) or dismisses it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from .text import lemmas

STOP_WORDS = frozenset(
    """і й та але а що як це не ні на в у з із до по за від для про при так ще вже все дуже
    ви ми я він вона вони його її їх мене мені вас нам був була було були є бути цей ця ці той
    мій моя моє мої ваш ваша наш наша свій який яка які коли тому бо аби щоб тільки лише знову
    и но что как это нет в во с со к от для о об при так еще уже все всё очень вы мы я он она
    они его ее их меня мне вас нам был была было были есть быть этот эта эти тот который
    мой моя мое мои ваш ваша наш наша свой какой когда потому только лишь снова опять
    the a an and or but to of in on at for with is are was were be been it this that i you we
    they my your our me not no so very just have has had do did does from as by""".split()
)


@dataclass(frozen=True)
class Proposal:
    keywords: list[str]
    quotes: list[str]
    indices: list[int]  # positions of the group's texts in the input
    cohesion: float  # mean share of the keywords each of the group's texts uses


def _terms(text: str, language: str) -> set[str]:
    return {w for w in lemmas(text, language) if len(w) > 2 and w not in STOP_WORDS}


def propose_topics(
    texts: Sequence[str],
    languages: Sequence[str],
    *,
    background: Sequence[tuple[str, str]] = (),
    min_size: int = 5,
    min_lift: float = 4.0,
    max_topics: int = 5,
    n_keywords: int = 6,
) -> list[Proposal]:
    """Proposals from ``texts`` (recent unmatched complaints) against ``background``
    (``(text, language)`` pairs from the workspace's past), biggest first."""
    if len(texts) < min_size:
        return []
    documents = [_terms(t, lang) for t, lang in zip(texts, languages, strict=True)]
    recent = Counter(term for doc in documents for term in doc)
    past = Counter(term for text, lang in background for term in _terms(text, lang))
    n, b = len(documents), len(background)

    def lift(term: str) -> float:
        if not b:
            return math.e  # no past to compare with: every shared word is as new as any other
        return (recent[term] / n) / ((past[term] + 1) / (b + 1))

    def weight(term: str, count: int) -> float:
        return count * math.log(max(lift(term), 1.0))

    emerging = [t for t, c in recent.items() if c >= min_size and (not b or lift(t) >= min_lift)]
    emerging.sort(key=lambda t: (-weight(t, recent[t]), t))
    claimed: set[int] = set()
    proposals: list[Proposal] = []
    for anchor in emerging:
        members = [i for i, doc in enumerate(documents) if anchor in doc and i not in claimed]
        if len(members) < min_size:
            continue
        shared = Counter(term for i in members for term in documents[i])
        companions = sorted(
            (t for t, c in shared.items() if t != anchor and c >= 2 and lift(t) > 1.0),
            key=lambda t: (-weight(t, shared[t]), t),
        )
        keywords = [anchor, *companions[: n_keywords - 1]]
        hits = {i: len(documents[i] & set(keywords)) for i in members}
        order = sorted(members, key=lambda i: (-hits[i], len(texts[i]), i))
        proposals.append(
            Proposal(
                keywords=keywords,
                quotes=_quotes(order, texts, languages, documents),
                indices=members,
                cohesion=round(sum(hits.values()) / (len(members) * len(keywords)), 3),
            )
        )
        claimed.update(members)
        if len(proposals) == max_topics:
            break
    proposals.sort(key=lambda p: (-len(p.indices), -p.cohesion))
    return proposals


def _quotes(
    order: list[int], texts: Sequence[str], languages: Sequence[str], documents: list[set[str]]
) -> list[str]:
    """Three representative texts that say it differently: in the given order (most keywords
    first), preferring another language, then another wording (under half the words shared)."""
    chosen: list[int] = []

    def different(i: int) -> bool:
        return all(
            len(documents[i] & documents[j]) <= 0.5 * len(documents[i] | documents[j])
            for j in chosen
        )

    rules = (
        lambda i: languages[i] not in {languages[j] for j in chosen} and different(i),
        different,
        lambda i: texts[i] not in {texts[j] for j in chosen},
    )
    for rule in rules:
        for i in order:
            if len(chosen) == 3:
                return [texts[j] for j in chosen]
            if i not in chosen and rule(i):
                chosen.append(i)
    return [texts[j] for j in chosen]
