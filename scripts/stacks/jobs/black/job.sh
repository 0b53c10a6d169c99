# black: check, diff and reformat a file on the command line, then format_str in Python.
black --check messy.py || echo "check exit $?"
black --diff --no-color -q messy.py | sed -e 's/\t.*$//'
black messy.py
black --check messy.py
python - <<'PY'
import black
mode = black.Mode(line_length=40, string_normalization=False)
print(black.format_str("def g(x):  return {'k':x,'longer_key':[x,x,x],'more':x}\n", mode=mode))
try:
    black.format_str("def (:\n", mode=black.Mode())
except black.InvalidInput as exc:
    print("InvalidInput:", exc)
PY
