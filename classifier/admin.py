from django.contrib import admin

from classifier.models import Analysis, LabelAnswer, ModelVersion, TrainingRun, WorkerHeartbeat


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = ["name", "architecture", "is_active", "track_accuracy", "created_at"]
    list_filter = ["architecture", "is_active"]
    search_fields = ["name"]
    readonly_fields = ["created_at", "activated_at"]

    @admin.display(description="track accuracy (CV)")
    def track_accuracy(self, obj: ModelVersion) -> str:
        value = (obj.metrics or {}).get("track_accuracy")
        return "—" if value is None else f"{value:.1%}"


@admin.register(Analysis)
class AnalysisAdmin(admin.ModelAdmin):
    list_display = [
        "song", "model_version", "predicted_genre", "confidence", "is_unsure", "is_not_music",
        "created_at",
    ]  # fmt: skip
    list_filter = ["model_version", "is_unsure", "is_not_music", "predicted_genre"]
    search_fields = ["song__title", "song__artist"]
    list_select_related = ["song", "model_version"]
    raw_id_fields = ["song"]
    exclude = ["embedding"]  # 128 floats are not something to edit by hand


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["hostname", "seen_at"]


@admin.register(LabelAnswer)
class LabelAnswerAdmin(admin.ModelAdmin):
    list_display = ["song", "verdict", "genre", "user", "created_at"]
    list_filter = ["verdict", "genre"]
    raw_id_fields = ["song"]


@admin.register(TrainingRun)
class TrainingRunAdmin(admin.ModelAdmin):
    list_display = ["pk", "status", "model_version", "activated", "created_at", "finished_at"]
    list_filter = ["status", "activated"]
