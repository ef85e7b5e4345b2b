from .attempts import Attempt, AttemptGrant, AttemptStatus  # noqa: F401
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
