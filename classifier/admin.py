from django.contrib import admin

from classifier.models import Analysis, ModelVersion, WorkerHeartbeat


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = ["name", "architecture", "is_active", "track_accuracy", "created_at"]
    list_filter = ["architecture", "is_active"]
    search_fields = ["name"]
    readonly_fields = ["created_at", "activated_at"]

    @admin.display(description="test track accuracy")
    def track_accuracy(self, obj: ModelVersion) -> str:
        value = (obj.metrics or {}).get("track_accuracy")
        return "—" if value is None else f"{value:.1%}"


@admin.register(Analysis)
class AnalysisAdmin(admin.ModelAdmin):
    list_display = ["song", "model_version", "predicted_genre", "confidence", "created_at"]
    list_filter = ["model_version", "predicted_genre"]
    search_fields = ["song__title", "song__artist"]
    list_select_related = ["song", "model_version"]
    raw_id_fields = ["song"]
    exclude = ["embedding"]  # 128 floats are not something to edit by hand


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["hostname", "seen_at"]
