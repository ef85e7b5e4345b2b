from .attempts import Attempt, AttemptGrant, AttemptStatus  # noqa: F401
from .certificates import (  # noqa: F401
    AuditAction,
    AuditEvent,
    Certificate,
    CertificateDocument,
    CertificateStatus,
)
from .evaluations import EvaluationForm, EvaluationItem, EvaluationResponse, ItemKind  # noqa: F401
from .questions import (  # noqa: F401
    Difficulty,
    EvidenceGrade,
    Question,
    QuestionOption,
    QuestionTag,
    QuestionType,
    Scoring,
)
from .quizzes import FeedbackMode, Quiz, QuizKind  # noqa: F401
