#!/usr/bin/env python3
"""tradewind parse over every real public test message in ../shared/corpora:
one line per file, exit 0, the contract's fields, and no encoded word left
undecoded in a charset that the message itself declares correctly."""
import base64
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Checker, args, check_contract, run_parse, shared_or_skip  # noqa: E402

# A well-formed encoded word in a charset every system knows: it must never survive decoding.
KNOWN_WORD = re.compile(r"=\?(utf-8|us-ascii|iso-8859-1|iso-2022-jp|shift_jis|euc-jp|gb2312|gbk|big5)\?"
                        r"(b\?[A-Za-z0-9+/]+={0,2}|q\?[!->@-~]+)\?=", re.I)


CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
SUBJECT = re.compile(rb"^Subject:(.*(?:\r?\n[ \t].*)*)", re.I | re.M)


JIS_WORD = re.compile(rb"=\?iso-2022-jp\?b\?([A-Za-z0-9+/=]+)\?=", re.I)
JIS_ONLY = re.compile(rb"^(\s*=\?iso-2022-jp\?b\?[A-Za-z0-9+/=]+\?=)+\s*$", re.I)


def messages(root):
    out = []
    for d, _, names in os.walk(root):
        if "/expected" in d + "/":
            continue
        for n in names:
            if n.endswith((".txt", ".json", ".tsv", ".md", ".xml", ".out", ".bin")):
                continue
            out.append(os.path.join(d, n))
    return sorted(out)


def main():
    a = args()
    root = shared_or_skip(a.shared, "corpora")
    c = Checker("shared_corpora")
    files = messages(root)
    c.check(len(files) > 700, "found %d messages" % len(files))
    rc, out, err = run_parse(a.tradewind, files)
    c.check(rc == 0, "exit code %d (stderr: %s)" % (rc, err[:300]))
    c.check([o.get("file") for o in out] == files, "one line per file, in order")
    jis_files = jis_subjects = 0
    for o in out:
        check_contract(c, o)
        for s in [o["subject"]] + [x["name"] for x in o["from"] + o["to"] + o["cc"]]:
            c.check(not KNOWN_WORD.search(s), "%s: undecoded encoded word in %r" % (o["file"], s))
        # Raw ISO-2022-JP text (ESC $ B) somewhere in the file: Japanese must come out somewhere.
        raw = open(o["file"], "rb").read()
        if b"\x1b$B" in raw:
            jis_files += 1
            everything = o["subject"] + o["text"] + "".join(x["text"] + x["filename"] for x in o["attachments"])
            c.check(CJK.search(everything), "%s: ISO-2022-JP text but no Japanese in the output" % o["file"])
        # A subject made only of ISO-2022-JP B-words: Python's codec is the oracle.
        subj = SUBJECT.search(raw)
        words = JIS_WORD.findall(subj.group(1)) if subj else []
        if words and JIS_ONLY.match(subj.group(1)):
            try:
                want = b"".join(base64.b64decode(w) for w in words).decode("iso-2022-jp")
            except (ValueError, UnicodeDecodeError):
                want = None
            if want is not None:
                jis_subjects += 1
                c.check(o["subject"] == want.strip(), "%s: subject %r, want %r" % (o["file"], o["subject"], want))
    c.check(jis_files > 10, "only %d files hold raw ISO-2022-JP text" % jis_files)
    c.check(jis_subjects > 5, "only %d ISO-2022-JP subjects checked" % jis_subjects)
    print("messages: %d, raw ISO-2022-JP text: %d, ISO-2022-JP subjects: %d" % (len(out), jis_files, jis_subjects))
    c.done()


if __name__ == "__main__":
    main()
