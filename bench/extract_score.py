"""The extraction metrics of crates/eval/src/extraction.rs, for the Python peers.

Kept apart from extract_peers.py, which imports the peers themselves, so that the test that
holds this scorer to the Rust one (crates/eval/tests/scorers.rs) runs on a bare Python.

score(cases, outputs): cases are (id, html, expected) with expected ("body", text) or
("segments", with, without); outputs the extracted texts. Returns (f1, precision, recall).
"""
import re
from collections import Counter

WORD = re.compile(r"\w+")


def shingles(text):
    tokens = WORD.findall(text or "")
    if not tokens:
        return Counter()
    n = min(4, len(tokens))
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def score(cases, outputs):
    p_sum = r_sum = 0.0
    tp = fp = fn = 0
    segments = False
    for (_, _, expected), got in zip(cases, outputs):
        if expected[0] == "body":
            want, have = shingles(expected[1]), shingles(got)
            t = sum((want & have).values())
            f_p = sum((have - want).values())
            f_n = sum((want - have).values())
            if f_p == 0 and f_n == 0:
                p, r = 1.0, 1.0
            else:
                p = t / (t + f_p) if t + f_p else 0.0
                r = t / (t + f_n) if t + f_n else 0.0
            p_sum += p
            r_sum += r
        else:
            segments = True
            norm = " ".join((got or "").split())
            for s in expected[1]:
                if " ".join(s.split()) in norm:
                    tp += 1
                else:
                    fn += 1
            for s in expected[2]:
                if " ".join(s.split()) in norm:
                    fp += 1
    if segments:
        precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    else:
        precision, recall = p_sum / len(cases), r_sum / len(cases)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f1, precision, recall
