from .pages import CourseIndexPage, CoursePage, ModulePage  # noqa: F401
