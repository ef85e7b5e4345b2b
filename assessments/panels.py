"""The quiz panels assessments adds to module, course and dashboard pages."""

from courses.access import has_course_access

from . import selectors


def module_quiz_panel(request, module) -> dict | None:
    quiz = selectors.module_quiz(module)
    if quiz is None:
        return None
    state = (
        selectors.quiz_summary(request.user, quiz, module.course)
        if request.user.is_authenticated
        else None
    )
    return {
        "template": "assessments/includes/quiz_panel.html",
        "quiz": quiz,
        "heading": quiz_heading(quiz),
        "state": state,
    }


def quiz_heading(quiz) -> str:
    """ "Module quiz: <title>", unless the title already says what it is (no
    "Module quiz: Mechanism of action: module quiz")."""
    title = quiz.title.strip()
    if any(word in title.lower() for word in ("quiz", "self-check", "test")):
        return title
    return f"{'Module quiz' if quiz.is_graded else 'Self-check'}: {title}"


def post_test_panel(request, course) -> dict | None:
    # Access first: an anonymous visitor or a stranger costs no query here.
    if not has_course_access(request.user, course):
        return None
    quiz = selectors.post_test(course)
    if quiz is None:
        return None
    return {
        "template": "assessments/includes/post_test_panel.html",
        "quiz": quiz,
        "state": selectors.quiz_summary(request.user, quiz, course),
        "completion": selectors.course_completion(request.user, course),
    }


def dashboard_panel(request, course) -> dict | None:
    quiz = selectors.post_test(course)
    if quiz is None:
        return None
    return {
        "template": "assessments/includes/dashboard_line.html",
        "quiz": quiz,
        "state": selectors.quiz_state(request.user, quiz),
    }
