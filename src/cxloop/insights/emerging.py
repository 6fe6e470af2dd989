"""Emerging topics: groups of recent negative texts that no topic of the taxonomy matched.

Method: the texts become TF-IDF vectors of their lemmas (stop words of all three
languages removed, a term must occur in at least two texts); agglomerative clustering (average
linkage, cosine distance, groups merged while closer than ``max_distance``; no number of topics to
guess) groups them; a group of at least ``min_size`` texts whose texts are close to its centre
(mean cosine similarity ≥ ``min_cohesion``) becomes a proposal. Deterministic: no random start.
Its keywords are the centre's heaviest terms, its quotes the three texts nearest to the centre.
Meant for the few thousand recent unmatched negative texts, not for the whole history. A manager
accepts a proposal as a topic (its keywords become the topic's rules) or dismisses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer

from .text import lemmas

STOP_WORDS = frozenset(
    """і й та але а що як це не ні на в у з із до по за від для про при так ще вже все дуже
    ви ми я він вона вони його її їх мене мені вас нам був була було були є бути цей ця ці той
    и но что как это нет в во с со к от для о об при так еще уже все всё очень вы мы я он она
    они его ее их меня мне вас нам был была было были есть быть этот эта эти тот который
    the a an and or but to of in on at for with is are was were be been it this that i you we
    they my your our me not no so very just have has had do did does from as by""".split()
)


@dataclass(frozen=True)
class Proposal:
    keywords: list[str]
    quotes: list[str]
    indices: list[int]  # positions of the group's texts in the input
    cohesion: float


def propose_topics(
    texts: Sequence[str],
    languages: Sequence[str],
    *,
    min_size: int = 5,
    min_cohesion: float = 0.15,
    max_topics: int = 5,
    max_distance: float = 0.8,
    n_keywords: int = 5,
) -> list[Proposal]:
    if len(texts) < min_size * 2:
        return []
    documents = [
        " ".join(w for w in lemmas(text, lang) if w not in STOP_WORDS and len(w) > 2)
        for text, lang in zip(texts, languages, strict=True)
    ]
    vectorizer = TfidfVectorizer(
        ngram_range=(1, 1),
        min_df=2,
        sublinear_tf=True,
        token_pattern=r"\S+",  # noqa: S106 - not a password
    )
    try:
        matrix = vectorizer.fit_transform(documents)
    except ValueError:  # no term occurs twice: nothing in common to propose
        return []
    dense = matrix.toarray()
    keep = np.flatnonzero(dense.any(axis=1))  # texts with no shared term cannot join a group
    if len(keep) < min_size:
        return []
    grouping = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=max_distance
    ).fit(dense[keep])
    terms = np.array(vectorizer.get_feature_names_out())
    proposals = []
    for cluster in np.unique(grouping.labels_):
        members = keep[grouping.labels_ == cluster]
        if len(members) < min_size:
            continue
        centre = dense[members].mean(axis=0)
        norm = np.linalg.norm(centre) or 1.0
        similarity = np.asarray(matrix[members] @ (centre / norm)).ravel()
        cohesion = float(similarity.mean())
        if cohesion < min_cohesion:
            continue
        order = members[np.argsort(-similarity)]
        proposals.append(
            Proposal(
                keywords=[str(terms[i]) for i in np.argsort(-centre)[:n_keywords] if centre[i] > 0],
                quotes=[texts[i] for i in order[:3]],
                indices=[int(i) for i in members],
                cohesion=round(cohesion, 3),
            )
        )
    proposals.sort(key=lambda p: (-len(p.indices), -p.cohesion))
    return proposals[:max_topics]
