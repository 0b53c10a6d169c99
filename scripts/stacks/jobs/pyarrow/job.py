"""pyarrow: tables from and to pandas, compute functions, Parquet and Feather files."""

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.feather as feather
import pyarrow.parquet as pq

df = pd.DataFrame({"city": ["Oslo", "Lima", "Pune", "Oslo"], "temp": [3.5, 19.0, 31.2, -1.0], "n": [1, 2, 3, 4]})
table = pa.Table.from_pandas(df, preserve_index=False)
print(table.schema)
print("mean temp:", pc.mean(table["temp"]).as_py())
print("filtered:", table.filter(pc.greater(table["temp"], 0)).column("city").to_pylist())
print("grouped:", table.group_by("city").aggregate([("n", "sum")]).sort_by("city").to_pylist())
pq.write_table(table, "cities.parquet")
back = pq.read_table("cities.parquet").to_pandas()
print("parquet round trip equal:", back.equals(df))
feather.write_feather(df, "cities.feather")
print(feather.read_feather("cities.feather").dtypes.to_dict())
arr = pa.array([1, None, 3], type=pa.int64())
print(arr.to_pandas(), arr.null_count)
print(pd.Series([1.5, None], dtype="float64[pyarrow]"))
