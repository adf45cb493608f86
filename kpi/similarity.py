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


def _matrix(texts: list[str]) -> np.ndarray:
    """Pairwise similarity of distinct normalised texts (float32, 0–100)."""
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    token_set = process.cdist(texts, texts, scorer=fuzz.token_set_ratio, dtype=np.float32)
    token_sort = process.cdist(texts, texts, scorer=fuzz.token_sort_ratio, dtype=np.float32)
    return (token_set + token_sort) / 2


def _components(linked: np.ndarray) -> list[int]:
    """Connected components of a symmetric boolean adjacency matrix (union-find)."""
    parent = list(range(len(linked)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in zip(*np.nonzero(np.triu(linked, k=1)), strict=True):
        ra, rb = root(int(a)), root(int(b))
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return [root(i) for i in range(len(linked))]


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
    title_scores = _matrix(titles)[np.ix_(t_index, t_index)]
    scores = title_scores
    if goal_texts:
        goal_matrix = _matrix(goal_texts)
        both = (g_index[:, None] >= 0) & (g_index[None, :] >= 0)
        safe = np.where(g_index >= 0, g_index, 0)
        goal_scores = goal_matrix[np.ix_(safe, safe)]
        combined = (title_scores + goal_scores) / 2
        scores = np.where(both, np.maximum(title_scores, combined), title_scores)
    nodes["_cluster"] = _components(scores >= threshold)
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
    node = frame["_node"].to_numpy()
    is_lead = (frame["title"] == frame["cluster_title"]).to_numpy()
    similarity = np.zeros(len(frame))
    for positions in frame.groupby("_cluster").indices.values():
        lead_nodes = np.unique(node[positions[is_lead[positions]]])
        similarity[positions] = scores[np.ix_(node[positions], lead_nodes)].max(axis=1)
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
