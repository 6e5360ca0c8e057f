#!/usr/bin/env python3
"""Fails when a lower layer includes a higher one, or a library's header
leaves the files that wrap it (docs/architecture.md).

  scripts/check_layers.py [ROOT]      check the tree (default: this checkout)
  scripts/check_layers.py --self-test check that a planted violation is caught

Layers, lowest first: indexer/mail < indexer/archive < crm < web < daemon.
A layer may include its own folder and the ones below it, never above
(web/ and daemon/ may both use crm/; web/ never includes daemon/). Quoted
includes name their folder ("mail/message.h"), so the layer of every
include is known from its text.
"""
import os
import re
import sys
import tempfile

# folder -> (layer name, rank). Includes resolve by their first component.
LAYERS = {"indexer/mail": ("mail", 0), "indexer/archive": ("archive", 1), "crm": ("crm", 2),
          "web": ("web", 3), "daemon": ("daemon", 4)}
PREFIX = {"mail/": "mail", "archive/": "archive", "crm/": "crm", "web/": "web", "daemon/": "daemon"}
RANK = {name: rank for name, rank in LAYERS.values()}

# Library headers and the only files allowed to include them.
LIBRARIES = [
    (re.compile(r"^httplib\.h$"), ("web/",), "cpp-httplib stays in web/"),
    (re.compile(r"^kainjow/"), ("web/server.cc",), "mustache stays in web/server.cc"),
    (re.compile(r"^xapian"), ("indexer/archive/search_index.cc",), "Xapian stays in the index (archive/search_index.cc)"),
    (re.compile(r"^curl/"), ("daemon/imap/imap_client.cc", "daemon/smtp.cc"), "libcurl stays in the IMAP and SMTP clients"),
    (re.compile(r"^(date/|libical/)"), ("crm/calendar.cc",), "time zones and iCalendar stay in crm/calendar.cc"),
    (re.compile(r"^mimetic/"), ("indexer/mail/mime_tree.cc", "indexer/mail/codec.cc"),
     "mimetic stays in the MIME tree (mime_tree.cc, and codec.cc for its decoders)"),
    (re.compile(r"^(SQLiteCpp/|sqlite3\.h$)"), ("indexer/archive/", "crm/", "web/auth.cc"),
     "SQLite stays in the archive, crm/ and web/auth.cc (the tables they own)"),
]

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def layer_of(path):
    for folder, (name, _) in LAYERS.items():
        if path.startswith(folder + "/"):
            return name
    return None


def check(root):
    problems = []
    for folder in LAYERS:
        for dirpath, _, files in os.walk(os.path.join(root, folder)):
            for f in sorted(files):
                if not f.endswith((".cc", ".h")):
                    continue
                rel = os.path.relpath(os.path.join(dirpath, f), root)
                own = layer_of(rel)
                text = open(os.path.join(dirpath, f), encoding="utf-8", errors="replace").read()
                for kind, inc in INCLUDE.findall(text):
                    where = "%s: #include %s%s%s" % (rel, kind, inc, '"' if kind == '"' else ">")
                    if kind == '"':
                        target = next((n for p, n in PREFIX.items() if inc.startswith(p)), None)
                        if target is None:
                            problems.append(where + ": name the folder (mail/, archive/, crm/, web/, daemon/)")
                        elif RANK[target] > RANK[own] or (own == "web" and target == "daemon"):
                            problems.append(where + ": %s/ may not include %s/ (a higher layer)" % (own, target))
                        continue
                    for pattern, allowed, why in LIBRARIES:
                        if pattern.search(inc) and not any(rel == a or (a.endswith("/") and rel.startswith(a)) for a in allowed):
                            problems.append(where + ": " + why)
    return problems


def self_test():
    with tempfile.TemporaryDirectory() as root:
        def write(path, text):
            os.makedirs(os.path.dirname(os.path.join(root, path)), exist_ok=True)
            open(os.path.join(root, path), "w").write(text)
        write("indexer/mail/message.h", '#include "mail/strutil.h"\n')
        write("indexer/archive/store.cc", '#include "mail/message.h"\n#include "crm/crm.h"\n')
        write("crm/crm.cc", '#include "archive/store.h"\n#include <xapian.h>\n')
        write("web/server.cc", '#include "daemon/commands.h"\n#include <httplib.h>\n')
        write("daemon/main.cc", '#include "crm/crm.h"\n#include "commands.h"\n#include <httplib.h>\n')
        found = check(root)
        want = ["indexer/archive/store.cc: #include \"crm/crm.h\"", "crm/crm.cc: #include <xapian.h>",
                "web/server.cc: #include \"daemon/commands.h\"", "daemon/main.cc: #include \"commands.h\"",
                "daemon/main.cc: #include <httplib.h>"]
        missing = [w for w in want if not any(p.startswith(w) for p in found)]
        extra = [p for p in found if not any(p.startswith(w) for w in want)]
        if missing or extra:
            print("check_layers self-test FAILED\n  missed: %s\n  wrongly flagged: %s" % (missing, extra))
            return 1
        print("check_layers self-test: %d planted violations caught, nothing else flagged" % len(want))
        return 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    problems = check(root)
    for p in problems:
        print(p)
    if problems:
        print("%d layering problem(s): see docs/architecture.md for what each layer may include" % len(problems))
        return 1
    print("layers: mail < archive < crm < web, daemon; libraries in their wrappers: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
