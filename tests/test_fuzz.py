"""Fuzz: every URL pattern and every form, with hostile values, as each role; no 5xx.

The walk covers every URL the site routes outside the Wagtail admin (learner, public,
account, webhook, media and page-serving URLs) and, inside the admin, every screen the
plugin registers. Each is requested as anonymous, a learner, another learner, a trainer and
an administrator, with:

- every path parameter set to a real object (the role's own and someone else's), to ids that
  do not exist (0, past the 64-bit range) and, for text parameters, to hostile strings: NUL
  and control characters, 10 kB, right-to-left and zero-width marks, markup, dot-dot;
- hostile query parameters (search, paging, ordering, filters, next, codes);
- an empty POST;
- and every form found on the pages it reaches, sent back with each field a hostile string,
  a wrong-typed or out-of-range number, someone else's id, or missing.

Wagtail's own admin screens that the plugin's pages and media pass through (dashboard,
explorer, page editor, image and document listings) are visited as they are, without hostile
input: Wagtail itself answers 500 to some hand-made admin requests (a page edit POST without
StreamField counters; a usage-count filter past the 64-bit range on SQLite), which is
Wagtail's to fix, not the plugin's.

Any answer of 500 or more, or an exception escaping a view, fails the test with the list of
requests that caused it. Redirects, 400s, 403s, 404s, 405s and 429s are all fine answers.
"""

import re
import time
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from assessments import services as assessment_services
from assessments.certificates import services as certificate_services
from assessments.models import (
    AttemptGrant,
    AuditEvent,
    Certificate,
    EvaluationForm,
    Question,
)
from courses import services as course_services
from courses import services_orders as course_orders
from courses.models import Enrolment, Order
from tests.assessments import conftest as assessment_fixtures
from tests.assessments.conftest import correct_answers, evaluation_answers
from tests.conftest import signed_headers

pytestmark = pytest.mark.django_db

# The question bank and quizzes of the assessments tests, shared rather than rebuilt.
make_question = assessment_fixtures.make_question
module_quiz = assessment_fixtures.module_quiz
post_test = assessment_fixtures.post_test
media_root = assessment_fixtures.media_root

TIME_BUDGET_SECONDS = 60
HUGE = 2**63  # one past the largest 64-bit key
HOSTILE_TEXT = [
    "\x00",
    "\x01\x08\x1b[31m\x7f",
    "A" * 10_000,
    "é💊\u202e\u200b\ufeff",
    "'\"><script>alert(1)</script>",
    "..",
    "%00%2e%2e",
    "-1",
    "9" * 40,
]
# Path segments get the worst of them: every value multiplies the requests.
HOSTILE_SEGMENTS = ["\x00", "\x01\x1b\x7f", "A" * 10_000, "é💊\u202e<'\">"]
HOSTILE_NUMBERS = ["-1", "0", "99999999999999999999", "1e309", "1.5", "NaN", "[]", ""]
HOSTILE_QUERY_KEYS = [
    "q",
    "p",
    "page",
    "ordering",
    "next",
    "status",
    "course",
    "user",
    "code",
    "session_id",
    "export",
]
WEBHOOK_BODIES = [
    "",
    "[]",
    "null",
    '{"object": "event"}',
    '{"object": "event", "id": "evt_x", "type": "checkout.session.completed", '
    '"data": {"object": {"id": 5, "amount_total": "lots"}}}',
    '{"object": "event", "id": "evt_y", "type": "charge.refunded", '
    '"data": {"object": {"payment_intent": {"x": 1}, "amount_refunded": -1}}}',
    "\x00" * 10,
]

# The plugin's admin screens, with the model whose ids their <pk> takes.
ADMIN_NAMESPACES = {
    "learning_enrolments": Enrolment,
    "learning_orders": Order,
    "assessment_questions": Question,
    "assessment_quizzes": None,  # filled in below (import order)
    "assessment_attempts": None,
    "assessment_attempt_grants": AttemptGrant,
    "certificate_records": Certificate,
    "certificate_audit": AuditEvent,
    "evaluation_forms": EvaluationForm,
}
# Wagtail's own admin screens that the plugin's pages and media pass through.
WAGTAIL_ADMIN_NAMES = {
    "wagtailadmin_home",
    "wagtailadmin_explore_root",
    "wagtailadmin_explore",
    "wagtailadmin_pages:edit",
    "wagtailadmin_pages:add_subpage",
    "wagtailadmin_pages:search",
    "wagtailimages:index",
    "wagtailimages:edit",
    "wagtaildocs:index",
    "wagtaildocs:edit",
}
ROUTE_PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


# --- The URL map --------------------------------------------------------------------------


def url_patterns(patterns=None, namespace=None, prefix=""):
    """(name, route, [(param, converter)], positional groups) for every named pattern."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace
            full = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            yield from url_patterns(
                entry.url_patterns, full, prefix + str(entry.pattern)
            )
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            pattern = entry.pattern
            route = prefix + str(pattern)
            if hasattr(pattern, "converters"):  # path()
                params = [
                    (m["name"], m["converter"] or "str")
                    for m in ROUTE_PARAM.finditer(str(pattern))
                ]
                positional = 0
            else:  # re_path()
                regex = pattern.regex
                params = [(group, "regex") for group in regex.groupindex]
                positional = regex.groups - len(regex.groupindex)
            yield name, route, params, positional


def in_scope(name: str, route: str) -> bool:
    if not route.startswith("admin/"):
        return True
    namespace = name.split(":", 1)[0]
    return namespace in ADMIN_NAMESPACES or name in WAGTAIL_ADMIN_NAMES


# --- The world ----------------------------------------------------------------------------


@pytest.fixture
def world(
    course,
    free_course,
    make_course,
    learner,
    make_user,
    complete_profile,
    trainer,
    module_quiz,
    post_test,
    media_root,
    fake_stripe,
):
    """Two learners with attempts, certificates and open orders; a trainer; an
    administrator; a document."""
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    from assessments.models import Attempt, Quiz

    ADMIN_NAMESPACES["assessment_quizzes"] = Quiz
    ADMIN_NAMESPACES["assessment_attempts"] = Attempt
    other = make_user("other-learner")
    complete_profile(other)
    admin = make_user("administrator", is_staff=True, is_superuser=True)
    advanced = make_course(title="Advanced KAP", modules=1)
    self_check = Quiz.objects.create(
        title="Self-check",
        kind="module",
        module=course.modules[1],
        question_count=2,
        is_graded=False,
    )
    self_check.questions.set(Question.objects.all()[:3])
    self_check.save()
    for user in (learner, other):
        course_services.enrolment_grant(
            user=user, course=course, actor=None, reason="t"
        )
        for module in course.modules:
            course_services.progress_record_visit(user=user, module=module)
        for quiz in (module_quiz, post_test):
            done = assessment_services.attempt_start(user=user, quiz=quiz)
            assessment_services.attempt_submit(
                attempt=done, answers=correct_answers(done)
            )
        certificate_services.evaluation_submit(
            user=user, course=course, answers=evaluation_answers(course)
        )
        assessment_services.attempt_start(user=user, quiz=self_check)  # left open
        course_orders.checkout_start(
            user=user,
            course=advanced,
            success_url="http://testserver/learn/checkout/success/",
            cancel_url="http://testserver/",
        )
    assert Certificate.objects.count() == 2 and Order.objects.count() == 2
    Document.objects.create(
        title="Intake", file=ContentFile(b"%PDF-1.4 intake", name="intake.pdf")
    )
    return {
        "course": course,
        "free_course": free_course,
        "roles": {
            "anonymous": None,
            "learner": learner,
            "other learner": other,
            "trainer": trainer,
            "administrator": admin,
        },
        "learner": learner,
        "other": other,
    }


# --- Values --------------------------------------------------------------------------------


def own_and_others(model, user, other, **lookup):
    """An object of the acting user and one of someone else, as far as the model has one."""
    rows = []
    for person in (user, other):
        if person is None:
            continue
        row = model.objects.filter(user=person, **lookup).order_by("pk").first()
        if row is not None:
            rows.append(row)
    if not rows:
        row = model.objects.filter(**lookup).order_by("pk").first()
        if row is not None:
            rows.append(row)
    return rows


def param_values(name, param, converter, world, user) -> list:
    from wagtail.documents.models import Document
    from wagtail.models import Page

    from assessments.models import Attempt, Quiz

    other = world["other"] if user != world["other"] else world["learner"]
    course, free_course = world["course"], world["free_course"]
    if param == "course_id":
        real = [course.pk, free_course.pk, course.modules[0].pk]
    elif param == "quiz_id":
        real = list(Quiz.objects.values_list("pk", flat=True)[:2])
    elif param == "attempt_id":
        real = [a.pk for a in own_and_others(Attempt, user, other)]
    elif param == "image_id":
        from wagtail.images import get_image_model

        real = list(get_image_model().objects.values_list("pk", flat=True)[:1])
    elif param == "code":
        real = [c.code for c in own_and_others(Certificate, user, other)]
    elif param == "reference":
        real = [o.reference for o in own_and_others(Order, user, other)]
    elif param == "session_id":
        real = [o.checkout_session_id for o in own_and_others(Order, user, other)]
    elif param == "filter_spec":
        real = ["max-960x720"]
    elif param == "pk":
        model = ADMIN_NAMESPACES.get(name.split(":", 1)[0])
        if name.startswith(("wagtailimages", "wagtaildocs")):
            model = Document if name.startswith("wagtaildocs") else None
        real = list(model.objects.values_list("pk", flat=True)[:2]) if model else [1]
    elif param in ("page_id", "parent_page_id"):
        real = [course.pk, course.modules[0].pk, Page.get_first_root_node().pk]
    elif param == "path" and converter == "regex":
        real = ["images/nothing.png", "documents/intake.pdf"]
    else:
        real = [1]
    if converter in ("int", "id"):
        return real + [0, HUGE]
    return real + HOSTILE_SEGMENTS


def positional_values(name, world) -> list[list]:
    """re_path patterns with unnamed groups: the page-serving and document-serving URLs."""
    if name == "wagtail_serve":
        course = world["course"]
        return [[""], [course.url.strip("/") + "/"]] + [
            [f"courses/{text}/"] for text in HOSTILE_SEGMENTS
        ]
    if name == "wagtaildocs_serve":
        return [[1, "intake.pdf"], [HUGE, "x"], [1, "\x00"], [1, "A" * 10_000]]
    return []


def urls_for(name, params, positional, world, user) -> list[str]:
    combos: list[tuple[tuple, dict]] = []
    if positional:
        combos = [(tuple(args), {}) for args in positional_values(name, world)]
    elif not params:
        combos = [((), {})]
    else:
        values = {
            param: param_values(name, param, converter, world, user)
            for param, converter in params
        }
        base = {param: choices[0] for param, choices in values.items()}
        combos.append(((), base))
        for param, choices in values.items():  # one parameter at a time
            for choice in choices[1:]:
                combos.append(((), {**base, param: choice}))
    urls = []
    for args, kwargs in combos:
        try:
            urls.append(reverse(name, args=args or None, kwargs=kwargs or None))
        except NoReverseMatch:
            continue  # the value cannot be written into this URL at all
    return list(dict.fromkeys(urls))


# --- Forms ---------------------------------------------------------------------------------


class FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                {
                    "method": (attrs.get("method") or "get").lower(),
                    "action": attrs.get("action") or "",
                    "fields": [],
                }
            )
        elif tag in ("input", "select", "textarea") and self.forms:
            name = attrs.get("name")
            kind = (attrs.get("type") or "").lower()
            if name and name != "csrfmiddlewaretoken" and kind != "file":
                self.forms[-1]["fields"].append(name)


def forms_on(html: str, page_url: str) -> list[dict]:
    parser = FormParser()
    try:
        parser.feed(html)
    except Exception:  # a page our parser cannot read is not a server error
        return []
    forms = []
    for form in parser.forms:
        action = urlsplit(urljoin("http://testserver" + page_url, form["action"]))
        if action.netloc != "testserver":
            continue  # e.g. a form that posts to a payment provider
        form["action"] = action.path + (f"?{action.query}" if action.query else "")
        form["fields"] = list(dict.fromkeys(form["fields"]))
        forms.append(form)
    return forms


def hostile_payloads(fields: list[str], ids: list[int]) -> list[dict]:
    """Hostile text (skipping NUL, which the site refuses at the door, so the rest reaches
    the view), wrong-typed and out-of-range numbers mixed with someone else's ids, and
    every field missing."""
    text = HOSTILE_TEXT[1:]
    numbers = HOSTILE_NUMBERS + [str(i) for i in ids]
    return [
        {f: text[i % len(text)] for i, f in enumerate(fields)},
        {f: numbers[(i * 3) % len(numbers)] for i, f in enumerate(fields)},
        {},
    ]


# --- The walk ------------------------------------------------------------------------------


class Walk:
    def __init__(self, world):
        self.world = world
        self.failures: list[str] = []
        self.requests = 0
        self.seen_forms: set = set()

    def call(self, client, role, method, url, data=None, **extra):
        self.requests += 1
        try:
            response = getattr(client, method)(url, data or {}, **extra)
        except Exception as error:  # escaped the request cycle entirely
            self.failures.append(
                f"{role} {method.upper()} {url[:120]}: {error!r}"[:300]
            )
            return None
        if response.status_code >= 500:
            shown = {
                k: (v[:20] + "…" if len(v) > 20 else v) for k, v in (data or {}).items()
            }
            self.failures.append(
                f"{role} {method.upper()} {url[:120]} {shown!r}"[:300]
                + f" -> {response.status_code}"
            )
        return response

    def other_ids(self, user) -> list[int]:
        other = (
            self.world["other"]
            if user != self.world["other"]
            else self.world["learner"]
        )
        ids = [other.pk, self.world["course"].pk, HUGE, -1]
        ids += [c.pk for c in Certificate.objects.filter(user=other)[:1]]
        ids += [o.pk for o in Order.objects.filter(user=other)[:1]]
        return ids

    def forms(self, client, role, user, response, url, scope):
        if response is None or response.status_code != 200:
            return
        if "text/html" not in response.get("Content-Type", ""):
            return
        for form in forms_on(response.content.decode(errors="replace"), url):
            # Learners see the same forms; each shape is sent once per kind of role.
            key = (scope, form["method"], form["action"].split("?")[0], *form["fields"])
            if key in self.seen_forms:
                continue
            self.seen_forms.add(key)
            method = "post" if form["method"] == "post" else "get"
            for payload in hostile_payloads(form["fields"], self.other_ids(user)):
                self.call(client, role, method, form["action"], payload)

    def webhook(self, client, role, url):
        for body in WEBHOOK_BODIES:
            for headers in ({}, signed_headers(body)):
                self.requests += 1
                try:
                    answer = client.post(
                        url, body, content_type="application/json", **headers
                    )
                except Exception as error:
                    self.failures.append(f"{role} webhook {body[:40]!r}: {error!r}")
                    continue
                if answer.status_code >= 500:
                    self.failures.append(
                        f"{role} webhook {body[:40]!r} -> {answer.status_code}"
                    )

    def visit(self, client, role, user, name, urls, *, hostile=True):
        """The pattern's URLs: each fetched; the first also with hostile query parameters
        and an empty POST, and the forms of every page reached sent back hostile."""
        scope = "staff" if user is not None and user.is_staff else "learner"
        for index, url in enumerate(urls):
            response = self.call(client, role, "get", url)
            if not hostile:
                continue
            if index == 0:
                query = {
                    key: HOSTILE_TEXT[(len(self.failures) + i) % len(HOSTILE_TEXT)]
                    for i, key in enumerate(HOSTILE_QUERY_KEYS)
                }
                self.call(client, role, "get", url, query)
                if name == "courses:stripe_webhook":
                    self.webhook(client, role, url)
                else:
                    self.call(client, role, "post", url)
            self.forms(client, role, user, response, url, scope)


def test_no_url_or_form_answers_5xx_to_hostile_input(world, settings):
    from tests.test_settings import ed25519_pem

    settings.ASSESSMENTS_VERIFICATION_RATE_LIMIT = (10_000, 60)
    settings.ASSESSMENTS_OB3_SIGNING_KEY = ed25519_pem()  # credentials on, not a 503
    cache.clear()
    started = time.monotonic()
    routes = [route for route in url_patterns() if in_scope(route[0], route[1])]
    walk = Walk(world)
    for role, user in world["roles"].items():
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        staff = user is not None and user.is_staff
        last = []
        for name, route, params, positional in routes:
            if route.startswith("admin/") and not staff and name != "wagtailadmin_home":
                continue  # the admin turns everyone else away at the door, checked once
            urls = urls_for(name, params, positional, world, user)
            if name in ("account_logout", "account_email", "account_change_password"):
                last.append((name, urls))  # they may sign the role out: done at the end
                continue
            walk.visit(
                client, role, user, name, urls, hostile=name not in WAGTAIL_ADMIN_NAMES
            )
        for name, urls in last:
            walk.visit(client, role, user, name, urls)
    elapsed = time.monotonic() - started
    cache.clear()
    assert walk.failures == [], (
        f"{len(walk.failures)} of {walk.requests} requests answered 5xx:\n"
        + "\n".join(walk.failures[:60])
    )
    assert walk.requests > 1000, walk.requests  # the walk really walked
    assert elapsed < TIME_BUDGET_SECONDS, (
        f"the walk of {walk.requests} requests took {elapsed:.0f} s"
    )
