"""Run the simulated endpoint until told to stop (signal, or the parent's pipe closing)."""

from __future__ import annotations

import asyncio
import signal
import sys
import threading
from collections.abc import Callable

from aiohttp import web

from workbench.sim.settings import SimSettings
from workbench.sim.web_app import SimServer

_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


def _watch_stdin(on_eof: Callable[[], None]) -> None:
    """Call `on_eof` when stdin reaches EOF: the parent that holds the pipe has gone (even if it
    was SIGKILLed, the kernel closes its end), so the server must not outlive it."""

    def watch() -> None:
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except (OSError, ValueError):
            pass
        on_eof()

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


async def serve(
    settings: SimSettings,
    *,
    exit_on_stdin_eof: bool = False,
    ready: Callable[[str], None] | None = None,
) -> None:
    """Serve until SIGINT/SIGTERM (or stdin EOF when asked); `ready` gets the base URL."""
    server = SimServer(settings)
    runner = web.AppRunner(server.build_app(), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port, shutdown_timeout=1.0, backlog=1024)
    await site.start()
    host, port = runner.addresses[0][:2]
    shown = f"[{host}]" if ":" in host else host
    base_url = f"http://{shown}:{port}"
    if settings.host not in _LOOPBACK:
        print(
            f"warning: the simulated endpoint is bound to {settings.host}, not loopback; "
            "other machines can reach it",
            file=sys.stderr,
        )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if exit_on_stdin_eof:

        def on_eof() -> None:
            loop.call_soon_threadsafe(stop.set)

        _watch_stdin(on_eof)
    if ready is not None:
        ready(base_url)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
