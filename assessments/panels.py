"""What assessments adds to course, module and dashboard pages (see courses.extensions)."""

from courses.access import has_course_access

from . import selectors


def module_quiz_panel(request, module) -> dict | None:
    quiz = selectors.module_quiz(module)
    if quiz is None:
        return None
    state = (
        selectors.quiz_state(request.user, quiz)
        if request.user.is_authenticated
        else None
    )
    return {
        "template": "assessments/includes/quiz_panel.html",
        "quiz": quiz,
        "state": state,
    }


def post_test_panel(request, course) -> dict | None:
    quiz = selectors.post_test(course)
    if quiz is None or not has_course_access(request.user, course):
        return None
    return {
        "template": "assessments/includes/post_test_panel.html",
        "quiz": quiz,
        "state": selectors.quiz_state(request.user, quiz),
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


def certificate_panel(request, course) -> dict | None:
    if not course.awards_ce or not has_course_access(request.user, course):
        return None
    from .models import Certificate, EvaluationResponse

    certificate = Certificate.objects.filter(user=request.user, course=course).first()
    eligibility = (
        None if certificate else selectors.certificate_eligibility(request.user, course)
    )
    evaluation_open = bool(
        eligibility
        and selectors.course_completion(request.user, course)["complete"]
        and not EvaluationResponse.objects.filter(
            user=request.user, course=course
        ).exists()
    )
    return {
        "template": "assessments/includes/certificate_panel.html",
        "course": course,
        "certificate": certificate,
        "eligibility": eligibility,
        "evaluation_open": evaluation_open,
    }
