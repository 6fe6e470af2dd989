from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """A row written by a background worker, proving that queued work really runs.

    Not workspace-scoped: it describes the installation, not a company's data.
    """

    backend = models.CharField(max_length=100)
    recorded_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"{self.backend} at {self.recorded_at:%Y-%m-%d %H:%M:%S}"
