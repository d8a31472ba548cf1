"""Typed errors whose message a user can act on; pages show them, the CLI prints one line."""


class PlanningError(Exception):
    """Base class: the message is for the person who caused it, not for a developer."""


class DatabaseBusy(PlanningError):
    """Another process holds the database file (one writer per DuckDB file)."""


class NotFound(PlanningError):
    """A plan, account or other record that was asked for does not exist."""


class InvalidInput(PlanningError):
    """A value a person typed or a file carried cannot be used as it is."""


class NotAllowed(PlanningError):
    """The current user may not do this."""


class PlanLocked(PlanningError):
    """A lifecycle rule forbids this change to the plan."""


class StaleEdit(PlanningError):
    """Someone else saved the same record after this form was loaded."""


class ImportRefused(PlanningError):
    """A CSV extract was refused whole; `problems` lists what to fix."""

    def __init__(self, message: str, problems: list | None = None):
        super().__init__(message)
        self.problems = problems or []


class DatabaseDamaged(PlanningError):
    """The database file is not a readable DuckDB database (truncated, overwritten, not one)."""


class DatabaseUnwritable(PlanningError):
    """A write could not reach the file (disk full, read-only disk); nothing was saved."""


class DatabaseUnreachable(PlanningError):
    """The PostgreSQL server named by the database URL cannot be reached or refused the login."""
