"""requests: sessions, prepared requests, auth, a transport adapter that answers
locally (no network), retries configuration, cookies, JSON and encoding detection."""

import json

import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from requests.auth import HTTPBasicAuth
from urllib3.util.retry import Retry


class LocalAdapter(BaseAdapter):
    """Answers every request itself, echoing what it was sent."""

    def send(self, request, **kwargs):
        response = requests.Response()
        response.status_code = 200 if "fail" not in request.url else 503
        body = {"method": request.method, "url": request.url, "headers": dict(sorted(request.headers.items()))}
        if request.body:
            body["body"] = request.body.decode() if isinstance(request.body, bytes) else request.body
        response._content = json.dumps(body).encode("utf-8")
        response.headers["Content-Type"] = "application/json"
        response.headers["Set-Cookie"] = "token=abc; Path=/"
        response.url = request.url
        response.request = request
        response.encoding = None
        return response

    def close(self):
        pass


s = requests.Session()
s.headers["User-Agent"] = "popular-stacks/1"
s.mount("https://api.example.test/", LocalAdapter())
s.mount("https://retry.example.test/", HTTPAdapter(max_retries=Retry(total=3, backoff_factor=0.5)))
req = requests.Request("POST", "https://api.example.test/v1/things", params={"q": "a b", "n": 2}, json={"x": [1, 2]}, auth=HTTPBasicAuth("me", "pw"))
prepared = s.prepare_request(req)
print(prepared.method, prepared.url)
print(sorted(prepared.headers.items()))
print(prepared.body)
r = s.send(prepared)
print(r.status_code, r.json()["headers"]["Authorization"], s.cookies.get("token"))
r = s.get("https://api.example.test/fail", data={"k": "v"})
print(r.status_code, r.ok, r.apparent_encoding, r.json()["body"])
try:
    r.raise_for_status()
except requests.HTTPError as exc:
    print("HTTPError:", exc)
print(s.get_adapter("https://retry.example.test/x").max_retries)
print(requests.utils.quote("a b/c"), requests.utils.parse_header_links('<https://a.test/2>; rel="next"'))
try:
    requests.get("example.test/no-scheme")
except requests.exceptions.MissingSchema as exc:
    print("MissingSchema:", exc)
print("json:", requests.models.complexjson.dumps({"ok": True}), r.headers["content-type"])
