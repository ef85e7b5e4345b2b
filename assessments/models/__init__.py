# The certificate domain keeps its models in its own package; Django finds them here.
from ..certificates.models import (  # noqa: F401
    AuditAction,
    AuditEvent,
    BulkIssue,
    BulkIssueItem,
    BulkIssueOutcome,
    Certificate,
    CertificateDocument,
    CertificateStatus,
    EvaluationForm,
    EvaluationItem,
    EvaluationResponse,
    ItemKind,
)
from .attempts import Attempt, AttemptGrant, AttemptStatus  # noqa: F401
from .questions import (  # noqa: F401
    POST_TEST_TAG,
    Difficulty,
    EvidenceGrade,
    Question,
    QuestionOption,
    QuestionTag,
    QuestionType,
    Scoring,
    post_test_tag,
)
from .quizzes import FeedbackMode, Quiz, QuizKind  # noqa: F401
