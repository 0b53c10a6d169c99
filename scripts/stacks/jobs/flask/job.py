"""Flask: an app with a blueprint, templates, JSON, error handlers, sessions; the test client."""

from flask import Blueprint, Flask, abort, jsonify, render_template, request, session

api = Blueprint("api", __name__, url_prefix="/api")
ITEMS = {1: "pen", 2: "ink"}


@api.get("/items/<int:item_id>")
def get_item(item_id: int):
    if item_id not in ITEMS:
        abort(404)
    return jsonify(id=item_id, name=ITEMS[item_id])


@api.post("/items")
def add_item():
    data = request.get_json()
    ITEMS[max(ITEMS) + 1] = data["name"]
    return jsonify(sorted(ITEMS.items())), 201


app = Flask(__name__)
app.secret_key = "not-a-secret"
app.register_blueprint(api)


@app.route("/hello/<name>")
def hello(name: str):
    session["visits"] = session.get("visits", 0) + 1
    return render_template("hello.html", name=name, items=["a", "b"])


@app.get("/visits")
def visits():
    return {"visits": session.get("visits", 0)}


@app.errorhandler(404)
def not_found(error):
    return {"error": "not found", "path": request.path}, 404


with app.test_client() as client:
    r = client.get("/hello/world")
    print(r.status_code, r.mimetype, r.get_data(as_text=True))
    client.get("/hello/again")
    print(client.get("/visits").json)
    print(client.get("/api/items/2").json)
    r = client.post("/api/items", json={"name": "paper"})
    print(r.status_code, r.json)
    r = client.get("/api/items/9")
    print(r.status_code, r.json)
print(sorted(str(rule) for rule in app.url_map.iter_rules()))
