"""Similar projects across authorities: the insight no single authority can see.

Titles (and goals, where both projects state one) are compared with a fuzzy text similarity
(rapidfuzz). Before comparing, texts are folded (lower case, ß → ss, punctuation and hyphens to
spaces) and generic words that say nothing about the subject ("digital", "online",
"Einführung", "Pilot", "Ablösung", "Fachverfahren", articles …) are dropped and one inflection
ending is cut from longer words ("Chatbots" → "chatbot"), so "Digitale Gewerbeanmeldung" is
compared as "gewerbeanmeldung".

Similarity of two texts (0–100) = mean of two rapidfuzz scores: ``token_set_ratio`` (the same
words in any order; one title's words contained in the other's count fully) and
``token_sort_ratio`` (the sorted word sequences; extra words lower it). The mean keeps "Chatbot
Bürgeranfragen" and "KI-Chatbot für Bürgeranfragen" together while "Akte" and "Akte Migration
Altakten" stay apart.

Similarity of two projects = the title similarity, or — if both state a goal — the mean of title
and goal similarity when that is higher (goals can confirm a borderline title, never replace it).
Projects whose similarity reaches the threshold are linked; a cluster is a connected group of
linked projects. Only clusters spanning at least ``min_authorities`` authorities are reported.
Completed and cancelled projects are left out (there is nothing left to bundle), and so are
programmes run centrally anyway (setting ``recommendation_similarity_exclude_programmes``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import duckdb
import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from kpi.common import CURRENT_SUBMISSIONS

ACTIVE_STATUSES = ("not_started", "in_progress", "reorienting", "paused")

# Words that occur in titles of every kind and say nothing about what is built.
STOPWORDS = frozenset(
    """
    der die das den dem des ein eine einer eines einem einen und oder sowie für fuer von vom
    im in ins zur zum zu mit ohne auf am an bei über ueber per als aus nach durch gegen
    digital digitale digitaler digitales digitalen digitalisierung digitalisiert
    online elektronisch elektronische elektronischer elektronisches elektronischen
    einführung einfuehrung pilot pilotierung pilotprojekt projekt vorhaben programm
    berlin berliner land landes neu neue neuer neues neuen weiterentwicklung umsetzung
    phase stufe teil ki
    ablösung abloesung erneuerung modernisierung ersatz ausbau aufbau anbindung rollout
    einrichtung optimierung verbesserung umstellung fachverfahren verfahren system lösung
    loesung antrag anträge beantragung
    """.split()
)
# Inflection endings cut once from longer words, so "Chatbots" and "Chatbot" compare equal.
_ENDINGS = ("en", "er", "es", "e", "n", "s")
_SPLIT = re.compile(r"[^0-9a-zäöü]+")

RULE_TEXT = (
    "Ähnlichkeit 0–100: Mittel aus Wortmengen-Vergleich und Vergleich der sortierten "
    "Wortfolge (rapidfuzz) der Titel, ohne allgemeine Wörter wie „digital“, „online“, "
    "„Einführung“, „Pilot“, „Ablösung“ und ohne Beugungsendungen; geben beide Vorhaben ein Ziel an, zählt der Mittelwert aus Titel- "
    "und Zielähnlichkeit, wenn er höher ist. Vorhaben ab dem Schwellenwert gelten als ähnlich; "
    "ein Cluster sind alle darüber verbundenen Vorhaben. Abgeschlossene und abgebrochene "
    "Vorhaben zählen nicht."
)


def normalise(text: object) -> str:
    """Folded, punctuation-free text without generic words; "" if nothing specific is left."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ""
    words = _SPLIT.split(str(text).casefold())  # casefold turns ß into ss
    return " ".join(_stem(w) for w in words if len(w) > 1 and w not in STOPWORDS)


def _stem(word: str) -> str:
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


def text_similarity(a: str, b: str) -> float:
    """Similarity of two normalised texts (0–100), as used for clustering."""
    if not a or not b:
        return 0.0
    return (fuzz.token_set_ratio(a, b) + fuzz.token_sort_ratio(a, b)) / 2


# Pairwise scores are computed in row blocks of the upper triangle and only pairs that can reach
# the threshold are kept: a dense n × n matrix of 10,000 titles needs 400 MB per float32 copy
# (measured: +870 MiB and 12 s for a 10,000-project draft). About this many scores at once:
_BLOCK_CELLS = 2_000_000


def _pair_scores(a: list[str], b: list[str]) -> np.ndarray:
    """Similarity of ``a[k]`` and ``b[k]`` for every k (float32, 0–100): the same float32
    arithmetic as a dense matrix of both scorers would give, so thresholds compare alike."""
    if not a:
        return np.zeros(0, dtype=np.float32)
    token_set = process.cpdist(a, b, scorer=fuzz.token_set_ratio, dtype=np.float32)
    token_sort = process.cpdist(a, b, scorer=fuzz.token_sort_ratio, dtype=np.float32)
    return (token_set + token_sort) / 2


def _indexed_scores(texts: list[str], left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """:func:`_pair_scores` of ``texts[left[k]]`` and ``texts[right[k]]``, each distinct pair
    scored once (both scorers are symmetric)."""
    if len(left) == 0:
        return np.zeros(0, dtype=np.float32)
    low, high = np.minimum(left, right), np.maximum(left, right)
    codes = low.astype(np.int64) * len(texts) + high
    unique, inverse = np.unique(codes, return_inverse=True)
    first, second = np.divmod(unique, len(texts))
    scores = _pair_scores([texts[i] for i in first], [texts[i] for i in second])
    return scores[inverse]


def _close_pairs(texts: list[str], *, cutoff: float) -> Iterator[tuple[np.ndarray, ...]]:
    """Per block of rows: the pairs ``i <= j`` of ``texts`` whose similarity reaches ``cutoff``,
    as arrays ``(i, j, score)``. Memory stays at one block, whatever the number of texts.

    Both scorers are reduced to rapidfuzz's plain ``ratio`` where that is exact, which is
    about ten times faster per pair: ``token_sort_ratio`` is ``ratio`` of the texts with their
    words sorted, and ``token_set_ratio`` of two texts without a common word is ``ratio`` of
    their sorted distinct words (rapidfuzz compares exactly these strings then). Only pairs
    sharing a word need ``token_set_ratio`` itself."""
    n = len(texts)
    rows = max(1, _BLOCK_CELLS // max(n, 1))
    # If the mean of two scores reaches ``cutoff``, neither is below 2 × cutoff − 100: lower
    # scores may be skipped (rapidfuzz then returns 0 for them, which keeps them below too).
    each = max(0.0, 2 * cutoff - 100 - 1)
    words = [text.split() for text in texts]
    word_sorted = [" ".join(sorted(w)) for w in words]
    word_set = [" ".join(sorted(set(w))) for w in words]
    holders = _holders(words)
    as_array = np.asarray(texts, dtype=object)  # picking pairs without a Python loop
    for start in range(0, n, rows):
        stop = min(n, start + rows)
        token_set = process.cdist(
            word_set[start:stop], word_set[start:], scorer=fuzz.ratio, dtype=np.float32
        )
        r, c = _sharing(words, holders, start=start, stop=stop, n=n)
        token_set[r, c] = process.cpdist(
            as_array[start + r],
            as_array[start + c],
            scorer=fuzz.token_set_ratio,
            dtype=np.float32,
            score_cutoff=each,
        )
        token_sort = process.cdist(
            word_sorted[start:stop], word_sorted[start:], scorer=fuzz.ratio, dtype=np.float32
        )
        block = (token_set + token_sort) / 2
        del token_set, token_sort
        r, c = np.nonzero(block >= cutoff)
        upper = c >= r  # the columns begin at ``start``: column c is text start + c
        r, c = r[upper], c[upper]
        yield start + r, start + c, block[r, c]


def _holders(words: list[list[str]]) -> dict[str, np.ndarray]:
    """Each word → the (ascending) positions of the texts containing it."""
    found: dict[str, list[int]] = {}
    for position, text_words in enumerate(words):
        for word in set(text_words):
            found.setdefault(word, []).append(position)
    return {word: np.asarray(positions) for word, positions in found.items()}


def _sharing(
    words: list[list[str]], holders: dict[str, np.ndarray], *, start: int, stop: int, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of the block (row r = text start + r, column c = text start + c, c >= r) whose
    texts have a word in common."""
    common = np.zeros((stop - start, n - start), dtype=bool)
    for word in {w for text_words in words[start:stop] for w in text_words}:
        positions = holders[word]
        later = positions[positions >= start] - start
        common[np.ix_(later[later < stop - start], later)] = True
    r, c = np.nonzero(common)
    upper = c >= r
    return r[upper], c[upper]


def _link(parent: np.ndarray, u: np.ndarray, v: np.ndarray) -> None:
    """Union of the components of ``u[k]`` and ``v[k]`` in the forest ``parent`` (in place).

    Roots are always the smallest node of their component: a root is hooked only under a
    smaller one. Vectorised, so millions of links (a 10,000-project draft) take a fraction of
    a second."""
    while len(u):
        _compress(parent)
        ru, rv = parent[u], parent[v]
        differ = ru != rv
        if not differ.any():
            return
        u, v, ru, rv = u[differ], v[differ], ru[differ], rv[differ]
        np.minimum.at(parent, np.maximum(ru, rv), np.minimum(ru, rv))


def _compress(parent: np.ndarray) -> None:
    while True:
        grand = parent[parent]
        if np.array_equal(grand, parent):
            return
        parent[:] = grand


def _expand(
    a: np.ndarray, b: np.ndarray, starts: np.ndarray, counts: np.ndarray, members: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (member of group a[k], member of group b[k]) pair, with k; groups are runs of
    ``members`` given by ``starts`` and ``counts``."""
    ca, cb = counts[a], counts[b]
    sizes = ca * cb
    pair = np.repeat(np.arange(len(a)), sizes)
    offset = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    width = cb[pair]
    u = members[starts[a][pair] + offset // width]
    v = members[starts[b][pair] + offset % width]
    return pair, u, v


def _groups(keys: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions of ``keys`` grouped by key: (starts, counts, members) for keys 0 … size-1."""
    members = np.argsort(keys, kind="stable")
    counts = np.bincount(keys, minlength=size)
    starts = np.cumsum(counts) - counts
    return starts, counts, members


def _node_scores(
    u: np.ndarray,
    v: np.ndarray,
    title: np.ndarray,
    *,
    g_index: np.ndarray,
    goal_texts: list[str],
) -> np.ndarray:
    """Similarity of nodes u[k] and v[k] given their title similarity: where both state a
    goal, the mean of title and goal similarity if that is higher."""
    both = (g_index[u] >= 0) & (g_index[v] >= 0)
    scores = title.copy()
    if both.any():
        goal = _indexed_scores(goal_texts, g_index[u][both], g_index[v][both])
        combined = (title[both] + goal) / 2
        scores[both] = np.maximum(title[both], combined)
    return scores


def _clusters(
    t_index: np.ndarray,
    g_index: np.ndarray,
    titles: list[str],
    goal_texts: list[str],
    *,
    threshold: float,
) -> np.ndarray:
    """Component of every node (smallest node index of its component): nodes are linked when
    their similarity reaches ``threshold``.

    Sparse: only title pairs that can reach the threshold are scored in full. A node pair's
    similarity is at most (title + 100) ÷ 2 when both state a goal, so title pairs below
    2 × threshold − 100 can never link; pairs at or above the threshold link whatever the
    goals say (all their nodes at once), and only the pairs in between need the goals."""
    n_nodes, n_titles = len(t_index), len(titles)
    parent = np.arange(n_nodes)
    title_starts, title_counts, title_nodes = _groups(t_index, n_titles)
    first_node = title_nodes[title_starts]
    with_goal = g_index >= 0
    goal_keys = np.where(with_goal, t_index, n_titles)  # nodes without a goal: an extra group
    goal_starts, goal_counts, goal_nodes = _groups(goal_keys, n_titles + 1)
    cutoff = min(threshold, 2 * threshold - 100) if goal_texts else threshold
    chain = np.zeros(n_titles, dtype=bool)  # titles whose nodes are all linked together
    for i, j, title in _close_pairs(titles, cutoff=cutoff - 1):
        strong = title >= threshold
        # Title similar enough (a title with itself included): every node of both titles is
        # linked, through the first node of each.
        _link(parent, first_node[i[strong]], first_node[j[strong]])
        chain[i[strong]] = True
        chain[j[strong]] = True
        weak_i, weak_j, weak_title = i[~strong], j[~strong], title[~strong]
        if goal_texts and len(weak_i):
            pair, u, v = _expand(weak_i, weak_j, goal_starts, goal_counts, goal_nodes)
            keep = (weak_i[pair] != weak_j[pair]) | (u < v)
            pair, u, v = pair[keep], u[keep], v[keep]
            scores = _node_scores(u, v, weak_title[pair], g_index=g_index, goal_texts=goal_texts)
            linked = scores >= threshold
            _link(parent, u[linked], v[linked])
    chained = np.repeat(chain, title_counts)
    _link(parent, np.repeat(first_node, title_counts)[chained], title_nodes[chained])
    _compress(parent)
    return parent


def _similarity_to_leads(
    members: np.ndarray,
    leads: np.ndarray,
    t_index: np.ndarray,
    g_index: np.ndarray,
    titles: list[str],
    goal_texts: list[str],
) -> np.ndarray:
    """The similarity of node ``members[k]`` to node ``leads[k]`` (float32)."""
    title = _indexed_scores(titles, t_index[members], t_index[leads])
    if not goal_texts:
        return title
    return _node_scores(members, leads, title, g_index=g_index, goal_texts=goal_texts)


CLUSTER_COLUMNS = [
    "cluster_key",
    "cluster_title",
    "cluster_authorities",
    "cluster_projects",
    "similarity",
]


def cluster_projects(
    projects: pd.DataFrame, *, threshold: float, min_authorities: int = 2
) -> pd.DataFrame:
    """The rows of ``projects`` (columns ``authority_id``, ``title``, optional ``goal``) that
    belong to a cluster spanning at least ``min_authorities`` authorities, with the columns of
    :data:`CLUSTER_COLUMNS` added.

    ``cluster_title`` is the most frequent title of the cluster (ties: the shortest, then
    alphabetical); ``cluster_key`` is its normalised text, stable as long as that title leads.
    ``similarity`` is each project's similarity to the leading title's projects.
    """
    empty = projects.iloc[0:0].assign(**{c: pd.Series(dtype="object") for c in CLUSTER_COLUMNS})
    if projects.empty:
        return empty
    frame = projects.reset_index(drop=True).copy()
    goals = frame["goal"] if "goal" in frame.columns else pd.Series("", index=frame.index)
    frame["_title"] = frame["title"].map(normalise)
    frame["_goal"] = goals.map(normalise)
    frame = frame[frame["_title"] != ""].reset_index(drop=True)
    if frame.empty:
        return empty
    # Compare distinct (title, goal) pairs once; identical ones are one node.
    nodes = frame[["_title", "_goal"]].drop_duplicates().reset_index(drop=True)
    titles = sorted(set(nodes["_title"]))
    goal_texts = sorted(set(nodes["_goal"]) - {""})
    t_lookup = {t: i for i, t in enumerate(titles)}
    t_index = nodes["_title"].map(t_lookup).to_numpy()
    g_lookup = {g: i for i, g in enumerate(goal_texts)}
    g_index = nodes["_goal"].map(lambda g: g_lookup.get(g, -1)).to_numpy()
    nodes["_cluster"] = _clusters(t_index, g_index, titles, goal_texts, threshold=threshold)
    nodes["_node"] = nodes.index
    frame = frame.merge(nodes, on=["_title", "_goal"], how="left")
    spans = frame.groupby("_cluster")["authority_id"].transform("nunique")
    frame = frame[spans >= min_authorities].copy()
    if frame.empty:
        return empty
    # The leading title of each cluster: most frequent, then shortest, then alphabetical.
    counts = frame.groupby(["_cluster", "title"]).size().reset_index(name="n")
    counts["length"] = counts["title"].str.len()
    leads = (
        counts.sort_values(
            ["_cluster", "n", "length", "title"], ascending=[True, False, True, True]
        )
        .drop_duplicates("_cluster")
        .set_index("_cluster")["title"]
    )
    frame["cluster_title"] = frame["_cluster"].map(leads)
    frame["cluster_key"] = frame["cluster_title"].map(normalise)
    frame["cluster_authorities"] = frame.groupby("_cluster")["authority_id"].transform("nunique")
    frame["cluster_projects"] = frame.groupby("_cluster")["title"].transform("size")
    frame = frame.reset_index(drop=True)
    # Each project's similarity to the nodes of its cluster's leading title (the best one).
    node = frame["_node"].to_numpy()
    cluster = frame["_cluster"].to_numpy()
    is_lead = (frame["title"] == frame["cluster_title"]).to_numpy()
    members = pd.DataFrame({"cluster": cluster, "member": node}).drop_duplicates()
    leading = pd.DataFrame({"cluster": cluster[is_lead], "lead": node[is_lead]}).drop_duplicates()
    pairs = members.merge(leading, on="cluster")
    pairs["score"] = _similarity_to_leads(
        pairs["member"].to_numpy(), pairs["lead"].to_numpy(), t_index, g_index, titles, goal_texts
    )
    best = pairs.groupby("member")["score"].max()
    similarity = best.reindex(node).to_numpy().astype(np.float64)
    frame["similarity"] = similarity.round(1)
    return frame.drop(columns=["_title", "_goal", "_cluster", "_node"])


_PROJECTS_SQL = f"""
WITH {CURRENT_SUBMISSIONS}
SELECT cs.period_id, cs.authority_id, a.short_name, a.kind AS authority_kind,
       p.project_id, p.title, p.goal, p.programme, p.topic_area, p.status, p.traffic_light,
       p.cost_reporting_status,
       CASE WHEN p.cost_reporting_status = 'reported' THEN p.budget END::DOUBLE AS budget
FROM project_report p
JOIN current_submission cs ON cs.id = p.submission_id
JOIN authority a ON a.id = cs.authority_id
WHERE cs.period_id = ? AND p.status IN (SELECT unnest(?::VARCHAR[]))
  AND NOT list_contains(?::VARCHAR[], coalesce(p.programme, ''))
ORDER BY a.short_name, p.project_id
"""  # noqa: S608 - fixed SQL, values bound


def similar_projects(
    cur: duckdb.DuckDBPyConnection,
    *,
    period: str,
    threshold: float,
    min_authorities: int = 2,
    exclude_programmes: tuple[str, ...] = (),
    include_unpublished: bool = False,
) -> pd.DataFrame:
    """Clusters of similar active projects of the period spanning several authorities: one
    row per project (see :func:`cluster_projects`), largest clusters first."""
    projects = cur.execute(
        _PROJECTS_SQL,
        ["projects", include_unpublished, period, list(ACTIVE_STATUSES), list(exclude_programmes)],
    ).df()
    clusters = cluster_projects(projects, threshold=threshold, min_authorities=min_authorities)
    if clusters.empty:
        return clusters
    return clusters.sort_values(
        ["cluster_authorities", "cluster_key", "similarity", "short_name", "project_id"],
        ascending=[False, True, False, True, True],
        ignore_index=True,
    )
