"""Harmony's entry point: `python app.py` serves the app; `flask --app app …` runs commands."""
import argparse
import logging
import os

from harmony import create_app  # noqa: F401  (flask --app app finds the factory)


def main(argv=None):
    from harmony.serve import serve

    parser = argparse.ArgumentParser(description="Run the Harmony server (waitress).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--no-demo", action="store_true", help="Do not seed the demo county into an empty database.")
    parser.add_argument("--threads", type=int, default=8)
    # Every phone in the office keeps a connection open while it syncs; waitress's own
    # default (100) makes phone 101 wait in the listen backlog until another one leaves.
    parser.add_argument("--connection-limit", type=int, default=int(os.environ.get("HARMONY_CONNECTION_LIMIT") or 500),
                        help="Most open client connections at once (default 500, or HARMONY_CONNECTION_LIMIT).")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    serve(host=args.host, port=args.port, demo=not args.no_demo, threads=args.threads,
          connection_limit=args.connection_limit)


if __name__ == "__main__":
    main()
