#!/usr/bin/env python3
"""The words the pages show, for the message catalogues (templates/i18n/*.json).

Collects every {{#t}}...{{/t}} of the templates, every tr("...") and page title
of web/*.cc and the audit actions' labels, and checks that each catalogue has
them all, that no catalogue has a key nobody uses (enum:VALUE keys aside: they
are looked up by value), and that the templates show no words outside {{#t}}.

  scripts/i18n_keys.py            check (exit 1 with what is missing)
  scripts/i18n_keys.py --missing  print the missing keys as JSON
"""
import html.parser
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
T = re.compile(r"\{\{#t\}\}(.*?)\{\{/t\}\}", re.S)


def template_keys():
    keys = {}
    for p in sorted((ROOT / "templates").rglob("*.mustache")):
        for k in T.findall(p.read_text()):
            keys.setdefault(k, p.name)
    return keys


def code_keys():
    keys = {}
    for p in sorted((ROOT / "web").glob("*.cc")):
        text = p.read_text()
        for k in re.findall(r'\btr\("((?:[^"\\]|\\.)*)"', text):
            keys.setdefault(k.encode().decode("unicode_escape").encode("latin-1").decode("utf-8"), p.name)
        for k in re.findall(r'\bpage\("([^"]+)"', text):
            keys.setdefault(k, p.name)
        for k in re.findall(r'send_html\(res, r, status == 403 \? "([^"]+)" : status == 404 \? "([^"]+)" : status == 429 \? "([^"]+)" : "([^"]+)"', text):
            for x in k:
                keys.setdefault(x, p.name)
    audit = (ROOT / "crm" / "audit.h").read_text()
    block = audit[audit.index("kAuditActions[]"):]
    block = block[:block.index("};")]
    for k in re.findall(r'\{"[a-z_]+", "([^"]+)"\}', block):
        keys.setdefault(k, "crm/audit.h")
    return keys


class Words(html.parser.HTMLParser):
    """Text and shown attributes outside {{#t}}, with mustache tags taken out."""

    def __init__(self):
        super().__init__()
        self.found, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self.skip += 1
        for name, value in attrs:
            if name in ("placeholder", "title", "aria-label", "alt") and value and re.search(r"[A-Za-z]{2}", value):
                self.found.append((f"{tag}[{name}]: ", value))

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip and re.search(r"[A-Za-z]{2}", data):
            self.found.append(("", data.strip(" \n·")))


# Words that are names, not language: the product, the other language's own name, query examples.
ALLOWED = {"Tradewind", "English", "简体中文"}
EXAMPLE = re.compile(r"^[^ ]*@[^ ]*(\.example)?(, [^ ]*@[^ ]*)*$|from:|date:")


def untranslated():
    out = []
    for p in sorted((ROOT / "templates").rglob("*.mustache")):
        text = T.sub("", p.read_text())
        text = re.sub(r"\{\{[^}]*\}\}\}?", "", text)
        w = Words()
        w.feed(text)
        out += [f"{p.name}: {where}{x}" for where, x in w.found if x not in ALLOWED and not EXAMPLE.search(x)]
    return out


def main():
    want = {**code_keys(), **template_keys()}
    problems = []
    cats = {}
    for lang in ("en", "zh"):
        path = ROOT / "templates" / "i18n" / f"{lang}.json"
        cats[lang] = json.loads(path.read_text())
        for k, where in sorted(want.items()):
            if k not in cats[lang]:
                problems.append(f"{lang}.json lacks {json.dumps(k, ensure_ascii=False)} (from {where})")
        for k in cats[lang]:
            if not k.startswith("enum:") and k not in want:
                problems.append(f"{lang}.json has {json.dumps(k, ensure_ascii=False)}, which no page uses")
    for k in cats["en"]:
        if k.startswith("enum:") and k not in cats["zh"]:
            problems.append(f"zh.json lacks {k}")
    for k in cats["zh"]:
        if k.startswith("enum:") and k not in cats["en"]:
            problems.append(f"en.json lacks {k}")
    for lang in ("en", "zh"):  # a translation keeps the placeholders it is given
        for k, v in cats[lang].items():
            if sorted(re.findall(r"\{\{[^}]+\}\}|\{[a-z]+\}", k)) != sorted(re.findall(r"\{\{[^}]+\}\}|\{[a-z]+\}", v)) and not k.startswith("enum:"):
                problems.append(f"{lang}.json: {json.dumps(k, ensure_ascii=False)} and its text name different values")
    problems += [f"not in the catalogue: {x}" for x in untranslated()]
    if "--missing" in sys.argv:
        print(json.dumps({k: k for k in want if k not in cats["zh"]}, ensure_ascii=False, indent=1))
        return 0
    for p in problems:
        print(p)
    print(f"{len(want)} strings, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
