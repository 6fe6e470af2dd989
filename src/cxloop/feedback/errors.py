"""What can go wrong when someone answers or configures a survey, with its status and sentence.

Each error carries the HTTP status it is answered with and a sentence in the respondent's (or
staff member's) language; the public pages render it on a small error page, the staff pages beside
the field, the API as ``{"detail": …}``. None of them is ever a 500.
"""

from __future__ import annotations


class FeedbackError(Exception):
    """A request that cannot be done as asked; ``str()`` says what to do instead."""

    status = 400
    field = ""


class NameTaken(FeedbackError):
    status = 409
    field = "name"


class LinkNotFound(FeedbackError):
    """A survey link whose token or key matches nothing (mistyped, cut short, or made up)."""

    status = 404


class LinkExpired(FeedbackError):
    """A personal link past its validity."""

    status = 410


class SurveyClosed(FeedbackError):
    """The survey no longer takes answers or edits."""

    status = 410


class UnknownLanguage(FeedbackError):
    status = 400
    field = "lang"


class AnswersInvalid(FeedbackError):
    """The submitted answers break a rule; ``errors`` maps each question key to its message."""

    status = 400

    def __init__(self, message: str, errors: dict[str, str]) -> None:
        super().__init__(message)
        self.errors = errors


class FormOutdated(FeedbackError):
    """The hidden fields of the form (submission id, revision, page) are missing or made up."""

    status = 400
