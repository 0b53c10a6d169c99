from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render

from .models import Question


def index(request):
    return render(request, "polls/index.html", {"questions": Question.objects.order_by("text")})


def detail(request, pk):
    q = get_object_or_404(Question, pk=pk)
    return JsonResponse({"text": q.text, "choices": [c.text for c in q.choices.order_by("id")]})
