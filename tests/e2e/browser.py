"""Headless Chromium for the end-to-end tests, driven over the DevTools protocol (python3-websocket)."""
import base64
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request


class Browser:
    """with Browser() as b: b.load(url); b.evaluate(js); b.screenshot(path, width). None-like when Chromium is absent
    (check b.ok)."""

    def __init__(self):
        self.ok, self.p, self.ws, self.seq = False, None, None, 0

    def __enter__(self):
        chrome = shutil.which("chromium") or shutil.which("chromium-browser")
        try:
            import websocket  # noqa: F401
        except ImportError:
            sys.path.append("/usr/lib/python3/dist-packages")  # Debian's, also when another python3 runs the test
        try:
            import websocket
        except ImportError:
            return self
        if not chrome:
            return self
        sys.path.insert(0, __import__("os").path.join(__import__("os").path.dirname(__file__), "..", "..", "scripts"))
        from dovecot_fixture import free_port
        port = free_port()
        self.prof = tempfile.mkdtemp()
        self.p = subprocess.Popen([chrome, "--headless=new", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + self.prof,
                                   "--hide-scrollbars", "--remote-debugging-port=%d" % port, "about:blank"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                tabs = json.load(urllib.request.urlopen("http://127.0.0.1:%d/json" % port, timeout=2))
                url = next(t["webSocketDebuggerUrl"] for t in tabs if t.get("type") == "page")
                self.ws = websocket.create_connection(url, timeout=30)
                break
            except Exception:
                time.sleep(0.2)
        if self.ws:
            self.ok = True
            self.call("Page.enable")
            self.call("Network.enable")
        return self

    def __exit__(self, *exc):
        if self.ws:
            self.ws.close()
        if self.p:
            self.p.kill()
            self.p.wait()
            shutil.rmtree(self.prof, ignore_errors=True)

    def call(self, method, **params):
        self.seq += 1
        self.ws.send(json.dumps({"id": self.seq, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.seq:
                return msg.get("result", {})

    def evaluate(self, expr):
        return self.call("Runtime.evaluate", expression=expr, returnByValue=True).get("result", {}).get("value")

    def wait_loaded(self, away_from=None):
        time.sleep(0.2)
        for _ in range(100):
            if self.evaluate("document.readyState") == "complete" and (
                    away_from is None or self.evaluate("location.pathname") != away_from):
                return
            time.sleep(0.1)

    def load(self, url):
        self.call("Page.navigate", url=url)
        self.wait_loaded()

    def set_cookie(self, base, name, value):
        self.call("Network.clearBrowserCookies")
        self.call("Network.setCookie", name=name, value=value, url=base + "/")

    def screenshot(self, path, width):
        """The whole page at that width (375: a phone), saved as PNG."""
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=800, deviceScaleFactor=1, mobile=width < 600)
        time.sleep(0.2)
        height = self.evaluate("Math.max(document.body.scrollHeight, 800)") or 800
        shot = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                         clip={"x": 0, "y": 0, "width": width, "height": min(int(height), 4000), "scale": 1})
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        return self.evaluate("document.documentElement.scrollWidth")  # > width: something does not fit


def check_pages(c, base, sessions, pages, shots, raw_words):
    """Each (user, path, name) of pages, opened with that user's session cookie (sessions: user -> cookie value):
    no word of raw_words on it (raw enum names), and a screenshot at 1400 and 375 px (a phone) into shots that
    fits its width. Skips with a message when Chromium is absent."""
    import os
    with Browser() as b:
        if not b.ok:
            print("SKIP (browser part): chromium or python3-websocket is not installed")
            return
        for who, path, name in pages:
            b.set_cookie(base, "tw_session", sessions[who])
            b.load(base + path)
            text = b.evaluate("document.body.innerText") or ""
            c.check(not any(w in text for w in raw_words), "%s: no raw enum names" % name)
            for width in (1400, 375):
                w = b.screenshot(os.path.join(shots, "%s-%d.png" % (name, width)), width)
                c.check(w <= width, "%s fits %d px (%s)" % (name, width, w))
    print("screenshots in", shots)
