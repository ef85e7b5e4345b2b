from .enrolment import (  # noqa: F401
    ACCESS_STATUSES,
    Enrolment,
    EnrolmentEvent,
    EnrolmentSource,
    EnrolmentStatus,
    ModuleProgress,
)
from .orders import Order, OrderStatus, ProcessedWebhookEvent, TestModeSession  # noqa: F401
from .pages import CourseIndexPage, CoursePage, ModuleKind, ModulePage  # noqa: F401
from .profiles import LearnerProfile, Profession  # noqa: F401
