# Django: a project with an app (models, admin, views, templates, a management command):
# makemigrations, migrate, the app's test suite, then the command on the real database.
set -e
django-admin startproject site_conf .
cat >> site_conf/settings.py <<'PY'
INSTALLED_APPS += ["polls"]
ROOT_URLCONF = "polls.urls"
# Django's advice for test speed: a fast hasher (the tests create and log in a user).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PY
python manage.py makemigrations polls
python manage.py migrate --no-color
python manage.py test polls --no-color -v 2
python manage.py poll_report
python manage.py sqlmigrate polls 0001
