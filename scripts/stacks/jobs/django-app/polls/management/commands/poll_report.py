import datetime

from django.core.management.base import BaseCommand
from django.db.models import Count

from polls.models import Choice, Question


class Command(BaseCommand):
    help = "Create a poll and report on all polls"

    def handle(self, *args, **options):
        q = Question.objects.create(text="tabs or spaces?", published=datetime.date(2024, 1, 2))
        for text, votes in (("tabs", 3), ("spaces", 5)):
            Choice.objects.create(question=q, text=text, votes=votes)
        for row in Question.objects.annotate(n=Count("choices")).values("text", "n"):
            self.stdout.write(f"{row['text']}: {row['n']} choices")
        self.stdout.write(self.style.SUCCESS("done"))
