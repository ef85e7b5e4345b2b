"""Seed the load benchmark's data set into the configured database.

    seed() -> dict    (called by bench/load.py after migrate, with Django set up)

3 courses of 8 modules (bodies from the shipped curriculum), 200 questions, a module quiz
per module and a post-test per course, 2,000 learners, their enrolments and progress,
20,000 submitted attempts and 500 certificates.

Content goes through the real code paths: pages are created and published with Wagtail
(the curriculum loader's upsert_child), questions and quizzes through the question-bank
loader, evaluation forms through their service. Rows that would take minutes one service
call at a time (learners, enrolments, progress, attempts, certificates) are bulk inserts
built the way the services build them: attempt snapshots with
assessments.services.build_snapshot, graded with assessments.grading.grade.
"""

import random
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

COURSES = [
    # slug, title, price, CE hours
    (
        "foundations-of-kap",
        "Foundations of Ketamine-Assisted Psychotherapy",
        "349.00",
        "12",
    ),
    ("kap-integration-practice", "KAP integration in practice", "289.00", "8"),
    ("kap-orientation-for-teams", "KAP orientation for clinic teams", "0", "0"),
]
MODULES_PER_COURSE = 8
QUESTIONS = 200
MODULE_QUIZ_QUESTIONS = 8
POST_TEST_QUESTIONS = 20
LEARNERS = 2_000
ATTEMPTS = 20_000
CERTIFICATES = 500
READERS = 64  # learners whose logged-in sessions read pages under load
QUIZZERS = 64  # learners the quiz clients take turns with (8 clients at a time)
BATCH = 500


def seed(*, rng_seed: int = 7) -> dict:
    from django.utils import timezone

    rng = random.Random(rng_seed)
    now = timezone.now()
    courses, modules = _pages()
    quizzes = _questions_and_quizzes(courses, modules)
    users = _learners(now)
    plan = _enrolments_and_progress(rng, now, users, courses, modules)
    attempts = _attempts(rng, now, plan, courses, modules, quizzes)
    codes = _certificates(rng, now, plan, courses)
    return {
        "catalogue": courses[0].get_parent().url,
        "course": courses[0].url,
        "module": modules[courses[0].pk][2].url,
        "quiz_id": quizzes[modules[courses[0].pk][0].pk].pk,
        "readers": [_session(user) for user in users[:READERS]],
        "quizzers": [_session(user) for user in users[READERS : READERS + QUIZZERS]],
        "certificate_codes": codes[:100],
        "counts": {
            "courses": len(courses),
            "modules": sum(len(m) for m in modules.values()),
            "questions": _count("assessments.Question"),
            "learners": len(users),
            "enrolments": _count("courses.Enrolment"),
            "attempts": attempts,
            "certificates": len(codes),
        },
    }


def _count(label: str) -> int:
    from django.apps import apps

    return apps.get_model(label).objects.count()


# --- Pages ------------------------------------------------------------------------------


def _pages():
    """The catalogue, 3 courses and 8 modules each, published through Wagtail."""
    from courses.curriculum.loader import (
        CATALOGUE_SLUG,
        LoadReport,
        catalogue_parent,
        course_fields,
        module_fields,
        read_course_folders,
        upsert_child,
    )
    from courses.models import CourseIndexPage, CoursePage, ModulePage

    report = LoadReport()
    shipped = dict(
        (course["slug"], (course, mods)) for course, mods in read_course_folders()
    )
    foundations, foundation_modules = shipped["foundations-of-kap"]
    catalogue = upsert_child(
        catalogue_parent(),
        CourseIndexPage,
        CATALOGUE_SLUG,
        {"title": "Courses", "intro": "<p>Evidence-graded courses for clinicians.</p>"},
        report,
    )
    courses, modules = [], {}
    for slug, title, price, ce_hours in COURSES:
        fields = course_fields({**foundations, "slug": slug})
        fields.update(
            title=title,
            price=Decimal(price),
            ce_hours=Decimal(ce_hours),
            credit_type=fields["credit_type"] if Decimal(ce_hours) else "",
        )
        course = upsert_child(catalogue, CoursePage, slug, fields, report)
        courses.append(course)
        modules[course.pk] = []
        for index in range(MODULES_PER_COURSE):
            source = foundation_modules[index % len(foundation_modules)]
            part = index // len(foundation_modules) + 1
            module_slug = f"{index + 1:02d}-{source['slug']}"
            data = module_fields({**source, "slug": f"{slug}-{module_slug}"})
            if part > 1:
                data["title"] = f"{data['title']}: part {part}"
            module = upsert_child(course, ModulePage, module_slug, data, report)
            modules[course.pk].append(module)
    return courses, modules


# --- Questions and quizzes ----------------------------------------------------------------


def _questions_and_quizzes(courses, modules) -> dict:
    """200 questions (the 77 shipped Foundations questions, then variants of them), a
    module quiz on every module and a post-test on every course. Returns {module id or
    ("post", course id): quiz}."""
    from assessments.certificates.services import evaluation_form_ensure
    from assessments.curriculum.loader import (
        read_question_files,
        upsert_question,
        upsert_quiz,
    )
    from assessments.models import QuizKind
    from courses.curriculum.loader import module_quiz_tags

    foundations_tags = sorted(set(module_quiz_tags("foundations-of-kap").values()))
    shipped = [
        item
        for item in read_question_files()
        if set(item.get("tags", [])) & set(foundations_tags)
    ]
    items = list(shipped)
    variant = 0
    while len(items) < QUESTIONS:
        source = shipped[variant % len(shipped)]
        variant += 1
        items.append(
            {
                **source,
                "key": f"bench-variant-{variant:03d}",
                "stem": f"<p>(Variant {variant})</p>{source['stem']}",
            }
        )
    for item in items:
        upsert_question(item)

    quizzes = {}
    for course in courses:
        for module in modules[course.pk]:
            quizzes[module.pk] = upsert_quiz(
                {"module": module},
                {
                    "title": f"{module.title}: module quiz",
                    "kind": QuizKind.MODULE,
                    "question_count": MODULE_QUIZ_QUESTIONS,
                },
                tags=[module.kind],
            )
        quizzes[("post", course.pk)] = upsert_quiz(
            {"course": course, "kind": QuizKind.POST_TEST},
            {
                "title": f"{course.title}: final post-test",
                "question_count": POST_TEST_QUESTIONS,
                "attempt_limit": 2,
                "feedback_mode": "after_final",
            },
            tags=foundations_tags,
        )
        if course.awards_ce:
            evaluation_form_ensure(course=course)
    return quizzes


# --- Learners, enrolments, progress --------------------------------------------------------


def _learners(now):
    from django.contrib.auth import get_user_model

    from courses.models import LearnerProfile

    User = get_user_model()
    # An unusable password: production password hashing would dominate the set-up time.
    User.objects.bulk_create(
        (
            User(
                username=f"bench{index:04d}",
                email=f"bench{index:04d}@example.com",
                password="!",
                date_joined=now - timedelta(days=200),
            )
            for index in range(LEARNERS)
        ),
        batch_size=BATCH,
    )
    users = list(User.objects.filter(username__startswith="bench").order_by("username"))
    LearnerProfile.objects.bulk_create(
        (
            LearnerProfile(
                user=user,
                legal_name=f"Bench Learner {index:04d}",
                profession="lcsw",
                licence_number=f"LCSW-{100000 + index}",
                licence_jurisdiction="Oregon",
                licence_in_good_standing=True,
            )
            for index, user in enumerate(users)
        ),
        batch_size=BATCH,
    )
    return users


def _enrolments_and_progress(rng, now, users, courses, modules) -> list[dict]:
    """Every learner takes course 1; 40 % course 2; 30 % course 3. Returns one plan row
    per enrolment: {user, course, done (modules completed), certificate}."""
    from courses.models import (
        Enrolment,
        EnrolmentEvent,
        EnrolmentSource,
        EnrolmentStatus,
        ModuleProgress,
    )

    readers = set(u.pk for u in users[:READERS])
    quizzers = set(u.pk for u in users[READERS : READERS + QUIZZERS])
    plan = []
    for user in users:
        for index, course in enumerate(courses):
            if index == 1 and rng.random() > 0.4 or index == 2 and rng.random() > 0.3:
                continue
            if user.pk in readers:
                done = 2 if index == 0 else rng.randint(0, 3)
            elif user.pk in quizzers:
                done = 0
            else:
                done = rng.randint(0, MODULES_PER_COURSE)
            plan.append({"user": user, "course": course, "done": done, "cert": False})
    # 500 certificate holders, in the CE courses, among ordinary learners.
    candidates = [
        row
        for row in plan
        if row["course"].awards_ce and row["user"].pk not in readers | quizzers
    ]
    for row in rng.sample(candidates, CERTIFICATES):
        row["done"], row["cert"] = MODULES_PER_COURSE, True

    enrolments = []
    for row in plan:
        started = now - timedelta(days=rng.randint(20, 180))
        row["started"] = started
        enrolments.append(
            Enrolment(
                user=row["user"],
                course=row["course"],
                status=EnrolmentStatus.COMPLETED
                if row["cert"]
                else EnrolmentStatus.ACTIVE,
                source=EnrolmentSource.PURCHASE
                if not row["course"].is_free
                else EnrolmentSource.FREE,
                activated_at=started,
            )
        )
    Enrolment.objects.bulk_create(enrolments, batch_size=BATCH)  # sets pks
    EnrolmentEvent.objects.bulk_create(
        (
            EnrolmentEvent(
                enrolment=enrolment,
                from_status="",
                to_status=enrolment.status,
                reason="Benchmark data",
            )
            for enrolment in enrolments
        ),
        batch_size=BATCH,
    )

    progress = []
    for row in plan:
        course_modules = modules[row["course"].pk]
        for position, module in enumerate(course_modules[: row["done"]]):
            at = row["started"] + timedelta(days=position + 1)
            progress.append(
                ModuleProgress(
                    user=row["user"],
                    module=module,
                    first_visited_at=at,
                    last_visited_at=at,
                    completed_at=at,
                )
            )
        if row["user"].pk in readers and row["course"] == courses[0]:
            # The module they are reading now: opened, quiz not passed yet.
            progress.append(
                ModuleProgress(
                    user=row["user"],
                    module=course_modules[row["done"]],
                    first_visited_at=now - timedelta(days=1),
                    last_visited_at=now,
                )
            )
    ModuleProgress.objects.bulk_create(progress, batch_size=BATCH)
    return plan


# --- Attempts -------------------------------------------------------------------------------


def _attempts(rng, now, plan, courses, modules, quizzes) -> int:
    """Exactly ATTEMPTS submitted attempts. Every completed module's quiz ends in a pass;
    certificate holders passed the post-test; the rest are failures spread over completed
    modules (before the pass) and the module each learner is on."""
    from assessments import grading
    from assessments.models import Attempt, AttemptStatus, Question
    from assessments.services import build_snapshot

    outcomes = defaultdict(list)  # (user, quiz) -> ["fail", ..., "pass"]
    started_at = {}
    retry_slots = []
    for row in plan:
        course_modules = modules[row["course"].pk]
        for module in course_modules[: row["done"]]:
            key = (row["user"], quizzes[module.pk])
            outcomes[key].append("pass")
            retry_slots.append(key)
            started_at[key] = row["started"]
        if row["done"] < MODULES_PER_COURSE:
            key = (row["user"], quizzes[course_modules[row["done"]].pk])
            retry_slots.append(key)
            started_at[key] = row["started"]
        if row["cert"]:
            key = (row["user"], quizzes[("post", row["course"].pk)])
            outcomes[key].append("pass")
            started_at[key] = row["started"]
    remaining = ATTEMPTS - sum(len(v) for v in outcomes.values())
    if remaining < 0:
        raise RuntimeError(f"the plan already has {-remaining} attempts too many")
    for _ in range(remaining):
        outcomes[rng.choice(retry_slots)].insert(0, "fail")

    # Each quiz's pool once, options prefetched, as assessments.services.draw_questions
    # builds it (that function queries per call, which 20,000 times is too slow here).
    pools = {}
    for quiz in {quiz for _user, quiz in outcomes}:
        tag_ids = [tag.pk for tag in quiz.draw_tags.all()]
        pools[quiz.pk] = list(
            Question.objects.filter(is_active=True, tagged_items__tag_id__in=tag_ids)
            .distinct()
            .order_by("pk")
            .prefetch_related("options")
        )

    batch, total = [], 0
    for (user, quiz), results in outcomes.items():
        at = started_at[(user, quiz)] + timedelta(hours=rng.randint(1, 400))
        for number, outcome in enumerate(results, start=1):
            questions = rng.sample(pools[quiz.pk], quiz.question_count)
            snapshot = build_snapshot(quiz, questions, rng)
            answers = _answers(snapshot, rng, correct=outcome == "pass")
            result = grading.grade(snapshot, answers, pass_mark=snapshot["pass_mark"])
            minutes = rng.randint(4, 25)
            batch.append(
                Attempt(
                    user=user,
                    quiz=quiz,
                    number=number,
                    status=AttemptStatus.SUBMITTED,
                    snapshot=snapshot,
                    answers=answers,
                    result=result,
                    score=Decimal(result["score"]),
                    passed=result["passed"],
                    started_at=at,
                    submitted_at=at + timedelta(minutes=minutes),
                )
            )
            at += timedelta(hours=rng.randint(1, 72))
            if len(batch) >= BATCH:
                Attempt.objects.bulk_create(batch)
                total += len(batch)
                batch = []
    Attempt.objects.bulk_create(batch)
    total += len(batch)
    return total


def _answers(snapshot: dict, rng, *, correct: bool) -> dict:
    """The key's answers for a pass; for a failure, random answers to only three of the
    questions, which cannot reach the 75 % pass mark."""
    answers = {}
    for position, question in enumerate(snapshot["questions"]):
        options = [option["id"] for option in question["options"]]
        if correct:
            if question["type"] == "ordering":
                answers[question["id"]] = list(question["correct_order"])
            elif question["type"] == "multiple":
                answers[question["id"]] = [
                    o["id"] for o in question["options"] if o["is_correct"]
                ]
            else:
                answers[question["id"]] = next(
                    o["id"] for o in question["options"] if o["is_correct"]
                )
        elif position < 3:
            answers[question["id"]] = rng.choice(options)
    return answers


# --- Certificates -----------------------------------------------------------------------------


def _certificates(rng, now, plan, courses) -> list[str]:
    """500 certificates with the frozen fields certificate_issue would store (its own
    helpers build them), inserted in bulk. The PDF is left empty: rendering 500 PDFs with
    WeasyPrint would take longer than the whole benchmark, and no benchmarked page reads
    it."""
    from assessments.certificates.services import (
        _frozen_course_fields,
        _frozen_learner_fields,
    )
    from assessments.models import Certificate

    rows = []
    for row in plan:
        if not row["cert"]:
            continue
        rows.append(
            Certificate(
                user=row["user"],
                course=row["course"],
                completion_date=(row["started"] + timedelta(days=14)).date(),
                issued_at=now - timedelta(days=rng.randint(1, 30)),
                **_frozen_learner_fields(row["user"]),
                **_frozen_course_fields(row["course"]),
            )
        )
    Certificate.objects.bulk_create(rows, batch_size=BATCH)
    return [c.code for c in rows]


# --- Sessions -------------------------------------------------------------------------------------


def _session(user) -> dict:
    """A logged-in session created directly in the session store (no login requests, so
    no rate limits and no password hashing), and a CSRF secret of our choosing."""
    from importlib import import_module

    from django.conf import settings
    from django.utils.crypto import get_random_string

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    store["_auth_user_hash"] = user.get_session_auth_hash()
    store.create()
    return {
        "username": user.username,
        "sessionid": store.session_key,
        "csrftoken": get_random_string(32),
    }
