"""scikit-learn: pipelines with pandas input, cross-validation, a forest, clustering."""

import numpy as np
import pandas as pd
from sklearn import set_config
from sklearn.cluster import KMeans
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_iris, make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import classification_report
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

set_config(transform_output="pandas")
X, y = make_classification(n_samples=300, n_features=6, n_informative=4, random_state=0)
frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(6)])
frame["colour"] = np.array(["red", "green", "blue"])[np.arange(300) % 3]
pre = ColumnTransformer(
    [("num", StandardScaler(), [f"f{i}" for i in range(6)]),
     ("cat", OneHotEncoder(sparse_output=False), ["colour"])]
)
model = make_pipeline(pre, LogisticRegression(max_iter=500))
X_train, X_test, y_train, y_test = train_test_split(frame, y, test_size=0.3, random_state=1)
model.fit(X_train, y_train)
print(classification_report(y_test, model.predict(X_test), digits=4))
print("transformed columns:", list(model[:-1].transform(X_test.head(2)).columns))
print("cv:", np.round(cross_val_score(model, frame, y, cv=5), 4))
forest = RandomForestClassifier(n_estimators=30, random_state=0, n_jobs=1).fit(X, y)
print("importances:", np.round(forest.feature_importances_, 4))
iris = load_iris(as_frame=True)
km = KMeans(n_clusters=3, n_init=10, random_state=0).fit(iris.data)
print("kmeans sizes:", np.bincount(km.labels_).tolist())
print(model)
