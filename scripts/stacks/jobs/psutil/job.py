"""psutil: this process and a child: names, command lines, status, children, the
working directory, open files; only values that do not depend on the machine's load."""

import os
import subprocess
import sys

import psutil

me = psutil.Process()
print(me.name().startswith("python"), me.cmdline()[1:], me.cwd() == os.getcwd(), me.status())
with open("held.txt", "w") as fh:
    print([os.path.basename(f.path) for f in me.open_files() if f.path.endswith("held.txt")])
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
try:
    kids = me.children()
    print([k.pid == child.pid for k in kids], psutil.pid_exists(child.pid))
    psutil.Process(child.pid).terminate()
    gone, alive = psutil.wait_procs([psutil.Process(child.pid)], timeout=10)
    print(len(gone), len(alive), gone[0].returncode)
finally:
    child.kill()
    child.wait()
print(psutil.cpu_count() >= 1, psutil.virtual_memory().total > 0, isinstance(psutil.boot_time(), float))
try:
    psutil.Process(2**22 + 12345)
except psutil.NoSuchProcess as exc:
    print("NoSuchProcess:", type(exc).__name__)
