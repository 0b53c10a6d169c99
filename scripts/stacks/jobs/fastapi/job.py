"""FastAPI: path and body parameters, pydantic models, dependencies, validation errors,
the OpenAPI schema; requests through the TestClient (httpx, no network)."""

import json

from fastapi import Depends, FastAPI, HTTPException, Query
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

app = FastAPI(title="inventory", version="1.0")


class Item(BaseModel):
    name: str = Field(min_length=1)
    price: float = Field(gt=0)
    tags: list[str] = []


DB: dict[int, Item] = {}


def pagination(limit: int = Query(10, le=100), offset: int = 0) -> dict[str, int]:
    return {"limit": limit, "offset": offset}


@app.post("/items/{item_id}", status_code=201)
def create(item_id: int, item: Item) -> Item:
    if item_id in DB:
        raise HTTPException(409, "exists")
    DB[item_id] = item
    return item


@app.get("/items")
def list_items(page: dict[str, int] = Depends(pagination)) -> dict[str, object]:  # noqa: B008
    ids = sorted(DB)[page["offset"] : page["offset"] + page["limit"]]
    return {"page": page, "items": [DB[i].model_dump() for i in ids]}


@app.get("/async/{n}")
async def double(n: int) -> dict[str, int]:
    return {"n": n * 2}


client = TestClient(app)
print(client.post("/items/1", json={"name": "pen", "price": 1.5, "tags": ["office"]}).json())
r = client.post("/items/1", json={"name": "pen", "price": 1.5})
print(r.status_code, r.json())
r = client.post("/items/2", json={"name": "", "price": -1})
print(r.status_code, json.dumps(r.json(), sort_keys=True))
print(client.get("/items", params={"limit": 5}).json())
print(client.get("/items", params={"limit": 500}).status_code)
print(client.get("/async/21").json())
with open("openapi.json", "w") as fh:
    json.dump(app.openapi(), fh, indent=1, sort_keys=True)
print(sorted(app.openapi()["paths"]))
