"""The certificate domain: course evaluations, eligibility, issue, revoke, reissue, the audit
log, PDF documents and Open Badges 3.0 credentials.

Its models belong to the `assessments` app (imported by `assessments.models`), so moving them
here changed no table and needed no migration.
"""
