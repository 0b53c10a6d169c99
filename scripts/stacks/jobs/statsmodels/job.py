"""statsmodels: OLS from a formula on a pandas frame, a GLM, an ARIMA fit."""

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
from statsmodels.tsa.arima.model import ARIMA

rng = np.random.default_rng(11)
df = pd.DataFrame({"x": np.arange(40.0), "g": np.tile(["u", "v"], 20)})
df["y"] = 1.5 + 0.7 * df["x"] + (df["g"] == "v") * 2 + rng.normal(0, 1, 40)
ols = smf.ols("y ~ x + C(g)", data=df).fit()
# The coefficient table; the full summary carries the wall-clock date and time.
print(ols.summary().tables[1])
print("r2:", round(ols.rsquared, 6))
counts = rng.poisson(lam=np.exp(0.1 * df["x"] / 10 + 0.5))
glm = sm.GLM(counts, sm.add_constant(df[["x"]]), family=sm.families.Poisson()).fit()
print("glm params:", glm.params.round(6).to_dict())
series = pd.Series(np.cumsum(rng.normal(size=80)), index=pd.date_range("2020-01-01", periods=80, freq="MS"))
arima = ARIMA(series, order=(1, 1, 0)).fit()
print("arima params:", arima.params.round(4).to_dict())
print("forecast:", arima.forecast(3).round(4).tolist())
