"""Checks a running xinwen's API against its own OpenAPI document.

Usage: openapi_check.py BASE_URL TOKEN

TOKEN is an editor's API token, for the routes the document says need one. Writing routes
are called only in ways that must change nothing: without a token, for ids that do not
exist, with bodies that are not JSON; each answer must still be one the document lists.

1. The document validates as OpenAPI (openapi-spec-validator).
2. Every documented GET operation is called: once with good values (ids taken from the
   site's own lists), and, for each parameter, with values it must refuse (a number out of
   range or not a number, an unknown id). Each answer's status must be one the document
   lists for that operation, its content type the one documented for that status, and its
   body must validate against the documented schema (JSON Schema 2020-12, as OpenAPI 3.1 uses).

Prints one JSON line: {"calls": N, "failures": [...]}; exits 1 when anything failed.
"""

import json
import sys
import urllib.error
import urllib.parse
import urllib.request

import jsonschema
import referencing
from openapi_spec_validator import validate

BASE = sys.argv[1].rstrip("/")
TOKEN = sys.argv[2]
DOC_URI = "urn:xinwen:openapi"


def fetch(path, token=None, method="GET", body=None):
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    if body is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(
        BASE + path, headers=headers, method=method, data=None if body is None else body.encode()
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


status, _, raw = fetch("/api/v1/openapi.json")
assert status == 200, status
doc = json.loads(raw)
failures = []
try:
    validate(doc)
except Exception as error:  # the validator's own message says what is wrong
    failures.append(f"the document is not valid OpenAPI: {error}")

registry = referencing.Registry().with_resource(
    DOC_URI, referencing.Resource.from_contents(doc, default_specification=referencing.jsonschema.DRAFT202012)
)


def schema_validator(schema):
    # Refs in the document are local (#/components/...): resolve them against the document.
    text = json.dumps(schema).replace('"#/components/', f'"{DOC_URI}#/components/')
    return jsonschema.Draft202012Validator(json.loads(text), registry=registry)


# Good values for path parameters, from the site's own lists.
_, _, listed = fetch("/api/v1/articles?limit=100")
items = json.loads(listed)["items"]
good_ids = {
    "/api/v1/articles/{id}": str(items[0]["id"]),
    "/api/v1/stories/{id}": str(next(i["story_id"] for i in items if i["story_id"] is not None)),
}
good_query = {"q": "台风"}

calls = 0


def check(path_template, operation, url, token=None, method="GET", send=None):
    global calls
    calls += 1
    status, content_type, body = fetch(url, token, method, send)
    documented = operation["responses"]
    entry = documented.get(str(status))
    if entry is None:
        failures.append(f"{url}: {status} is not a documented answer ({sorted(documented)})")
        return status
    media = entry.get("content", {})
    kind = content_type.split(";")[0].strip()
    if kind not in media:
        failures.append(f"{url}: {status} came as {kind!r}, documented as {sorted(media)}")
        return status
    schema = media[kind].get("schema")
    if schema is not None:
        errors = sorted(schema_validator(schema).iter_errors(json.loads(body)), key=str)
        for error in errors[:3]:
            failures.append(f"{url}: {status} body does not match its schema: {error.message} at {list(error.absolute_path)}")
    return status


for path, item in doc["paths"].items():
    operation = item.get("get")
    if operation is None:
        continue
    params = operation.get("parameters", [])
    good = {}
    for p in params:
        if p["in"] == "query" and p.get("required"):
            good[p["name"]] = good_query.get(p["name"], "1")
    concrete = path.replace("{id}", good_ids.get(path, "1"))
    query = ("?" + urllib.parse.urlencode(good)) if good else ""
    token = None
    if operation.get("security"):
        # Without the token: refused, as documented.
        status = check(path, operation, concrete + query)
        if status != 401:
            failures.append(f"{concrete + query}: without a token got {status}, not 401")
        token = TOKEN
    status = check(path, operation, concrete + query, token)
    if status != 200:
        failures.append(f"{concrete + query}: good values got {status}")
    # Values each parameter must refuse, with a documented answer.
    for p in params:
        kind = p.get("schema", {}).get("type")
        kinds = kind if isinstance(kind, list) else [kind]
        if p["in"] == "path":
            check(path, operation, path.replace("{" + p["name"] + "}", "999999999") + query, token)
            continue
        if "integer" in kinds or "boolean" in kinds:
            for bad in ["not-a-number", "-1", "0", "100000"]:
                trial = dict(good, **{p["name"]: bad})
                check(path, operation, concrete + "?" + urllib.parse.urlencode(trial), token)
        elif p["name"] in ("cursor", "since", "until", "status"):
            trial = dict(good, **{p["name"]: "yesterday"})
            status = check(path, operation, concrete + "?" + urllib.parse.urlencode(trial), token)
            if status != 400:
                failures.append(f"{path}: {p['name']}=yesterday got {status}, not 400")

# Writing routes, in ways that change nothing.
for path, item in doc["paths"].items():
    for method in ("post", "put"):
        operation = item.get(method)
        if operation is None:
            continue
        nowhere = path.replace("{id}", "999999999").replace("{slug}", "no-such-source")
        verb = method.upper()
        status = check(path, operation, nowhere, None, verb, "{}")
        if status != 401:
            failures.append(f"{verb} {nowhere} without a token got {status}, not 401")
        for body in ["{}", "{"]:
            target = nowhere if "{" in path else path
            status = check(path, operation, target, TOKEN, verb, body)
            if 200 <= status < 300:
                failures.append(f"{verb} {target} with {body!r} changed something ({status})")

print(json.dumps({"calls": calls, "failures": failures}, ensure_ascii=False))
sys.exit(1 if failures else 0)
