"""Steps that data migrations share: when a model moves to another app, what the database
holds about the model's old app label must follow it."""


def relabel_content_types(old_label: str, new_label: str, models: list[str]):
    """A RunPython pair (forwards, backwards) that moves ``models``' content types from
    ``old_label`` to ``new_label`` in place. In place, so their ids stay: the permissions
    attached to them, and the groups and users holding those permissions, come along.
    A fresh database has no content types yet (they are made after migrating): nothing
    to do."""

    def move(apps, from_label, to_label):
        content_type = apps.get_model("contenttypes", "ContentType")
        for model in models:
            if content_type.objects.filter(app_label=to_label, model=model).exists():
                continue
            content_type.objects.filter(app_label=from_label, model=model).update(
                app_label=to_label
            )

    def forwards(apps, schema_editor):
        move(apps, old_label, new_label)

    def backwards(apps, schema_editor):
        move(apps, new_label, old_label)

    return forwards, backwards


def repoint_queued_tasks(old_path: str, new_path: str):
    """A RunPython pair that points tasks still waiting in the queue (django_tasks_db) at a
    task function's new module, so a worker started after the upgrade can run them."""

    def move(apps, from_path, to_path):
        task_result = apps.get_model("django_tasks_database", "DBTaskResult")
        task_result.objects.filter(task_path=from_path, status="READY").update(task_path=to_path)

    def forwards(apps, schema_editor):
        move(apps, old_path, new_path)

    def backwards(apps, schema_editor):
        move(apps, new_path, old_path)

    return forwards, backwards
