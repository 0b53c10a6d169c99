"""``fetch HOST [PATH]``: HEAD request over HTTPS, print the status (http.client)."""

import http.client


def run(host: str, path: str) -> str:
    conn = http.client.HTTPSConnection(host, timeout=10)
    try:
        conn.request("HEAD", path)
        response = conn.getresponse()
        return f"{response.status} {response.reason}"
    finally:
        conn.close()
