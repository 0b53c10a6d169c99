# Django: a fresh project, then the deployment checklist as a CI gate.  Eagerly it
# reports 7 security warnings and exits 1; a lazy run must too.
set -e
django-admin startproject mysite .
python manage.py check --deploy --fail-level WARNING
