"""Similar projects across authorities: normalisation, scores and clusters (pure functions)."""

from __future__ import annotations

import pandas as pd
import pytest

from kpi.similarity import cluster_projects, normalise, text_similarity


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
