"""End to end: the web's route table against the real tradewind serve over an
imported archive. A table of {method, path, who, form, status, says}: typed
parameters (a non-number id is a 400 that says why, never a 500), unknown
ids are 404s, managers' routes are 403 for reps, forms from another site (or
that say nowhere), without the session's token, or a login form not from our
login page are 403, a foreign Host is 421; and a GET changes nothing (the public pool shows idle customers as
released without releasing them; a claim does)."""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from common import pool_on_since_always, start_serve, Checker, NoRedirect, args, login, login_from, request, terminate, write_file  # noqa: E402
from dovecot_fixture import free_port  # noqa: E402

A = args()
TW = A.tradewind
c = Checker("e2e.web_routes")

MAIL = ("From: Anna Schmidt <anna@nord.example>\r\nTo: rep1@acme-trading.example\r\nSubject: Inquiry PI-2025-0034\r\n"
        "Message-ID: <r1@nord.example>\r\nDate: Sat, 11 Jan 2025 10:00:00 +0000\r\n\r\nPlease quote.\r\n")


OP = urllib.request.build_opener(NoRedirect)


def call(auth, url, data=None, headers=None):
    st, _, body = request(OP, url, data, dict(auth, **(headers or {})))
    return st, body


with tempfile.TemporaryDirectory() as tmp:
    data = os.path.join(tmp, "data")
    eml = write_file(tmp, "m.eml", MAIL)
    subprocess.run([TW, "import", "--data", data, "--account", "rep1@acme-trading.example", eml], check=True, capture_output=True)
    pw = write_file(tmp, "pw", "correct horse battery\n")
    for argv in (["user", "add", "--name", "mona", "--role", "manager"], ["team", "add", "east", "--manager", "mona"],
                 ["user", "add", "--name", "rita", "--role", "rep", "--team", "east", "--mailbox", "rep1@acme-trading.example"],
                 ["user", "add", "--name", "lily", "--role", "rep", "--mailbox", "rep2@acme-trading.example"]):
        subprocess.run([TW, *argv, "--data", data] + (["--password-file", pw] if argv[0] == "user" else []), check=True,
                       capture_output=True)
    cust = json.loads(subprocess.run([TW, "customers", "--data", data, "--json"], check=True, capture_output=True,
                                     text=True).stdout.splitlines()[0])
    cid = cust["id"]
    serve, base = start_serve(TW, data)
    port = int(base.rsplit(":", 1)[1])
    try:
        # rep: rita, the owner of the customer (rep1's mail); other: lily, a rep of no team; manager: mona, rita's.
        users = {"anon": {}}
        for who, name in (("rep", "rita"), ("other", "lily"), ("manager", "mona")):
            st, _, _, users[who] = login(base, name, "correct horse battery")
            c.check(st == 303 and users[who], "%s logs in: %s" % (name, st))
        J = {"Accept": "application/json"}
        foreign = {"Accept": "application/json", "Origin": "http://evil.example"}
        # method, path, who, form (None: GET), headers, status, a phrase the answer holds
        table = [
            ("GET", "/api/v1/customers/abc", "rep", None, J, 400, "wants a whole number"),
            ("GET", "/api/v1/customers/0", "rep", None, J, 400, "from 1"),
            ("GET", "/api/v1/customers/999999", "rep", None, J, 404, "no customer 999999"),
            ("GET", "/customers/abc", "rep", None, {}, 400, "wants a whole number"),
            ("GET", "/api/v1/conversation/xyz", "rep", None, J, 400, "thread"),
            ("GET", "/api/v1/conversation/999999", "rep", None, J, 404, "No such conversation"),
            ("GET", "/message/abc/html", "rep", None, {}, 400, "row"),
            ("GET", "/message/1/attachment/99", "rep", None, J, 404, "no such attachment"),
            ("GET", "/api/v1/search?q=quote&limit=abc", "rep", None, J, 400, "limit"),
            ("GET", "/api/v1/search?q=quote&limit=100000", "rep", None, J, 200, "hits"),
            ("GET", "/api/v1/document", "rep", None, J, 400, "missing parameter number"),
            ("GET", "/api/v1/document?number=PI-2025-9999", "rep", None, J, 404, "no document"),
            ("GET", "/api/v1/conflicts", "rep", None, J, 403, "for managers"),
            ("GET", "/api/v1/conflicts", "manager", None, J, 200, "conflicts"),
            ("GET", "/api/v1/customers", "anon", None, J, 401, "not logged in"),
            ("POST", "/api/v1/customers/%s/rename" % cid, "other", {"name": "X"}, J, 403, "only its owner"),
            ("POST", "/api/v1/customers/%s/assign" % cid, "rep", {"rep": "rep2@acme-trading.example"}, J, 403, "for managers"),
            ("GET", "/api/v1/conversation/1", "other", None, J, 404, "No such conversation"),
            ("GET", "/message/1/html", "other", None, {}, 404, "no message 1"),
            ("GET", "/message/1/attachment/0", "other", None, {}, 404, "no message 1"),
            ("GET", "/api/v1/document?number=PI-2025-0034", "other", None, J, 404, "no document"),
            ("GET", "/api/v1/document?number=PI-2025-0034", "rep", None, J, 200, "PI-2025-0034"),
            ("POST", "/api/v1/documents/edit", "other", {"number": "PI-2025-0034", "status": "paid"}, J, 404, "no document"),
            ("GET", "/api/v1/search?q=quote", "rep", None, J, 200, '"total":1'),
            ("GET", "/api/v1/search?q=quote", "other", None, J, 200, '"total":0'),
            ("POST", "/api/v1/customers/%s/rename" % cid, "manager", {"name": "X"}, {"Origin": None}, 403,
             "must say where it comes from"),
            ("POST", "/api/v1/customers/%s/rename" % cid, "manager", {"name": "X"},
             {"Origin": None, "Referer": "http://evil.example/page"}, 403, "another site"),
            ("POST", "/api/v1/customers/%s/rename" % cid, "manager", {"name": "X"}, {"X-CSRF-Token": "0" * 64}, 403, "token"),
            ("POST", "/api/v1/login", "anon", {"name": "mona", "password": "correct horse battery"}, J, 403, "expired"),
            ("POST", "/api/v1/login", "anon", {"name": "mona", "password": "correct horse battery"},
             {"Origin": "http://evil.example"}, 403, "another site"),
            ("GET", "/api/v1/customers", "rep", None, {"Host": "evil.example:%d" % port, "Accept": "application/json"}, 421,
             "does not answer to the host name"),
            ("POST", "/api/v1/customers/%s/rename" % cid, "manager", {"name": "X"}, foreign, 403, "another site"),
            ("POST", "/api/v1/customers/%s/merge" % cid, "manager", {"into": "abc"}, J, 400, "into wants a customer number"),
            ("POST", "/api/v1/customers/%s/merge" % cid, "manager", {"into": "999999"}, J, 404, "no customer 999999"),
            ("POST", "/api/v1/customers/abc/claim", "other", {"x": "1"}, J, 400, "wants a whole number"),
            ("POST", "/api/v1/customers/%s/assign" % cid, "manager", {"rep": "nobody@nowhere.example"}, J, 400,
             "not an address of the firm"),
            ("GET", "/api/v1/document?number=", "rep", None, J, 400, "missing parameter number"),
            ("GET", "/api/v1/conversation/99999999999999999999", "rep", None, J, 400, "thread"),
            ("GET", "/api/v1/customers/99999999999999999999", "rep", None, J, 400, "id"),
            ("GET", "/message/99999/html", "rep", None, {}, 404, "no message 99999"),
            ("POST", "/api/v1/conflicts/abc/close", "manager", {"x": "1"}, J, 400, "wants a whole number"),
            ("POST", "/api/v1/conflicts/999999/close", "manager", {"x": "1"}, J, 404, "no conflict"),
            ("POST", "/api/v1/documents", "rep", {"number": "PO-77801"}, J, 400, "missing parameter type"),
            ("POST", "/api/v1/documents", "rep", {"number": "PO-77801", "type": "purchase_order", "customer": "abc"}, J, 400,
             "customer"),
        ]
        for method, path, who, form, headers, status, says in table:
            h = dict(headers)
            if h.get("Origin", "") is None and "Referer" in h:
                h.pop("Origin")
            st, body = call(users[who], base + path, form if method == "POST" else None, h)
            c.check(st == status and says in body, "%s %s as %s: want %d with \"%s\", got %d %s" % (method, path, who, status, says,
                                                                                                    st, body[:160]))
            c.check(st != 500, "%s %s never a 500" % (method, path))

        # A GET changes nothing: the idle customer (mail of January 2025) shows in the pool, twice, and keeps its owner.
        pool_on_since_always(data)
        for _ in range(2):
            st, body = call(users["other"], base + "/api/v1/pool", None, J)
            pool = json.loads(body).get("pool", []) if st == 200 else []
            c.check([x["id"] for x in pool] == [cid] and pool[0]["owner"] == "" and pool[0]["in_pool"],
                    "the pool shows the idle customer as released: %s" % body[:200])
        st, body = call(users["other"], base + "/api/v1/customers/%s" % cid, None, J)
        got = json.loads(body) if st == 200 else {}
        c.check(got.get("owner") == "rep1@acme-trading.example" and not got.get("in_pool")
                and [h["reason"] for h in got.get("owner_history", [])] == ["first correspondent"],
                "viewing the pool released nothing: %s" % body[:300])
        # A claim releases (dated when it fell due) and claims, in one step.
        st, body = call(users["other"], base + "/api/v1/customers/%s/claim" % cid, {"x": "1"}, J)
        c.check(st == 200 and json.loads(body).get("owner") == "rep2@acme-trading.example", "a rep claims it: %s %s" % (st, body))
        st, body = call(users["other"], base + "/api/v1/customers/%s" % cid, None, J)
        reasons = [h["reason"] for h in json.loads(body).get("owner_history", [])] if st == 200 else []
        c.check(len(reasons) == 3 and reasons[1].startswith("released to the pool") and reasons[2] == "claimed from the pool",
                "the history shows the release and the claim: %s" % reasons)

        # A password change or disabling ends the user's sessions at once (an admin on the web).
        subprocess.run([TW, "user", "add", "--data", data, "--name", "ada", "--role", "admin", "--password-file", pw],
                       check=True, capture_output=True)
        _, _, _, admin = login(base, "ada", "correct horse battery")
        st, _ = call(users["other"], base + "/api/v1/me", None, J)
        c.check(st == 200, "lily's session works: %s" % st)
        st, body = call(admin, base + "/api/v1/admin/users/lily/set", {"field": "password", "value": "a new long one"}, J)
        c.check(st == 200, "an admin resets lily's password: %s %s" % (st, body[:200]))
        st, _ = call(users["other"], base + "/api/v1/me", None, J)
        c.check(st == 401, "her old session ended with the password change: %s" % st)
        st, _, _, users["other"] = login(base, "lily", "a new long one")
        st, body = call(admin, base + "/api/v1/admin/users/lily/set", {"field": "disabled", "value": "yes"}, J)
        st2, _ = call(users["other"], base + "/api/v1/me", None, J)
        st3, _, body3, _ = login(base, "lily", "a new long one")
        c.check(st == 200 and st2 == 401 and st3 == 401, "disabling ends her session and refuses her login: %s %s %s" % (st, st2, st3))
        st, body = call(admin, base + "/api/v1/admin/users/ada/set", {"field": "disabled", "value": "yes"}, J)
        c.check(st == 400 and "another admin" in body, "an admin cannot lock themselves out: %s %s" % (st, body[:120]))

        # Login throttling: per client address, then per account, with growing delays; other addresses get in.
        codes = [login_from(base, "127.0.0.3", "mona", "wrong password %d" % k)[0] for k in range(6)]
        c.check(codes[:5] == [401] * 5 and codes[5] == 429, "the 6th wrong password from one address waits: %s" % codes)
        st, hd, body = login_from(base, "127.0.0.3", "mona", "correct horse battery")
        c.check(st == 429 and "try again in" in body and int(hd.get("Retry-After", "0")) >= 1,
                "even the right one waits, and is told for how long: %s %s" % (st, hd.get("Retry-After")))
        st, _, _ = login_from(base, "127.0.0.2", "mona", "correct horse battery")
        c.check(st == 303, "the right password from another address gets in: %s" % st)
        # (that success cleared the account's count: ten more failures, each from an address of its own)
        codes = [login_from(base, "127.0.0.%d" % (10 + k), "mona", "wrong %d" % k)[0] for k in range(10)]
        st, _, _ = login_from(base, "127.0.0.40", "mona", "wrong again")
        st2, _, _ = login_from(base, "127.0.0.41", "mona", "correct horse battery")
        st3, _, _ = login_from(base, "127.0.0.2", "mona", "correct horse battery")
        c.check(st == 429 and st2 == 429, "after 10 failures on the account, new addresses wait: %s %s (%s)" % (st, st2, codes))
        c.check(st3 == 303, "but an address that logged in before still gets in: %s" % st3)
        # The delay grows: after its wait (1 s), one more failure from the first address means 2 s, whatever the name.
        time.sleep(1.1)
        st, _, _ = login_from(base, "127.0.0.3", "nobody-at-all", "wrong password")
        st2, hd, _ = login_from(base, "127.0.0.3", "someone-else", "wrong password")
        c.check(st == 401 and st2 == 429 and hd.get("Retry-After") == "2", "the delay doubles: %s %s %s"
                % (st, st2, hd.get("Retry-After")))
        # --public-host: the names a proxy or the browser uses are served, any other Host is refused.
        port2 = free_port()
        named, b2 = start_serve(TW, data, "--public-host", "crm.acme-trading.example,127.0.0.1:%d" % port2, port=port2,
                                stderr=subprocess.DEVNULL)
        try:
            st1, _ = call({}, b2 + "/api/v1/login", None, {"Host": "crm.acme-trading.example", "Accept": "application/json"})
            st2, _ = call({}, b2 + "/api/v1/login", None, {"Accept": "application/json"})
            st3, body3 = call({}, b2 + "/api/v1/login", None, {"Host": "localhost:%d" % port2, "Accept": "application/json"})
            c.check(st1 == 401 and st2 == 401 and st3 == 421 and "crm.acme-trading.example" in body3,  # 401: log in first
                    "--public-host names are served, others refused with the name to use: %s %s %s %s" % (st1, st2, st3, body3[:120]))
        finally:
            terminate(named)
    finally:
        code = terminate(serve)
        err = serve.stderr.read().decode("utf-8", "replace")
        c.check(code == 0, "serve stops cleanly on SIGTERM (%d): %s" % (code, err[-300:]))
c.done()
