"""Pure grading: no database, no request. Everything is computed from the attempt snapshot.

Snapshot question: {"id", "type", "scoring", "options": [{"id", "option_id", "text",
"is_correct", "feedback"}], "correct_order": [...]} plus display fields. An option's "id" is
a random token drawn for this attempt (older snapshots used the database id); "option_id" is
the bank's id, for analytics only. Answers map a question id to an option id (single, case,
true/false) or a list of option ids (multiple response, ordering).
"""

import re
from decimal import ROUND_HALF_UP, Decimal

SINGLE_ANSWER_TYPES = {"single", "case", "true_false"}
# Whatever a form sent that names no option of the question: graded "invalid", and never
# stored as sent (it may hold characters a database refuses).
NOT_AN_OPTION = "__invalid__"
POSITION = re.compile(r"[0-9]{1,3}")


def _as_list(value) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    return [str(value)]


def grade_question(question: dict, answer) -> dict:
    """Score one question from 0 to 1. Bad or missing input scores 0, never raises."""
    option_ids = [option["id"] for option in question["options"]]
    correct_ids = {
        option["id"] for option in question["options"] if option.get("is_correct")
    }
    chosen = _as_list(answer)
    result = {
        "id": question["id"],
        "chosen": chosen,
        "awarded": 0.0,
        "status": "incorrect",
    }

    if not chosen:
        result["status"] = "unanswered"
        return result
    if any(choice not in option_ids for choice in chosen):
        result["status"] = "invalid"
        return result

    kind = question["type"]
    if kind in SINGLE_ANSWER_TYPES:
        if len(chosen) != 1:
            result["status"] = "invalid"
            return result
        result["awarded"] = 1.0 if chosen[0] in correct_ids else 0.0
    elif kind == "multiple":
        picked = set(chosen)
        if len(picked) != len(chosen):
            result["status"] = "invalid"
            return result
        if question.get("scoring") == "partial":
            hits = len(picked & correct_ids)
            misses = len(picked - correct_ids)
            result["awarded"] = max(0.0, (hits - misses) / len(correct_ids))
        else:
            result["awarded"] = 1.0 if picked == correct_ids else 0.0
    elif kind == "ordering":
        expected = question["correct_order"]
        if sorted(chosen) != sorted(expected):
            result["status"] = "invalid"  # an item missing or repeated
            return result
        if question.get("scoring") == "partial":
            in_place = sum(
                1 for got, want in zip(chosen, expected, strict=True) if got == want
            )
            result["awarded"] = in_place / len(expected)
        else:
            result["awarded"] = 1.0 if chosen == expected else 0.0
    else:
        result["status"] = "invalid"
        return result

    result["awarded"] = round(result["awarded"], 4)
    if result["awarded"] == 1.0:
        result["status"] = "correct"
    elif result["awarded"] > 0:
        result["status"] = "partial"
    return result


def grade(snapshot: dict, answers: dict, *, pass_mark: int) -> dict:
    items = [grade_question(q, answers.get(q["id"])) for q in snapshot["questions"]]
    points = sum(item["awarded"] for item in items)
    maximum = len(items)
    score = (
        (Decimal(str(points)) * 100 / maximum).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
        if maximum
        else Decimal("0")
    )
    return {
        "items": items,
        "points": round(points, 4),
        "max_points": maximum,
        "score": str(score),
        "passed": score >= pass_mark,
    }


def parse_answers(snapshot: dict, data) -> dict:
    """Turn submitted form data into answers. `data` needs .get and .getlist (a QueryDict).

    Single-answer questions post `q-<id>=<option>`; multiple response posts several
    `q-<id>` values; ordering posts `q-<id>-<option>=<position>` for each item.
    """
    answers = {}
    for question in snapshot["questions"]:
        name = f"q-{question['id']}"
        known = {option["id"] for option in question["options"]}
        if question["type"] == "multiple":
            answers[question["id"]] = [
                value if value in known else NOT_AN_OPTION
                for value in data.getlist(name)
                if value
            ]
        elif question["type"] == "ordering":
            positions = {}
            for option in question["options"]:
                raw = (data.get(f"{name}-{option['id']}") or "").strip()
                if POSITION.fullmatch(raw):
                    positions[option["id"]] = int(raw)
            if len(positions) == len(question["options"]) and len(
                set(positions.values())
            ) == len(positions):
                answers[question["id"]] = sorted(positions, key=positions.get)
            elif positions:
                answers[question["id"]] = ["__incomplete__"]
        else:
            value = data.get(name)
            if value:
                answers[question["id"]] = value if value in known else NOT_AN_OPTION
    return answers


def public_view(snapshot: dict) -> list[dict]:
    """What the question page may show: no correctness, feedback, explanation or order."""
    return [
        {
            "id": question["id"],
            "number": index,
            "type": question["type"],
            "scenario": question.get("scenario", ""),
            "stem": question["stem"],
            "options": [
                {"id": o["id"], "text": o["text"]} for o in question["options"]
            ],
        }
        for index, question in enumerate(snapshot["questions"], start=1)
    ]
