"""What a module needs beyond being opened, supplied by other apps without imports.

`assessments` registers "the module quiz, if any, is passed" in its AppConfig.ready(), so
`courses` never imports it.
"""

from collections.abc import Callable

ModuleRequirement = Callable[..., bool]
_requirements: list[ModuleRequirement] = []


def register_module_requirement(requirement: ModuleRequirement) -> ModuleRequirement:
    if requirement not in _requirements:
        _requirements.append(requirement)
    return requirement


def module_requirements_met(*, user, module) -> bool:
    return all(requirement(user=user, module=module) for requirement in _requirements)
