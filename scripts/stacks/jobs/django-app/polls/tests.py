import datetime

from django.contrib.auth.models import User
from django.test import TestCase
from django.urls import reverse

from .models import Choice, Question


class PollTests(TestCase):
    def setUp(self):
        self.q = Question.objects.create(text="best editor?", published=datetime.date(2024, 5, 1))
        Choice.objects.create(question=self.q, text="vim")
        Choice.objects.create(question=self.q, text="emacs")

    def test_index(self):
        response = self.client.get(reverse("index"))
        self.assertContains(response, "Best Editor? (2024-05-01)")

    def test_detail(self):
        response = self.client.get(reverse("detail", args=[self.q.pk]))
        self.assertEqual(response.json(), {"text": "best editor?", "choices": ["vim", "emacs"]})

    def test_missing(self):
        self.assertEqual(self.client.get("/q/999/").status_code, 404)

    def test_admin(self):
        User.objects.create_superuser("admin", "a@example.com", "pw")
        self.client.login(username="admin", password="pw")
        response = self.client.get("/admin/polls/question/")
        self.assertContains(response, "best editor?")
