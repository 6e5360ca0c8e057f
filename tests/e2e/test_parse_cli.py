#!/usr/bin/env python3
"""tradewind parse, as other tools use it: one JSON line per file, in order,
exit 0 for malformed mail, exit 2 for unreadable files and bad arguments."""
import glob
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Checker, args, check_contract, run_parse  # noqa: E402


def main():
    a = args()
    c = Checker("parse_cli")
    edge = os.path.join(a.corpora, "edge")
    files = sorted(glob.glob(os.path.join(edge, "*.eml")))
    expected = json.load(open(os.path.join(edge, "expected.json"), encoding="utf-8"))
    c.check(len(files) >= 20, "edge corpus has %d files" % len(files))

    rc, out, err = run_parse(a.tradewind, files)
    c.check(rc == 0, "exit code %d for the edge corpus (stderr: %s)" % (rc, err[:300]))
    c.check([o["file"] for o in out] == files, "one line per file, in input order")
    for o in out:
        check_contract(c, o)
        e = expected[os.path.basename(o["file"])]
        for key in ("subject", "message_id", "date", "date_source", "synthetic_id", "in_reply_to", "references"):
            if key in e:
                c.check(o[key] == e[key], "%s: %s is %r, want %r" % (o["file"], key, o[key], e[key]))
        for key in ("from", "to", "cc"):
            if key in e:
                got = [[x["name"], x["address"]] for x in o[key]]
                c.check(got == e[key], "%s: %s is %r, want %r" % (o["file"], key, got, e[key]))
        for i, w in enumerate(e.get("attachments", [])):
            if i < len(o["attachments"]) and "filename" in w:
                c.check(o["attachments"][i]["filename"] == w["filename"],
                        "%s: attachment %d name %r" % (o["file"], i, o["attachments"][i]["filename"]))

    # An unreadable file in the middle: its own error line, the others still parsed, exit 2.
    missing = os.path.join(edge, "no-such-file.eml")
    rc, out, err = run_parse(a.tradewind, [files[0], missing, edge, files[1]])
    c.check(rc == 2, "exit code %d with an unreadable file, want 2" % rc)
    c.check([o["file"] for o in out] == [files[0], missing, edge, files[1]], "lines for every argument, in order")
    c.check("error" in out[1] and "error" in out[2], "error lines for the missing file and the directory")
    c.check("message_id" in out[0] and "message_id" in out[3], "readable files still parsed")
    c.check("no-such-file.eml" in err, "stderr names the unreadable file")

    # Standard input.
    raw = open(files[0], "rb").read()
    rc, out, _ = run_parse(a.tradewind, ["-"], stdin=raw)
    c.check(rc == 0 and len(out) == 1 and out[0]["file"] == "-", "parse - reads standard input")

    # Bad arguments.
    for argv in (["parse"], ["parse", "--bogus", files[0]], ["no-such-command"], []):
        p = subprocess.run([a.tradewind, *argv], capture_output=True)
        c.check(p.returncode == 2, "%r exits %d, want 2" % (argv, p.returncode))
        c.check(b"usage" in p.stderr, "%r prints usage on stderr" % argv)
    p = subprocess.run([a.tradewind, "parse", "--help"], capture_output=True)
    c.check(p.returncode == 0 and b"Exit status" in p.stdout, "parse --help")

    # --no-attachment-text skips extraction but keeps names, sizes and hashes.
    att = os.path.join(edge, "attachment-filenames.eml")
    _, full, _ = run_parse(a.tradewind, [att])
    _, bare, _ = run_parse(a.tradewind, [att], extra=["--no-attachment-text"])
    c.check(all(x["text"] == "" for x in bare[0]["attachments"]), "--no-attachment-text leaves text empty")
    c.check([x["sha256"] for x in bare[0]["attachments"]] == [x["sha256"] for x in full[0]["attachments"]],
            "--no-attachment-text keeps the hashes")
    c.done()


if __name__ == "__main__":
    main()
