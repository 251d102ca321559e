"""A loaded SQLite store under a temp dir and headless Streamlit servers on free ports, for the browser bench."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from vru_core.platform.config import REPO_ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load_store(data_dir: Path) -> None:
    """A fresh SQLite store in data_dir (the app's default location under VRU_DATA_DIR), migrated and loaded."""
    from vru_core.needs.load import load_bundled
    from vru_core.platform.db import get_engine, upgrade

    engine = get_engine(f"sqlite:///{data_dir / 'vru.sqlite3'}")
    upgrade(engine)
    load_bundled(engine)
    engine.dispose()


class Server:
    """`streamlit run SCRIPT` headless on a free loopback port, on the store under data_dir; `stop()` ends it."""

    def __init__(self, script: str, data_dir: Path, name: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir / f"{name}.log"
        env = {**os.environ, "VRU_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO_ROOT)}
        env.pop("VRU_DATABASE_URL", None)
        env.pop("VRU_MIGRATION_DATABASE_URL", None)
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true",
                 "--server.address", "127.0.0.1", "--server.port", str(self.port),
                 "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
                cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        self._wait_healthy()

    def _wait_healthy(self, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"streamlit did not start: {self.log_path.read_text()[-2000:]}")
            time.sleep(0.5)

    def rss_mb(self) -> float:
        """Resident memory of the server process (VmRSS from /proc/PID/status), in MB."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS line")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
