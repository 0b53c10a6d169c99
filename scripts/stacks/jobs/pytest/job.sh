# pytest: a small suite with fixtures, parametrisation, skips, xfail and two failures
# (assertion rewriting shows the diffs), a JUnit XML report; then pytest.main in-process.
python -m pytest -p no:cacheprovider -rA --junitxml=report.xml tests || echo "pytest exit $?"
python - <<'PY'
import pytest
print("pytest.main:", int(pytest.main(["-q", "-p", "no:cacheprovider", "tests", "-k", "sorted or raises"])))
PY
