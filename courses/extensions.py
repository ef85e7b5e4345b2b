"""Hooks other apps fill in at start-up, so `courses` never imports them.

`assessments` registers, in its AppConfig.ready():
- a module requirement: "the module's quiz, if it has one, is passed";
- page panels: the quiz panel under a module, the post-test and certificate panels on the
  course page, and extra lines on the dashboard.

A panel provider is `provider(request, page) -> dict | None`; a returned dict must hold
`template` and is included in the page with that dict as `panel`.
"""

from collections.abc import Callable

ModuleRequirement = Callable[..., bool]
PanelProvider = Callable[..., dict | None]

_module_requirements: list[ModuleRequirement] = []
_panel_providers: dict[str, list[PanelProvider]] = {
    "module": [],
    "course": [],
    "dashboard": [],
}


def register_module_requirement(requirement: ModuleRequirement) -> ModuleRequirement:
    if requirement not in _module_requirements:
        _module_requirements.append(requirement)
    return requirement


def module_requirements_met(*, user, module) -> bool:
    return all(
        requirement(user=user, module=module) for requirement in _module_requirements
    )


def register_panel(place: str, provider: PanelProvider) -> PanelProvider:
    if provider not in _panel_providers[place]:
        _panel_providers[place].append(provider)
    return provider


def panels(place: str, request, page) -> list[dict]:
    return [
        panel
        for provider in _panel_providers[place]
        if (panel := provider(request, page)) is not None
    ]


_role_permissions: dict[str, set[tuple[str, str]]] = {}


def register_role_permissions(
    group_name: str, permissions: list[tuple[str, str]]
) -> None:
    """Model permissions another app wants a plugin group to have ("app_label", "codename")."""
    _role_permissions.setdefault(group_name, set()).update(permissions)


def role_permissions(group_name: str) -> set[tuple[str, str]]:
    return set(_role_permissions.get(group_name, set()))
