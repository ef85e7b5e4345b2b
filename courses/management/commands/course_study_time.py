from django.core.management.base import BaseCommand, CommandError

from courses import study_time
from courses.models import CoursePage


def minutes(value) -> str:
    return f"{value:.1f}"


class Command(BaseCommand):
    help = (
        "Print a course's computed study time per module and in total, beside the hours "
        "it claims. Without a slug, every live course."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", nargs="?", help="The course's slug.")

    def handle(self, *args, slug=None, **options):
        if slug:
            courses = list(CoursePage.objects.filter(slug=slug))
            if not courses:
                raise CommandError(f"No course with the slug {slug!r}.")
        else:
            courses = list(CoursePage.objects.live().order_by("path"))
        self.stdout.write(f"Basis: {study_time.basis_statement()}")
        for course in courses:
            self.print_course(course)

    def print_course(self, course):
        result = study_time.course_study_time(course)
        write = self.stdout.write
        write("")
        write(f"{course.title} ({course.slug})")
        header = (
            f"{'':42} {'words':>6} {'reading':>8} {'media':>6} {'activ.':>7} "
            f"{'assess.':>8} {'total':>7} {'estimated':>10}"
        )
        write(header)
        rows = [
            (module.title, time, f"{module.estimated_minutes}")
            for module, time in result.modules
        ] + [
            ("Post-test", result.post_test, ""),
            ("Course evaluation", result.evaluation, ""),
        ]
        for title, time, estimated in rows:
            write(
                f"{title[:42]:42} {time.words or '':>6} {minutes(time.reading):>8} "
                f"{minutes(time.media):>6} {minutes(time.activities):>7} "
                f"{minutes(time.assessment):>8} {minutes(time.total):>7} {estimated:>10}"
            )
        total = result.total
        write(
            f"{'Total (minutes)':42} {total.words:>6} {minutes(total.reading):>8} "
            f"{minutes(total.media):>6} {minutes(total.activities):>7} "
            f"{minutes(total.assessment):>8} {minutes(total.total):>7}"
        )
        write(f"Study time: {total.basis()}")
        claimed = study_time.claimed_course_minutes(course)
        claim = f"Claimed: {course.hours_label} ({study_time.format_hours(claimed)})."
        if study_time.claim_exceeds(claimed, total.total):
            self.stdout.write(
                self.style.WARNING(
                    f"{claim} More than {int(study_time.CLAIM_TOLERANCE * 100)}% above "
                    "the computed time: lower the claim or add content."
                )
            )
        else:
            write(f"{claim} Within the computed time.")
