"""FailedMail.resolved becomes a state: pending (retried automatically), set aside, resolved."""

from django.db import migrations, models


def state_from_resolved(apps, schema_editor):
    FailedMail = apps.get_model("ingest", "FailedMail")
    FailedMail.objects.filter(resolved=True).update(state="resolved")
    # Mail quarantined before there were states is retried once more, automatically.
    FailedMail.objects.filter(resolved=False).update(state="pending")


def resolved_from_state(apps, schema_editor):
    FailedMail = apps.get_model("ingest", "FailedMail")
    FailedMail.objects.filter(state="resolved").update(resolved=True)


class Migration(migrations.Migration):
    dependencies = [
        ("ingest", "0002_unattached_mail"),
    ]

    operations = [
        migrations.AddField(
            model_name="failedmail",
            name="state",
            field=models.CharField(
                choices=[
                    ("pending", "pending"),
                    ("set-aside", "set aside"),
                    ("resolved", "resolved"),
                ],
                default="set-aside",
                max_length=10,
            ),
        ),
        migrations.RunPython(state_from_resolved, resolved_from_state),
        migrations.RemoveField(model_name="failedmail", name="resolved"),
        migrations.AddIndex(
            model_name="failedmail",
            index=models.Index(fields=["msgid", "state"], name="failedmail_msgid_idx"),
        ),
    ]
