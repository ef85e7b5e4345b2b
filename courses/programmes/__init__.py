"""Training programmes as KAP providers run them: organizations that buy seats, cohorts with
scheduled module release, live sessions with attendance, and consultation hours with
consultant sign-off. A sub-package of `courses`: its models belong to the `courses` app
(imported by `courses.models`), and the rest of `courses` reaches it through small calls
(access asks for release locks) and through the hooks in `courses.hooks`.
"""
