"""tqdm: progress bars over loops, manual updates, nested bars, pandas progress_apply and
the command-line pipe; to stderr with a fixed width and a bar format without rates and
times (those are clock readings)."""

import subprocess
import sys

import pandas as pd
from tqdm import tqdm, trange
from tqdm.contrib import tenumerate

FMT = "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt}"
total = 0
for i in tqdm(range(50), desc="loop", ncols=60, bar_format=FMT, mininterval=0, miniters=10):
    total += i
print("total", total)
with tqdm(total=3, desc="manual", ncols=60, bar_format=FMT, file=sys.stdout) as bar:
    for _ in range(3):
        bar.update(1)
        bar.set_postfix_str("ok", refresh=False)
for _ in trange(2, desc="outer", ncols=60, bar_format=FMT, position=0, leave=True):
    for _ in trange(3, desc="inner", ncols=60, bar_format=FMT, position=1, leave=False):
        pass
print([i for i, _ in tenumerate("abc", ncols=60, bar_format=FMT)])
tqdm.pandas(desc="apply", ncols=60, bar_format=FMT)
print(pd.Series(range(5)).progress_apply(lambda v: v * v).tolist())
out = subprocess.run([sys.executable, "-m", "tqdm", "--bar_format", "{n_fmt} lines", "--mininterval", "1000"], input="a\nb\nc\n", capture_output=True, text=True)
print(repr(out.stdout), out.stderr.strip().splitlines()[-1:], out.returncode)
