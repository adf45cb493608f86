"""Similar projects across authorities: normalisation, scores and clusters.

The clusters are computed sparsely (issue 8); they are compared with the dense pairwise
matrix of the earlier implementation, kept here as the reference, on random fixtures with many
pairs near the threshold and on the demo data.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rapidfuzz import fuzz, process

from kpi import similarity
from kpi.similarity import CLUSTER_COLUMNS, cluster_projects, normalise, text_similarity
from store import connection as db


def _score(a: str, b: str) -> float:
    return text_similarity(normalise(a), normalise(b))


def test_normalise_drops_generic_words_and_inflection() -> None:
    assert normalise("Digitale Gewerbeanmeldung") == "gewerbeanmeldung"
    assert normalise("KI-Chatbots für Bürgeranfragen (Pilot)") == "chatbot bürgeranfrag"
    assert normalise("Einführung E-Akte") == "akte"
    assert normalise("Straße") == "strass"  # ß → ss, then the ending
    assert normalise("Online-Pilot digital") == ""  # nothing specific left
    assert normalise(None) == "" and normalise(float("nan")) == ""


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Chatbot für Bürgeranfragen", "KI-Chatbot für Bürgeranfragen (Pilot)"),
        ("Chatbot für Bürgeranfragen", "Bürgeranfragen per Chatbot beantworten"),
        ("Mobiles Arbeiten Rollout", "Rollout mobiles Arbeiten"),
        ("Digitale Bewohnerparkausweise", "Bewohnerparkausweis online"),
    ],
)
def test_similar_titles_reach_the_default_threshold(a: str, b: str) -> None:
    assert _score(a, b) >= 85


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Digitale Gewerbeanmeldung", "Digitale Schulanmeldung"),
        ("Fachverfahren Haushaltswesen Ablösung", "Fachverfahren Melde- und Passwesen Ablösung"),
        ("Einführung E-Akte", "E-Akte Migration Altakten"),
        ("Online-Antrag Hundesteuer", "Online-Antrag Sondernutzung Straßenland"),
        ("Terminbuchung Bürgeramt", "Terminvergabe Bürgeramt"),
        ("Digitalisierung", "Digitalisierung"),  # nothing specific: never similar
    ],
)
def test_different_subjects_stay_below_it(a: str, b: str) -> None:
    assert _score(a, b) < 85


def _projects(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["authority_id", "project_id", "title", "goal"])


def test_clusters_span_authorities_and_chain_through_links() -> None:
    frame = _projects(
        [
            ("a", "1", "Chatbot für Bürgeranfragen", ""),
            ("b", "2", "KI-Chatbot für Bürgeranfragen", ""),
            ("c", "3", "Bürgeranfragen per Chatbot beantworten", ""),
            ("a", "4", "Digitale Gewerbeanmeldung", ""),
            ("a", "5", "Gewerbeanmeldung online", ""),  # same authority only: no cluster
            ("b", "6", "Digitale Schulanmeldung", ""),
        ]
    )
    result = cluster_projects(frame, threshold=85, min_authorities=2)
    assert set(result["project_id"]) == {"1", "2", "3"}
    assert result["cluster_key"].nunique() == 1
    assert set(result["cluster_authorities"]) == {3}
    assert set(result["cluster_projects"]) == {3}
    # Leading title: all appear once, so the shortest; similarity is to the leader.
    assert set(result["cluster_title"]) == {"Chatbot für Bürgeranfragen"}
    by_id = result.set_index("project_id")["similarity"]
    assert by_id["1"] == 100 and by_id["2"] == 100 and 85 <= by_id["3"] < 100
    three = cluster_projects(frame, threshold=85, min_authorities=4)
    assert three.empty and list(three.columns)[-5:] == [
        "cluster_key",
        "cluster_title",
        "cluster_authorities",
        "cluster_projects",
        "similarity",
    ]


def test_goals_confirm_a_borderline_title_but_never_replace_it() -> None:
    goal = "Termine rund um die Uhr online vergeben und Wartezeiten senken"
    with_goals = _projects(
        [
            ("a", "1", "Terminbuchung Bürgeramt", goal),
            ("b", "2", "Terminvergabe Bürgeramt", goal),
        ]
    )
    assert len(cluster_projects(with_goals, threshold=85)) == 2
    one_goal = with_goals.assign(goal=[goal, ""])
    assert cluster_projects(one_goal, threshold=85).empty
    different_titles = _projects([("a", "1", "Hundesteuer", goal), ("b", "2", "Wohngeld", goal)])
    assert cluster_projects(different_titles, threshold=85).empty


def test_most_frequent_title_leads_and_threshold_is_respected() -> None:
    frame = _projects(
        [
            ("a", "1", "Ersatz Telefonanlage (VoIP)", ""),
            ("b", "2", "Ersatz Telefonanlage (VoIP)", ""),
            ("c", "3", "Telefonanlage VoIP", ""),
        ]
    )
    result = cluster_projects(frame, threshold=85)
    assert set(result["cluster_title"]) == {"Ersatz Telefonanlage (VoIP)"}
    assert set(result["cluster_key"]) == {"telefonanlag voip"}
    assert cluster_projects(
        frame.assign(title=["Hundesteuer", "Wohngeld", "Baumkataster"]), threshold=85
    ).empty
    assert cluster_projects(frame.iloc[0:0], threshold=85).empty


# --- The sparse clustering gives exactly what the dense pairwise matrix gave -----------------


def _dense_matrix(texts: list[str]) -> np.ndarray:
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    token_set = process.cdist(texts, texts, scorer=fuzz.token_set_ratio, dtype=np.float32)
    token_sort = process.cdist(texts, texts, scorer=fuzz.token_sort_ratio, dtype=np.float32)
    return (token_set + token_sort) / 2


def _dense_components(linked: np.ndarray) -> list[int]:
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


def dense_cluster_projects(
    projects: pd.DataFrame, *, threshold: float, min_authorities: int = 2
) -> pd.DataFrame:
    """The implementation before issue 8 (dense n × n matrices), kept as the reference."""
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
    nodes = frame[["_title", "_goal"]].drop_duplicates().reset_index(drop=True)
    titles = sorted(set(nodes["_title"]))
    goal_texts = sorted(set(nodes["_goal"]) - {""})
    t_lookup = {t: i for i, t in enumerate(titles)}
    t_index = nodes["_title"].map(t_lookup).to_numpy()
    g_lookup = {g: i for i, g in enumerate(goal_texts)}
    g_index = nodes["_goal"].map(lambda g: g_lookup.get(g, -1)).to_numpy()
    title_scores = _dense_matrix(titles)[np.ix_(t_index, t_index)]
    scores = title_scores
    if goal_texts:
        goal_matrix = _dense_matrix(goal_texts)
        both = (g_index[:, None] >= 0) & (g_index[None, :] >= 0)
        safe = np.where(g_index >= 0, g_index, 0)
        goal_scores = goal_matrix[np.ix_(safe, safe)]
        combined = (title_scores + goal_scores) / 2
        scores = np.where(both, np.maximum(title_scores, combined), title_scores)
    nodes["_cluster"] = _dense_components(scores >= threshold)
    nodes["_node"] = nodes.index
    frame = frame.merge(nodes, on=["_title", "_goal"], how="left")
    spans = frame.groupby("_cluster")["authority_id"].transform("nunique")
    frame = frame[spans >= min_authorities].copy()
    if frame.empty:
        return empty
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


_WORDS = (
    "Chatbot Bürgeranfragen Terminbuchung Terminvergabe Bürgeramt Gewerbeanmeldung "
    "Gewerbeummeldung Wohngeld Wohngeldantrag Hundesteuer Bewohnerparken Parkausweis "
    "Schulanmeldung Kita-Gutschein Elterngeld Baugenehmigung Telefonanlage VoIP E-Akte "
    "Migration Altakten Sondernutzung Straßenland Führungszeugnis"
).split()
_GOALS = (
    "",
    "",
    "Termine rund um die Uhr online vergeben und Wartezeiten senken",
    "Medienbruchfreie Bearbeitung ohne Papier",
    "Medienbruchfreie Bearbeitung der Anträge ohne Papier",
    "Anfragen automatisch beantworten",
)


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 6:
        return word
    i = rng.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _random_projects(seed: int, count: int) -> pd.DataFrame:
    """Titles of one to three subject words (sometimes with a typo, a number or a generic
    word), goals from a small set or empty, six authorities: many pairs near the threshold."""
    rng = random.Random(seed)
    rows = []
    for n in range(count):
        words = [rng.choice(_WORDS) for _ in range(rng.choice((1, 1, 2, 2, 3)))]
        if rng.random() < 0.2:
            words[0] = _typo(words[0], rng)
        if rng.random() < 0.3:
            words.append(str(rng.randrange(1, 4)))
        if rng.random() < 0.3:
            words.insert(0, rng.choice(("Digitale", "Einführung", "Online-Antrag", "Pilot")))
        rows.append((f"a{rng.randrange(6)}", f"P-{n:04d}", " ".join(words), rng.choice(_GOALS)))
    return _projects(rows)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(("threshold", "min_authorities"), [(85, 2), (75, 3), (95, 2), (50, 2)])
def test_sparse_clusters_equal_the_dense_matrix(
    seed: int, threshold: int, min_authorities: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    frame = _random_projects(seed, 160)
    expected = dense_cluster_projects(frame, threshold=threshold, min_authorities=min_authorities)
    assert not expected.empty  # the fixture does form clusters
    for cells in (similarity._BLOCK_CELLS, 37):  # one block, and many small ones
        monkeypatch.setattr(similarity, "_BLOCK_CELLS", cells)
        result = cluster_projects(frame, threshold=threshold, min_authorities=min_authorities)
        pd.testing.assert_frame_equal(result, expected)


def test_sparse_clusters_without_goals_equal_the_dense_matrix() -> None:
    frame = _random_projects(7, 120).drop(columns=["goal"])
    expected = dense_cluster_projects(frame, threshold=85)
    assert not expected.empty
    pd.testing.assert_frame_equal(cluster_projects(frame, threshold=85), expected)


@pytest.mark.parametrize("include_unpublished", [False, True])
@pytest.mark.parametrize("threshold", [85, 75])
def test_demo_clusters_equal_the_dense_matrix(
    demo_db: Path, include_unpublished: bool, threshold: int
) -> None:
    cur = db.cursor()
    sql = "SELECT DISTINCT period_id FROM submission WHERE kind = 'projects' ORDER BY 1"
    periods = [row[0] for row in cur.execute(sql).fetchall()]
    for period in periods[-2:]:
        projects = cur.execute(
            similarity._PROJECTS_SQL,
            ["projects", include_unpublished, period, list(similarity.ACTIVE_STATUSES), ["eakte"]],
        ).df()
        expected = dense_cluster_projects(projects, threshold=threshold)
        result = cluster_projects(projects, threshold=threshold)
        pd.testing.assert_frame_equal(result, expected)
        if period == periods[-1] and threshold == 85:
            # the planted chatbot cluster is among them
            chat = result[result["cluster_key"].str.contains("chatbot")]
            assert {"BA Lichtenberg", "BA Treptow-Köpenick", "LABO", "SenInnSport"} <= set(
                chat["short_name"]
            )
