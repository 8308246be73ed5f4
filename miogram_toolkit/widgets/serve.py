"""The dashboard as a web page for you alone: ``miogram dashboard``.

The page can spend the account's credits and message people in the business's name, so only
the person who started it may use it:

* **a random token** (``secrets.token_urlsafe``): the printed URL carries it, a request
  without it is sent to the login page; it reaches the server through the environment, never
  its command line (which other users of the machine can read);
* **loopback only**: the server listens on ``127.0.0.1``;
* **Host and Origin checked**: a request naming another host (a DNS-rebinding page) is refused
  with 403, and a websocket from another origin is refused.

Voila's own ``voila`` command switches ``allow_remote_access`` on (and with it the Host check
off), so the page is served by Jupyter Server with Voila loaded as its extension
(``/voila/render/…``), which keeps both checks and the token. The notebook it renders is
written here, into the user data folder (``dashboard/``, private), so the page works from an
installed package too; ``notebooks/00_dashboard.ipynb`` holds the same cell.

::

    serve_dashboard() ─► start_page(): dashboard.ipynb (0600) ─► jupyter_server + voila
          │              (JUPYTER_TOKEN, 127.0.0.1, allow_remote_access off, no terminals)
          │              waits until the port answers ─► DashboardPage(url, token, process)
          └─► one line: the URL and who may use it ─► the browser ─► Ctrl-C / SIGTERM stops it

Behind a proper login for a team (instead of this page): run the notebook in a JupyterHub, or
put the Jupyter Server behind an authenticating reverse proxy; see the README's "Security".

Example:
    $ miogram dashboard --no-browser
    The dashboard is at http://127.0.0.1:8866/voila/render/dashboard.ipynb?token=…
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from miogram_toolkit.local import InputError, data_path, open_private

__all__ = ["DASHBOARD_CODE", "PAGE_NAME", "DashboardPage", "serve_dashboard", "start_page"]

#: The notebook the page renders (also the code cell of ``notebooks/00_dashboard.ipynb``).
DASHBOARD_CODE = """import miogram_toolkit as mg

# The service named by MIOGRAM_URL (and MIOGRAM_SECRET) when it is set; otherwise a local
# simulator, so nothing real is sent.
mg.dashboard(live=True)"""

PAGE_NAME = "dashboard.ipynb"


@dataclass
class DashboardPage:
    """A running page: its address (with the token), and the server process behind it."""

    url: str
    token: str = field(repr=False)
    port: int
    process: subprocess.Popen[bytes] = field(repr=False)

    def __repr__(self) -> str:  # the token is the key to the account: never in a repr
        return f"DashboardPage(port={self.port}, running={self.process.poll() is None})"

    def stop(self) -> None:
        """Stop the server (and the kernels it started)."""
        if self.process.poll() is None:
            # SIGTERM: Jupyter Server shuts its kernels down and exits, without asking.
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _write_notebook(folder: Path) -> Path:
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(DASHBOARD_CODE)]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    path = folder / PAGE_NAME
    with open_private(path, "w", encoding="utf-8") as handle:
        nbformat.write(notebook, handle)
    return path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _port_taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def _answers(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
        return True
    return False


def start_page(port: int = 8866, *, startup_s: float = 60.0,
               output: Any = None) -> DashboardPage:
    """Start the page's server on ``127.0.0.1:port`` (0: a free port) and wait until it answers.

    Args:
        port: the port to listen on; 0 picks a free one.
        startup_s: how long to wait for the server to answer before giving up.
        output: where the server's own log goes (an open file); None: ``server.log`` in the
            private ``dashboard/`` folder (it names the token, like the page's address).

    Raises:
        InputError: Voila is not installed, the port is taken, or the server did not start
            (one sentence saying what to do).
    """
    if importlib.util.find_spec("voila") is None:
        raise InputError("The dashboard page needs Voila, which is not installed: "
                         "pip install 'miogram-toolkit[page]' (or pip install voila); in a "
                         "notebook, mg.dashboard() needs only the toolkit")
    if port == 0:
        port = _free_port()
    elif _port_taken(port):
        raise InputError(f"Port {port} on 127.0.0.1 is in use: give another with --port")
    folder = data_path("dashboard")
    notebook = _write_notebook(folder)
    token = secrets.token_urlsafe(32)
    env = dict(os.environ, JUPYTER_TOKEN=token,
               JUPYTER_RUNTIME_DIR=str(data_path("dashboard", "runtime")))
    argv = [sys.executable, "-m", "jupyter_server",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
            "--ServerApp.allow_remote_access=False", "--ServerApp.open_browser=False",
            "--ServerApp.terminals_enabled=False", f"--ServerApp.root_dir={folder}",
            "--ServerApp.jpserver_extensions={'voila': True}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--ServerApp.allow_root=True")  # Jupyter refuses root unless told
    log_path = folder / "server.log"
    log = output if output is not None else open_private(log_path, "ab")
    try:
        process = subprocess.Popen(argv, env=env, cwd=folder, stdout=log, stderr=log,
                                   stdin=subprocess.DEVNULL)
    finally:
        if output is None:
            log.close()  # the server has its own copy of the file

    page = DashboardPage(url=f"http://127.0.0.1:{port}/voila/render/{notebook.name}"
                             f"?token={token}", token=token, port=port, process=process)
    deadline = time.monotonic() + startup_s
    while not _answers(port):
        if process.poll() is not None or time.monotonic() > deadline:
            page.stop()
            raise InputError(f"The dashboard page could not start on port {port} ({log_path} "
                             f"says why): try again, or another --port")
        time.sleep(0.2)
    return page


def serve_dashboard(port: int = 8866, *, open_browser: bool = True,
                    echo: Callable[[str], Any] = print) -> int:
    """Serve the page until Ctrl-C (or SIGTERM); ``miogram dashboard`` calls this.

    Args:
        port: the port on 127.0.0.1.
        open_browser: open the page in this machine's browser (``--no-browser``: do not).
        echo: where the one line with the address goes.

    Returns:
        0 once stopped (the command's exit status).
    """
    import webbrowser

    def _stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    page = start_page(port)
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        echo(f"The dashboard is at {page.url} — for this machine and whoever holds this "
             f"address only (loopback, a token, Host and Origin checked); Ctrl-C stops it.")
        if open_browser:
            webbrowser.open(page.url)
        page.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        page.stop()
    return 0


@contextlib.contextmanager
def running_page(port: int = 0, **options: Any) -> Iterator[DashboardPage]:
    """:func:`start_page` as a context manager: the server is stopped when the block ends."""
    page = start_page(port, **options)
    try:
        yield page
    finally:
        page.stop()
