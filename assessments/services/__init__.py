"""The only writers of attempts, grants, evaluations, certificates and audit events."""

from .attempts import (  # noqa: F401
    AttemptError,
    attempt_grant,
    attempt_save_answers,
    attempt_start,
    attempt_submit,
    attempts_allowed,
    build_snapshot,
    draw_questions,
)
from .certificates import (  # noqa: F401
    CertificateError,
    audit,
    certificate_bulk_issue_batch,
    certificate_issue,
    certificate_issue_if_eligible,
    certificate_mark_reminded,
    certificate_reissue,
    certificate_revoke,
    evaluation_form_ensure,
    evaluation_submit,
)
