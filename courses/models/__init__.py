from ..programmes.models import (  # noqa: F401
    Cohort,
    CohortMembership,
    Consultation,
    ConsultationKind,
    ConsultationStatus,
    InvitationStatus,
    LiveAttendance,
    LiveSession,
    ModuleReleaseNotice,
    Organization,
    OrganizationManager,
    ProgrammeAuditAction,
    ProgrammeAuditEvent,
    Seat,
    SeatInvitation,
    SeatStatus,
)
from .emails import OutboundEmail  # noqa: F401
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
from .profiles import LearnerProfile, LicensureStatus, Profession  # noqa: F401
