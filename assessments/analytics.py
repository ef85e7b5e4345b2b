"""Quiz and question statistics for trainers. Pure functions over plain attempt data."""

import statistics
from collections import Counter, defaultdict

HISTOGRAM_BINS = [(low, low + 10) for low in range(0, 100, 10)]


def histogram(
    scores: list[float], *, chart_height: int = 170, bar_width: int = 44
) -> list[dict]:
    """Counts in 10-point bands, with bar geometry for a server-drawn SVG chart."""
    counts = Counter(min(int(score // 10), 9) for score in scores)
    tallest = max(counts.values(), default=0) or 1
    bins = []
    for index, (low, high) in enumerate(HISTOGRAM_BINS):
        count = counts.get(index, 0)
        height = round(chart_height * count / tallest)
        bins.append(
            {
                "label": f"{low}–{high}%",
                "count": count,
                "x": index * (bar_width + 8),
                "y": chart_height - height,
                "height": height,
                "width": bar_width,
            }
        )
    return bins


def point_biserial(item_scores: list[float], totals: list[float]) -> float | None:
    """Pearson correlation of an item's score (0..1) with the attempt's total score.

    For right/wrong items this is the point-biserial coefficient. None when either side
    has no variance (everyone right, everyone wrong, or one attempt).
    """
    if len(item_scores) < 2:
        return None
    try:
        return round(statistics.correlation(item_scores, totals), 3)
    except statistics.StatisticsError:
        return None


def summarise(attempts: list[dict]) -> dict:
    """attempts: [{"score": float, "passed": bool|None, "seconds": float|None,
    "snapshot": {...}, "result": {...}}] for submitted attempts of one quiz."""
    scores = [a["score"] for a in attempts]
    durations = [a["seconds"] for a in attempts if a["seconds"] is not None]
    graded = [a for a in attempts if a["passed"] is not None]
    per_question: dict[int, dict] = {}
    item_scores: dict[int, list[float]] = defaultdict(list)
    item_totals: dict[int, list[float]] = defaultdict(list)

    for attempt in attempts:
        awarded = {item["id"]: item for item in attempt["result"].get("items", [])}
        for question in attempt["snapshot"]["questions"]:
            item = awarded.get(question["id"])
            if item is None:
                continue
            stats = per_question.setdefault(
                question["question_id"],
                {
                    "question_id": question["question_id"],
                    "key": question.get("key", ""),
                    "stem": question["stem"],
                    "type": question["type"],
                    "shown": 0,
                    "answered": 0,
                    "correct": 0,
                    "options": Counter(),
                    "option_texts": {},
                },
            )
            stats["shown"] += 1
            if item["status"] != "unanswered":
                stats["answered"] += 1
            if item["status"] == "correct":
                stats["correct"] += 1
            # Each attempt names its options with its own tokens; the bank's id (or, in
            # older snapshots, the id itself) is what is the same across attempts.
            stable = {
                option["id"]: str(option.get("option_id", option["id"]))
                for option in question["options"]
            }
            for option in question["options"]:
                stats["option_texts"][stable[option["id"]]] = (
                    option["text"],
                    option.get("is_correct"),
                )
            if question["type"] != "ordering":
                stats["options"].update(
                    stable[chosen] for chosen in item["chosen"] if chosen in stable
                )
            item_scores[question["question_id"]].append(item["awarded"])
            item_totals[question["question_id"]].append(attempt["score"])

    questions = []
    for question_id, stats in per_question.items():
        discrimination = point_biserial(
            item_scores[question_id], item_totals[question_id]
        )
        questions.append(
            {
                **stats,
                "percent_correct": round(100 * stats["correct"] / stats["shown"], 1),
                "discrimination": discrimination,
                "flagged": discrimination is not None and discrimination < 0,
                "distribution": [
                    {
                        "text": text,
                        "is_correct": is_correct,
                        "count": stats["options"].get(option_id, 0),
                    }
                    for option_id, (text, is_correct) in stats["option_texts"].items()
                ],
            }
        )
    questions.sort(key=lambda q: (not q["flagged"], q["percent_correct"]))
    return {
        "attempts": len(attempts),
        "pass_rate": round(100 * sum(1 for a in graded if a["passed"]) / len(graded), 1)
        if graded
        else None,
        "mean_score": round(statistics.fmean(scores), 1) if scores else None,
        "median_seconds": statistics.median(durations) if durations else None,
        "histogram": histogram(scores),
        "questions": questions,
    }
