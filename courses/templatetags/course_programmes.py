from django import template

register = template.Library()


@register.filter
def opens_on(release_locks, module_id):
    """The day a scheduled module opens for this learner, or None if it is open."""
    return (release_locks or {}).get(module_id)
