"""Harmony's entry point: `python app.py` serves the app; `flask --app app …` runs commands."""
import argparse
import logging

from harmony import create_app  # noqa: F401  (flask --app app finds the factory)


def main(argv=None):
    from harmony.serve import serve

    parser = argparse.ArgumentParser(description="Run the Harmony server (waitress).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--no-demo", action="store_true", help="Do not seed the demo county into an empty database.")
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    serve(host=args.host, port=args.port, demo=not args.no_demo, threads=args.threads)


if __name__ == "__main__":
    main()
