from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "triage"
    verbose_name = "Triage extensions (series and bulk changes, checks summaries, supersede)"
