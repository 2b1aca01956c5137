"""Run the Slack emulator standalone: python -m slack_emulator --port 0."""

from __future__ import annotations

import argparse
import logging
import threading
from pathlib import Path

from slack_emulator.emulator import SlackEmulator

logger = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    """Start the emulator and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m slack_emulator", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0 = any free port)")
    parser.add_argument("--reference-dir", type=Path, default=None,
                        help="Slack method-reference folder (with methods/*.json) to validate against")
    parser.add_argument("--rate-limits", action="store_true", help="enforce Slack's rate-limit tiers")
    parser.add_argument("--debug", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING)
    emu = SlackEmulator(args.reference_dir, args.rate_limits, port=args.port).start()
    # The token is a fake test credential, printed so a local app can be pointed at it.
    print(f"base_url={emu.base_url}", flush=True)
    print(f"bot_token={emu.bot_token()}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        emu.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
