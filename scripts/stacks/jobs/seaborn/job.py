"""seaborn: a regression plot and a box plot of a pandas frame, saved as PNG."""

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

rng = np.random.default_rng(3)
df = pd.DataFrame({"x": np.arange(60.0), "group": np.repeat(["a", "b", "c"], 20)})
df["y"] = 2 * df["x"] + rng.normal(0, 5, 60)
sns.set_theme(style="whitegrid")
grid = sns.lmplot(data=df, x="x", y="y", hue="group", ci=None, height=3)
grid.savefig("lmplot.png", dpi=60)
ax = sns.boxplot(data=df, x="group", y="y")
ax.figure.savefig("box.png", dpi=60)
print(df.groupby("group")["y"].agg(["mean", "std"]).round(4))
print("palette:", [tuple(round(c, 4) for c in rgb) for rgb in sns.color_palette()[:3]])
