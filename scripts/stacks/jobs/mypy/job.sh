# mypy: check a small program with three errors (exit 1), then the API on a clean string.
# No cache: --cache-dir=/dev/null (mypy's documented way not to write one).
mypy --cache-dir=/dev/null --strict --no-color-output --no-error-summary program.py || echo "mypy exit $?"
python - <<'PY'
from mypy import api
out, err, status = api.run(["--cache-dir=/dev/null", "-c", "x: int = 1\nprint(x + 1)\n"])
print(repr(out), repr(err), status)
PY
