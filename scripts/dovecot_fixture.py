"""A real Dovecot IMAP server on 127.0.0.1 for the demo and the end-to-end tests, with its
own config in a temporary directory (the settings from ../shared/STACK.md).

    with Dovecot({"rep1": "secret1"}) as d:
        d.deliver("rep1", raw_bytes, folder="Sent")
        d.port, d.url
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid

NOBODY = 65534


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Dovecot:
    def __init__(self, users, extra="", tls=False):
        self.users = users
        self.extra = extra  # more dovecot.conf lines (imap_capability = ..., say)
        # tls: a self-signed certificate for 127.0.0.1 (self.cert, its own CA), STARTTLS on self.url and
        # imaps on self.imaps_url.
        self.tls = tls
        self.binary = shutil.which("dovecot") or "/usr/sbin/dovecot"

    def available(self):
        return os.path.exists(self.binary)

    def __enter__(self):
        # Dovecot's auth and mail processes run as other users: every directory
        # on the way must be traversable (mkdtemp makes 0700 directories).
        self.dir = tempfile.mkdtemp(prefix="tw-dovecot-")
        os.chmod(self.dir, 0o755)
        self.port = free_port()
        self.url = "imap://127.0.0.1:%d" % self.port
        self.imaps_port = free_port() if self.tls else 0
        self.imaps_url = "imaps://127.0.0.1:%d" % self.imaps_port
        ssl = "ssl = no"
        if self.tls:
            self.cert, key = os.path.join(self.dir, "cert.pem"), os.path.join(self.dir, "key.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", self.cert,
                            "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                            "-addext", "basicConstraints=critical,CA:TRUE"], check=True, capture_output=True)
            ssl = "ssl = yes\nssl_cert = <%s\nssl_key = <%s" % (self.cert, key)
        for d in ("run", "state", "mail"):
            os.makedirs(os.path.join(self.dir, d))
        os.chmod(os.path.join(self.dir, "mail"), 0o777)
        with open(os.path.join(self.dir, "passwd"), "w") as f:
            for user, pw in self.users.items():
                f.write("%s:{PLAIN}%s\n" % (user, pw))
        os.chmod(os.path.join(self.dir, "passwd"), 0o644)
        conf = """protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 0
mail_location = maildir:{d}/mail/%u
mail_uid = {uid}
mail_gid = {uid}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
  }}
}}
service anvil {{
  chroot =
}}
service pop3-login {{
  inet_listener pop3 {{
    port = 0
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {d}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={uid} home={d}/mail/%u
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    special_use = \\Sent
  }}
  mailbox Trash {{
    special_use = \\Trash
  }}
}}
""".format(d=self.dir, port=self.port, uid=NOBODY, ssl=ssl, imaps_port=self.imaps_port) + self.extra
        self.conf = os.path.join(self.dir, "dovecot.conf")
        with open(self.conf, "w") as f:
            f.write(conf)
        for user in self.users:
            self.maildir(user, "INBOX")
        try:
            self.start()
        except RuntimeError:
            self.__exit__(None, None, None)
            raise
        return self

    def start(self):
        """Starts the server (again, after stop()) and waits until it accepts connections."""
        self.proc = subprocess.Popen([self.binary, "-F", "-c", self.conf], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.1)
        err = self.proc.stderr.read().decode() if self.proc.poll() is not None else ""
        raise RuntimeError("dovecot did not start: " + err + self.log())

    def stop(self, crash=False):
        """Stops the server. crash=True kills it and all its processes at once
        (SIGKILL): every client connection drops mid-command, as in a crash."""
        if crash and getattr(self, "proc", None) and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        if getattr(self, "proc", None) and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log(self):
        try:
            with open(os.path.join(self.dir, "dovecot.log")) as f:
                return f.read()
        except OSError:
            return ""

    def __exit__(self, *exc):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def maildir(self, user, folder):
        """The Maildir of a user's folder (Maildir++: INBOX is the root, Sent is .Sent)."""
        root = os.path.join(self.dir, "mail", user)
        path = root if folder == "INBOX" else os.path.join(root, "." + folder.replace("/", "."))
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(path, sub), exist_ok=True)
        for p in (root, path) + tuple(os.path.join(path, s) for s in ("cur", "new", "tmp")):
            os.chown(p, NOBODY, NOBODY)
        return path

    def deliver(self, user, raw, folder="INBOX", flags=None, when=None):
        """Drops a message into the folder's new/ as a mail server would, or into
        cur/ with Maildir flags (e.g. "FS" for Flagged and Seen). when (seconds)
        sets its arrival time, which Dovecot reports as INTERNALDATE. Returns its path."""
        path = self.maildir(user, folder)
        name = "%d.%s.tw" % (time.time(), uuid.uuid4().hex)
        tmp = os.path.join(path, "tmp", name)
        with open(tmp, "wb") as f:
            f.write(raw)
        os.chown(tmp, NOBODY, NOBODY)
        if when is not None:
            os.utime(tmp, (when, when))
        final = os.path.join(path, "new", name) if flags is None else os.path.join(path, "cur", name + ":2," + flags)
        os.rename(tmp, final)
        return final
