"""Background tasks of the accompaniment (django-tasks; `manage.py db_worker` runs them)."""

from django_tasks import task

from appui.core.audit import audit_context

from .alerts import ENGINE_LABEL, compute_alerts


@task()
def compute_alerts_task(dac_id: int | None = None) -> dict:
    """The alerts computation, as a task: `compute_alerts_task.enqueue()`. Returns the summary."""
    with audit_context(user_label=ENGINE_LABEL, view_name="compute_alerts_task"):
        return compute_alerts(dac=dac_id).as_dict()
