"""The extension points of `courses`, as Wagtail hooks.

Another app (or a host site) extends courses by registering functions in its
`wagtail_hooks.py` with `@wagtail.hooks.register(<name>)`, exactly as it would extend Wagtail
itself. `courses` never imports the apps that extend it.

| Hook name                      | Signature                                 | Used for                   |
|--------------------------------|-------------------------------------------|----------------------------|
| `courses_module_requirement`   | `fn(*, user, module) -> bool`             | extra conditions for a     |
|                                |                                           | module to count complete   |
| `courses_module_panels`        | `fn(request, module) -> dict or None`     | panels under a module      |
| `courses_course_panels`        | `fn(request, course) -> dict or None`     | panels on the course page  |
| `courses_dashboard_lines`      | `fn(request, course) -> dict or None`     | lines under a dashboard    |
|                                |                                           | course row                 |
| `courses_dashboard_status`     | `fn(request, course) -> dict or None`     | the status a dashboard row |
|                                |                                           | shows (label, tone,        |
|                                |                                           | detail); the first answer  |
|                                |                                           | wins                       |
| `courses_course_page_context`  | `fn(request, course) -> dict`             | values for the course      |
|                                |                                           | page's template context    |
| `courses_assessment_items`     | `fn(course, modules) -> AssessmentItems`  | questions and evaluation   |
|                                | (courses.study_time)                      | items, for study time      |
| `courses_role_permissions`     | `fn() -> {group name: [(app, codename)]}` | model permissions for the  |
|                                |                                           | Trainers and Certificate   |
|                                |                                           | administrators groups      |
| `courses_order_paid`           | `fn(*, order) -> bool`                    | inside the fulfilment      |
|                                |                                           | transaction; True when it  |
|                                |                                           | delivered the order itself |
|                                |                                           | (an organization's seats), |
|                                |                                           | so the buyer is not enrolled|
| `courses_order_refunded`       | `fn(*, order) -> None`                    | inside the refund          |
|                                |                                           | transaction, after the     |
|                                |                                           | refunded amount is stored  |
| `courses_requirements_changed` | `fn(*, user, course) -> None`             | after commit, when an      |
|                                |                                           | approval or attendance may |
|                                |                                           | complete a certificate     |
| `courses_learner_report`       | `fn(*, course, users) -> {user id: dict}` | extra columns for a        |
|                                |                                           | manager's learner report   |
|                                |                                           | (certificate status)       |
| `courses_module_editor_panels` | `fn(request, module) -> dict or None`     | panels in the module       |
|                                |                                           | editor (Wagtail admin)     |
| `courses_learner_state`        | `fn(user, course) -> dict`                | more facts in the cached   |
|                                |                                           | learner state (picklable;  |
|                                |                                           | the app that adds them     |
|                                |                                           | calls learner_state.changed|
|                                |                                           | when they change)          |

A panel is a dict holding `template`; the page includes that template with the dict as
`panel`. Panels appear in hook order (`@hooks.register(name, order=N)` to change it).
"""

from wagtail import hooks

MODULE_REQUIREMENT = "courses_module_requirement"
MODULE_PANELS = "courses_module_panels"
COURSE_PANELS = "courses_course_panels"
DASHBOARD_LINES = "courses_dashboard_lines"
DASHBOARD_STATUS = "courses_dashboard_status"
COURSE_PAGE_CONTEXT = "courses_course_page_context"
ROLE_PERMISSIONS = "courses_role_permissions"
ASSESSMENT_ITEMS = "courses_assessment_items"
ORDER_PAID = "courses_order_paid"
ORDER_REFUNDED = "courses_order_refunded"
LEARNER_REPORT = "courses_learner_report"
REQUIREMENTS_CHANGED = "courses_requirements_changed"
MODULE_EDITOR_PANELS = "courses_module_editor_panels"
LEARNER_STATE = "courses_learner_state"


def module_requirements_met(*, user, module) -> bool:
    return all(
        requirement(user=user, module=module)
        for requirement in hooks.get_hooks(MODULE_REQUIREMENT)
    )


def panels(hook_name: str, request, page) -> list[dict]:
    return [
        panel
        for provider in hooks.get_hooks(hook_name)
        if (panel := provider(request, page)) is not None
    ]


def first_answer(hook_name: str, request, page):
    for provider in hooks.get_hooks(hook_name):
        if (answer := provider(request, page)) is not None:
            return answer
    return None


def page_context(hook_name: str, request, page) -> dict:
    context = {}
    for provider in hooks.get_hooks(hook_name):
        context.update(provider(request, page))
    return context


def learner_state_extras(user, course) -> dict:
    extras = {}
    for provider in hooks.get_hooks(LEARNER_STATE):
        extras.update(provider(user, course))
    return extras


def role_permissions(group_name: str) -> set[tuple[str, str]]:
    granted = set()
    for provider in hooks.get_hooks(ROLE_PERMISSIONS):
        granted.update(tuple(p) for p in provider().get(group_name, ()))
    return granted


def order_paid(*, order) -> bool:
    """Whether a registered hook delivered this paid order itself (every hook runs)."""
    return any([handler(order=order) for handler in hooks.get_hooks(ORDER_PAID)])


def order_refunded(*, order) -> None:
    for handler in hooks.get_hooks(ORDER_REFUNDED):
        handler(order=order)


def learner_report(*, course, users) -> dict[int, dict]:
    report: dict[int, dict] = {user.pk: {} for user in users}
    for provider in hooks.get_hooks(LEARNER_REPORT):
        for user_id, values in provider(course=course, users=users).items():
            report.setdefault(user_id, {}).update(values)
    return report


def requirements_changed(*, user, course) -> None:
    for handler in hooks.get_hooks(REQUIREMENTS_CHANGED):
        handler(user=user, course=course)
