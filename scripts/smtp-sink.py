#!/usr/bin/env python3
"""A small SMTP server for tests: accepts every message and writes it to a folder.

Listens on 127.0.0.1. Prints the port it listens on as the first line on stdout (useful with
--port 0, which picks a free port), then serves until killed (or, with --exit-on-eof, until its
standard input closes, so it cannot outlive a test that died).

Each accepted message becomes two files in OUTDIR, written atomically (temp file, then rename):
  NNNNNN.eml   the message exactly as received (DATA content)
  NNNNNN.json  the envelope: {"mail_from", "rcpt_tos", "auth_login", "tls"}

Options:
  --auth USER:PASSWORD   require AUTH (PLAIN or LOGIN) with these credentials before MAIL
  --starttls CERT KEY    offer STARTTLS with this PEM certificate and key, and require it
  --implicit-tls CERT KEY
                         TLS from the first byte (smtps), with this certificate and key

Needs aiosmtpd (scripts/install-smtp-sink.sh installs it into .venv-test).
"""

import argparse
import asyncio
import json
import logging
import os
import ssl
import sys
import threading
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class FolderHandler:
    """Writes each message (and its envelope) into a folder."""

    def __init__(self, outdir):
        self.outdir = outdir
        # Numbering goes on after the messages already there (a sink restarted on one folder).
        self.count = len([n for n in os.listdir(outdir) if n.endswith(".eml")])

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        stem = os.path.join(self.outdir, "%06d" % self.count)
        login = None
        if session.auth_data is not None and isinstance(session.auth_data, LoginPassword):
            login = session.auth_data.login.decode("utf-8", "replace")
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "auth_login": login,
            "tls": session.ssl is not None,
        }
        write_atomically(stem + ".json", json.dumps(meta, indent=1).encode("utf-8"))
        write_atomically(stem + ".eml", envelope.original_content)
        return "250 Message accepted for delivery"


def write_atomically(path, data):
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def make_authenticator(user, password):
    expected = (user.encode("utf-8"), password.encode("utf-8"))

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and (auth_data.login, auth_data.password) == expected
        )
        # aiosmtpd keeps auth_data in the session only when the authenticator hands it back,
        # and answers a failure (535) only when told that it was not handled here.
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    return authenticator


def server_context(cert, key):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: pick a free one)")
    p.add_argument("--outdir", required=True, help="folder for the received messages")
    p.add_argument("--auth", metavar="USER:PASSWORD", help="require AUTH with these credentials")
    p.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"), help="offer and require STARTTLS")
    p.add_argument("--implicit-tls", nargs=2, metavar=("CERT", "KEY"), help="TLS from the start")
    p.add_argument("--exit-on-eof", action="store_true", help="stop when stdin closes")
    return p.parse_args()


async def main():
    args = parse_args()
    # aiosmtpd warns about its own deprecations and about AUTH without TLS (which a plain test
    # asks for): not worth a line on every connection.
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    os.makedirs(args.outdir, exist_ok=True)
    handler = FolderHandler(args.outdir)

    smtp_kwargs = {"hostname": "smtp-sink.test", "ident": "smtp-sink"}
    if args.auth is not None:
        user, sep, password = args.auth.partition(":")
        if not sep:
            sys.exit("smtp-sink: --auth wants USER:PASSWORD")
        smtp_kwargs["authenticator"] = make_authenticator(user, password)
        smtp_kwargs["auth_required"] = True
        # AUTH is refused before TLS only when the test asked for TLS; without TLS, aiosmtpd
        # warns about that on every connection, which a test sink does not need to hear.
        smtp_kwargs["auth_require_tls"] = args.starttls is not None
        warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
    if args.starttls is not None:
        smtp_kwargs["tls_context"] = server_context(*args.starttls)
        smtp_kwargs["require_starttls"] = True

    listen_ssl = server_context(*args.implicit_tls) if args.implicit_tls is not None else None

    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, **smtp_kwargs), host="127.0.0.1", port=args.port, ssl=listen_ssl
    )
    port = server.sockets[0].getsockname()[1]
    print(port, flush=True)

    stop = asyncio.Event()
    if args.exit_on_eof:

        def watch_stdin():
            sys.stdin.buffer.read()
            loop.call_soon_threadsafe(stop.set)

        threading.Thread(target=watch_stdin, daemon=True).start()

    async with server:
        await stop.wait()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
