"""Holds what `xinwen feed parse --json` read to feedparser's own expectations.

Each file of feedparser's test suite says in an `Expect:` line, as a Python expression over
feedparser's result, what a feed reader must read from it. This evaluates that expression
over a feedparser-shaped view of what xinwen read. Keys xinwen has no counterpart for (the
encoding feedparser chose, xml:lang, enclosures...) raise NotRead: the expectation is about
something xinwen does not read, and is counted apart. HTML values compare as HTML: the same
tags, attributes and text, however escaped or spelled (`<br/>` and `<br />` are one thing).

Reads JSON lines on stdin, {"file", "expect", "exit", "ours"}; writes one JSON line per file,
{"file", "verdict": "agree" | "disagree" | "not-read" | "refused", "detail"}. Run by
crates/cli/tests/feed_cli.rs.
"""

import datetime
import html.parser
import json
import sys


class NotRead(Exception):
    pass


class View(dict):
    """A feedparser dict holding only what xinwen reads; any other key is NotRead."""

    def __getitem__(self, key):
        if key not in self:
            raise NotRead(key)
        return dict.__getitem__(self, key)

    def get(self, key, default=None):
        raise NotRead(key)

    def __getattr__(self, key):
        return self[key]


class Unread:
    """A name the expectations use that xinwen has no counterpart for."""

    def __init__(self, name):
        self.name = name

    def __getattr__(self, key):
        raise NotRead(self.name)

    def __bool__(self):
        raise NotRead(self.name)

    def __eq__(self, other):
        raise NotRead(self.name)

    __hash__ = None


class Tokens(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tokens = []

    def handle_starttag(self, tag, attrs):
        self.tokens.append(("start", tag, tuple(sorted((k, (v or "").strip()) for k, v in attrs))))

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        self.tokens.append(("end", tag))

    def handle_data(self, data):
        if self.tokens and self.tokens[-1][0] == "text":
            self.tokens[-1] = ("text", self.tokens[-1][1] + data)
        else:
            self.tokens.append(("text", data))


def tokens(value):
    parser = Tokens()
    parser.feed(value.strip())
    parser.close()
    return parser.tokens


class Html(str):
    """An HTML value: equal to another string when both read as the same HTML."""

    def __eq__(self, other):
        if not isinstance(other, str):
            return False
        return tokens(str(self)) == tokens(other)

    def __ne__(self, other):
        return not self == other

    __hash__ = str.__hash__


def time_tuple(stamp):
    moment = datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return tuple(moment.astimezone(datetime.timezone.utc).timetuple()[:8]) + (0,)


def view(ours):
    feed = View()
    if ours.get("title") is not None:
        feed["title"] = Html(ours["title"])
    if ours.get("site_url") is not None:
        feed["link"] = ours["site_url"]
    if ours.get("description") is not None:
        for key in ("subtitle", "description", "tagline"):
            feed[key] = Html(ours["description"])
    entries = []
    for e in ours.get("entries", []):
        entry = View()
        if e.get("title") is not None:
            entry["title"] = Html(e["title"])
        if e.get("url") is not None:
            entry["link"] = e["url"]
        # An id of xinwen's own making (the entry's text) is no id feedparser would have read.
        if e.get("guid") and not e["guid"].startswith("text:"):
            entry["id"] = e["guid"]
        if e.get("summary") is not None:
            entry["summary"] = entry["description"] = Html(e["summary"])
        if e.get("content") is not None:
            entry["content"] = [View(value=Html(e["content"]))]
        for ours_key, key in [("published", "published_parsed"), ("updated", "updated_parsed")]:
            if e.get(ours_key):
                entry[key] = time_tuple(e[ours_key])
        if e.get("authors"):
            entry["author_detail"] = View(name=e["authors"][0])
        if e.get("categories"):
            entry["tags"] = [View(term=c) for c in e["categories"]]
        entries.append(entry)
    return feed, entries


UNREAD_NAMES = ("bozo", "bozo_exception", "encoding", "version", "headers", "feedparser",
                "namespaces", "status", "href")


def verdict(case):
    expect = case["expect"].strip()
    if case["exit"] != 0:
        # feedparser calls the document broken and asks nothing more: so does xinwen.
        if expect == "bozo":
            return "agree", "both refuse it"
        # Asked only what encoding or version feedparser saw: nothing xinwen would have read.
        if "feed" not in expect and "entries" not in expect:
            return "not-read", "about the document, not what was read"
        return "refused", ""
    # Whether feedparser calls the XML broken is its own verdict; what it read is what counts.
    if expect.startswith("not bozo and "):
        expect = expect[len("not bozo and "):]
    feed, entries = view(case["ours"])
    names = {name: Unread(name) for name in UNREAD_NAMES}
    names.update(feed=feed, entries=entries, u=str, ord=ord, len=len)
    try:
        return ("agree" if eval(expect, {"__builtins__": {}}, names) else "disagree"), ""
    except NotRead as e:
        return "not-read", str(e)
    except (IndexError, KeyError, TypeError) as e:
        return "disagree", f"{type(e).__name__}: {e}"
    except Exception as e:  # an expression this view cannot run (a name it does not offer)
        return "not-read", f"{type(e).__name__}: {e}"


for line in sys.stdin:
    case = json.loads(line)
    said, detail = verdict(case)
    print(json.dumps({"file": case["file"], "verdict": said, "detail": detail}, ensure_ascii=False))
