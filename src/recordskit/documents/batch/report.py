"""What a batch run did: each row's task and result, and the whole run's report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from recordskit.intake.rows import RowProblem
from recordskit.models import Request
from recordskit.vocabulary import BatchStatus

REQUEST_FOLDER_FILES = ("letter.docx", "how_to_send.txt", "summary.docx", "schedule.docx",
                        "schedule.csv", "schedule.ics", "answers.yaml")
"""What every request folder holds; ``email.eml`` and the PDFs join them when they can be made."""


@dataclass(frozen=True)
class RowTask:
    """One good row, as a worker process receives it."""

    row: int
    row_id: str
    answers: dict[str, Any]
    folder: str
    force: bool
    duplicate_of: int | None
    request: Request | None = None
    """The row's request as the batch checked it: a worker need not check it again."""


@dataclass
class RowResult:
    """What happened to one good row."""

    row: int
    row_id: str
    status: BatchStatus
    folder: str
    agency: str
    requester: str
    request_id: str
    response_due: str
    duplicate_of: int | None = None
    problem: str = ""
    answers: str = ""
    """The request as the log stores it (JSON), so logging a batch reads no file again."""


@dataclass
class BatchReport:
    """A whole run: every row's result and every problem, and how long it took."""

    results: list[RowResult]
    problems: list[RowProblem]
    warnings: list[str]
    rows: int = 0
    seconds: float = 0.0
    pdfs: int = 0
    row_ids: dict[int, str] = field(default_factory=dict)
    """Each row's row_id, by row number, for the problems of rows that were never produced."""
    logged: int | None = None
    """Requests newly recorded in the request log; None when the batch was not logged."""
    log_location: str = ""
    batch_id: str = ""
    """The batch's id in the log (``status --batch``), once its rows are logged."""

    def count(self, *statuses: BatchStatus) -> int:
        return sum(result.status in statuses for result in self.results)

    @property
    def failed_rows(self) -> int:
        return len({p.row for p in self.problems})

    def summary(self) -> str:
        produced = self.count(BatchStatus.PRODUCED, BatchStatus.REWRITTEN)
        rate = f", {produced / self.seconds:.0f} letters/s" if produced and self.seconds else ""
        skipped = self.count(BatchStatus.SKIPPED)
        return (f"Produced {produced}, skipped {skipped} (already complete), "
                f"failed {self.failed_rows}, in {self.seconds:.1f} s{rate}.")

    def log_summary(self) -> str:
        """Where the rows were recorded, or "" when the batch was not logged."""
        if self.logged is None:
            return ""
        listed = f"`recordskit status --batch {self.batch_id}` lists its requests"
        if not self.logged:
            return (f"Request log ({self.log_location}): no new request to record; batch "
                    f"{self.batch_id}: {listed}.")
        return (f"Request log ({self.log_location}): {self.logged} new "
                f"request{'s' if self.logged != 1 else ''} recorded as batch {self.batch_id}; "
                f"{listed}.")


# --- Producing -----------------------------------------------------------------------------
