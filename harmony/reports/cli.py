"""`flask --app app report <name> --place CODE --from --to --format csv|xlsx|json` for scheduled exports."""
import json
import sys

import click

from harmony.reports.labels import LANGS
from harmony.reports.service import FORMATS, REPORTS


@click.command("report")
@click.argument("name", type=click.Choice(REPORTS))
@click.option("--place", "place_ref", help="Place code or id (default: the root of the tree).")
@click.option("--from", "first", type=click.DateTime(["%Y-%m-%d"]), help="First day (local), YYYY-MM-DD.")
@click.option("--to", "last", type=click.DateTime(["%Y-%m-%d"]), help="Last day, inclusive (default: today).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option("--lang", type=click.Choice(LANGS), default="zh-CN", show_default=True)
@click.option("--output", "-o", default="-", help="File to write (default: standard output).")
def report_command(name, place_ref, first, last, fmt, lang, output):
    """Write one indicator report as CSV, XLSX or JSON."""
    from harmony.cli import system_scope
    from harmony.errors import ApiError
    from harmony.reports import export
    from harmony.reports.service import run_report

    try:
        result = run_report(system_scope(), name, place_ref, first and first.date(), last and last.date(), lang)
    except ApiError as exc:
        raise click.ClickException(f"{exc.message} {exc.fields or ''}".strip())
    if fmt == "json":
        body = json.dumps(result, ensure_ascii=False, indent=1).encode("utf-8")
    else:
        body, _ = export.render(result, fmt)
    if output == "-":
        if fmt == "xlsx" and sys.stdout.isatty():
            raise click.ClickException("XLSX is binary: give --output FILE.")
        click.echo(body, nl=False)  # bytes go to the binary stream
    else:
        with open(output, "wb") as handle:
            handle.write(body)
        click.echo(f"{name}: {len(result['rows'])} rows written to {output}.", err=True)


commands = [report_command]
