"""NumPy: seeded random numbers, linear algebra, FFT, structured arrays, .npy/.npz files."""

import numpy as np

rng = np.random.default_rng(12345)
a = rng.normal(size=(6, 6))
b = rng.integers(0, 10, size=6).astype(float)
x = np.linalg.solve(a + 6 * np.eye(6), b)
print("solve:", np.round(x, 6))
w = np.linalg.eigvalsh(a @ a.T)
print("eigvalsh:", np.round(w, 6))
print("fft:", np.round(np.abs(np.fft.rfft(np.arange(16.0) % 5)), 6))
print("percentiles:", np.percentile(rng.random(1001), [5, 50, 95]).round(6))
people = np.array(
    [("ada", 36, 1.65), ("bob", 41, 1.80), ("cyd", 29, 1.72)],
    dtype=[("name", "U8"), ("age", "i4"), ("height", "f8")],
)
people.sort(order="age")
print("structured:", people)
print("einsum:", np.einsum("ij,jk->ik", np.arange(6).reshape(2, 3), np.arange(6).reshape(3, 2)))
with np.errstate(divide="ignore", invalid="ignore"):
    print("errstate:", np.array([1.0, 0.0, -1.0]) / 0.0)
np.save("matrix.npy", a)
np.savez("arrays.npz", a=a, b=b, people=people)
back = np.load("arrays.npz")
print("npz keys:", sorted(back.files), "equal:", np.array_equal(back["a"], a))
print("masked mean:", np.ma.masked_less(np.arange(10.0), 3).mean())
print("polyfit:", np.polyfit(np.arange(10.0), 3 * np.arange(10.0) ** 2 + 1, 2).round(6))
np.savetxt("table.csv", np.column_stack([np.arange(5), np.arange(5) ** 2]), fmt="%d", delimiter=",")
