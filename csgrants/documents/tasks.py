"""The worker's side of the letters: render a job's letters after its decision committed."""

from __future__ import annotations

from django_tasks import task


@task()
def render_letters(job_id: int) -> str:
    from csgrants.documents.services import letter_job_run

    return letter_job_run(job_id)
