"""pandas: frames, group-by, merge, pivot, time series, string methods, CSV and JSON files."""

import numpy as np
import pandas as pd

pd.set_option("display.width", 100)
sales = pd.DataFrame(
    {
        "region": ["north", "south", "north", "east", "south", "east", "north"],
        "product": ["a", "b", "a", "c", "a", "b", "c"],
        "units": [3, 5, 2, 7, 1, 4, 6],
        "price": [9.5, 3.25, 9.5, 4.0, 9.5, 3.25, 4.0],
        "day": pd.date_range("2024-01-01", periods=7, freq="D"),
    }
)
sales["revenue"] = sales["units"] * sales["price"]
print(sales)
print(sales.groupby("region")[["units", "revenue"]].sum())
print(sales.pivot_table(index="region", columns="product", values="units", aggfunc="sum", fill_value=0))
prices = pd.DataFrame({"product": ["a", "b", "c"], "label": ["Apple", "Banana", "Cherry"]})
merged = sales.merge(prices, on="product", how="left")
print(merged[["day", "label", "units"]].to_string(index=False))
ts = merged.set_index("day")["revenue"]
print(ts.rolling(3).mean().round(3))
print(ts.resample("2D").sum())
print(merged["label"].str.upper().str[:3].value_counts().sort_index())
print(merged.describe().round(3))
cat = merged["region"].astype("category")
print(cat.cat.categories.tolist(), cat.cat.codes.tolist())
merged.to_csv("sales.csv", index=False)
back = pd.read_csv("sales.csv", parse_dates=["day"])
print("csv round trip equal:", back.equals(merged))
merged.to_json("sales.json", orient="records", date_format="iso", indent=1)
print(pd.read_json("sales.json").dtypes)
nan = pd.Series([1.0, np.nan, 3.0])
print("nan sum/mean:", nan.sum(), nan.mean())
print(pd.Series([1, 2, 3], dtype="Int64").astype("string").tolist())
try:
    sales.loc[:, "missing"]
except KeyError as exc:
    print("KeyError:", exc)
