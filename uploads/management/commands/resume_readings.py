from django.core.management.base import BaseCommand

from uploads.documents import tasks as document_tasks


class Command(BaseCommand):
    help = (
        "Hand MRZ readings whose worker died (or whose task was lost) to the task queue again, "
        "after MRZ_READING_RETRY_AFTER_S; each document gets MRZ_READING_MAX_ATTEMPTS in all, "
        "then ends 'not found' with the reason. Run it from cron every minute."
    )

    def handle(self, *args: object, **options: object) -> None:
        requeued = document_tasks.readings_resume()
        self.stdout.write(f"{requeued} reading(s) queued again")
