"""grading.grade is pure: these tests need no database."""

from decimal import Decimal

import pytest
from django.http import QueryDict

from assessments import grading


def question(qid, kind, options, *, scoring="all_or_nothing", correct_order=None):
    return {
        "id": qid,
        "type": kind,
        "stem": f"<p>Stem {qid}</p>",
        "scoring": scoring,
        "options": [
            {"id": oid, "text": oid, "is_correct": ok, "feedback": ""}
            for oid, ok in options
        ],
        "correct_order": correct_order or [],
    }


SINGLE = question("q1", "single", [("a", False), ("b", True), ("c", False)])
CASE = question("q2", "case", [("a", True), ("b", False)])
TRUE_FALSE = question("q3", "true_false", [("t", False), ("f", True)])
MULTI_ALL = question(
    "q4", "multiple", [("a", True), ("b", True), ("c", False), ("d", False)]
)
MULTI_PARTIAL = question(
    "q5",
    "multiple",
    [("a", True), ("b", True), ("c", False), ("d", False)],
    scoring="partial",
)
ORDER_ALL = question(
    "q6",
    "ordering",
    [("x", False), ("y", False), ("z", False)],
    correct_order=["y", "x", "z"],
)
ORDER_PARTIAL = question(
    "q7",
    "ordering",
    [("x", False), ("y", False), ("z", False), ("w", False)],
    scoring="partial",
    correct_order=["w", "x", "y", "z"],
)


@pytest.mark.parametrize(
    "q,answer,awarded,status",
    [
        (SINGLE, "b", 1.0, "correct"),
        (SINGLE, "a", 0.0, "incorrect"),
        (SINGLE, None, 0.0, "unanswered"),
        (SINGLE, "zzz", 0.0, "invalid"),
        (SINGLE, ["a", "b"], 0.0, "invalid"),
        (CASE, "a", 1.0, "correct"),
        (TRUE_FALSE, "f", 1.0, "correct"),
        (TRUE_FALSE, "t", 0.0, "incorrect"),
        (MULTI_ALL, ["a", "b"], 1.0, "correct"),
        (MULTI_ALL, ["b", "a"], 1.0, "correct"),
        (MULTI_ALL, ["a"], 0.0, "incorrect"),
        (MULTI_ALL, ["a", "b", "c"], 0.0, "incorrect"),
        (MULTI_ALL, ["a", "a"], 0.0, "invalid"),
        (MULTI_PARTIAL, ["a"], 0.5, "partial"),
        (MULTI_PARTIAL, ["a", "b"], 1.0, "correct"),
        (MULTI_PARTIAL, ["a", "c"], 0.0, "incorrect"),  # a right and a wrong cancel out
        (MULTI_PARTIAL, ["a", "b", "c"], 0.5, "partial"),
        (MULTI_PARTIAL, ["c", "d"], 0.0, "incorrect"),  # never below zero
        (
            MULTI_PARTIAL,
            ["a", "b", "c", "d"],
            0.0,
            "incorrect",
        ),  # ticking everything earns nothing
        (ORDER_ALL, ["y", "x", "z"], 1.0, "correct"),
        (ORDER_ALL, ["x", "y", "z"], 0.0, "incorrect"),
        (ORDER_ALL, ["y", "x"], 0.0, "invalid"),
        (ORDER_ALL, ["y", "y", "z"], 0.0, "invalid"),
        (ORDER_PARTIAL, ["w", "x", "z", "y"], 0.5, "partial"),
        (ORDER_PARTIAL, ["w", "x", "y", "z"], 1.0, "correct"),
    ],
)
def test_grade_question(q, answer, awarded, status):
    result = grading.grade_question(q, answer)
    assert result["awarded"] == awarded
    assert result["status"] == status


def test_grade_totals_and_pass_mark():
    snapshot = {"questions": [SINGLE, MULTI_PARTIAL, TRUE_FALSE, ORDER_ALL]}
    result = grading.grade(
        snapshot,
        {"q1": "b", "q5": ["a"], "q3": "t", "q6": ["y", "x", "z"]},
        pass_mark=75,
    )
    assert result["points"] == 2.5 and result["max_points"] == 4
    assert Decimal(result["score"]) == Decimal("62.50")
    assert result["passed"] is False
    assert (
        grading.grade(snapshot, {"q1": "b", "q5": ["a", "b"], "q3": "f"}, pass_mark=75)[
            "passed"
        ]
        is True
    )


def test_pass_mark_is_inclusive():
    snapshot = {"questions": [SINGLE, CASE, TRUE_FALSE, MULTI_ALL]}
    result = grading.grade(snapshot, {"q1": "b", "q2": "a", "q3": "f"}, pass_mark=75)
    assert result["score"] == "75.00" and result["passed"] is True


def test_unknown_question_ids_in_answers_are_ignored():
    result = grading.grade(
        {"questions": [SINGLE]}, {"q1": "b", "q99": "a"}, pass_mark=75
    )
    assert [item["id"] for item in result["items"]] == ["q1"]


def test_parse_answers_from_form_data():
    snapshot = {"questions": [SINGLE, MULTI_ALL, ORDER_ALL]}
    data = QueryDict(mutable=True)
    data.update({"q-q1": "b", "q-q6-x": "2", "q-q6-y": "1", "q-q6-z": "3"})
    data.setlist("q-q4", ["a", "b"])
    assert grading.parse_answers(snapshot, data) == {
        "q1": "b",
        "q4": ["a", "b"],
        "q6": ["y", "x", "z"],
    }


def test_parse_answers_marks_repeated_positions_as_not_an_order():
    data = QueryDict("q-q6-x=1&q-q6-y=1&q-q6-z=2")
    answers = grading.parse_answers({"questions": [ORDER_ALL]}, data)
    assert grading.grade_question(ORDER_ALL, answers["q6"])["status"] == "invalid"


def test_public_view_hides_the_key():
    public = grading.public_view({"questions": [SINGLE, ORDER_ALL]})
    text = repr(public)
    assert (
        "is_correct" not in text
        and "correct_order" not in text
        and "feedback" not in text
    )
    assert [o["id"] for o in public[0]["options"]] == ["a", "b", "c"]
