"""matplotlib: the Agg backend, a figure with subplots and legends, saved as PNG and SVG."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

plt.rcParams["svg.hashsalt"] = "popular-stacks"  # fixed ids in the SVG file
x = np.linspace(0, 2 * np.pi, 50)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 3), dpi=80)
ax1.plot(x, np.sin(x), label="sin")
ax1.plot(x, np.cos(x), "--", label="cos")
ax1.set_title("trig")
ax1.legend(loc="upper right")
ax2.bar(["a", "b", "c"], [3, 1, 2], color="tab:green")
ax2.annotate("peak", xy=(0, 3), xytext=(1, 2.5), arrowprops={"arrowstyle": "->"})
ax2.set_yscale("log")
fig.colorbar(ax1.scatter(x, np.sin(x), c=x, s=4), ax=ax1)
fig.tight_layout()
fig.savefig("figure.png")
fig.savefig("figure.svg", metadata={"Date": None})
print("axes:", len(fig.axes), "lines:", len(ax1.lines), "legend:", [t.get_text() for t in ax1.get_legend().get_texts()])
print("ylim:", np.round(ax2.get_ylim(), 4))
print("backend:", matplotlib.get_backend())
