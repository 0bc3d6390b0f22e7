#!/usr/bin/env python3
"""Read a provenant JSON report for the GitHub Action (scripts/action/entry.sh).

    report.py verdict REPORT            print "pass" or "fail"; exit 2 if REPORT is not a report
    report.py annotate REPORT           print ::error / ::warning workflow commands, one per
                                        failed / warned check
    report.py markdown REPORT           print a Markdown summary (used only when the provenant
                                        binary cannot write --format markdown=PATH itself)
    report.py command LEVEL TITLE MSG   print one workflow command, escaped

Check reasons and evidence locations come from the evidence under verification, so an attacker
may choose them: every value written into a workflow command is escaped (a raw newline in a
message would otherwise start a command of the attacker's choosing, such as ::add-mask:: or
::stop-commands::).
"""

import html
import json
import sys

# Outcomes that become annotations, and the workflow command each becomes.
LEVELS = {"fail": "error", "warn": "warning"}


def escape_data(value):
    """Escape a workflow command's message (the runner decodes %25, %0D and %0A)."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value):
    """Escape a workflow command property value: as a message, plus ':' and ','."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(level, title, message):
    """One workflow command line: ::LEVEL title=TITLE::MESSAGE."""
    return f"::{level} title={escape_property(title)}::{escape_data(message)}"


def load(path):
    """The report as a dict; exits 2 unless it has a verdict and a list of checks."""
    try:
        with open(path, encoding="utf-8") as f:
            report = json.load(f)
    except (OSError, ValueError) as e:
        sys.stderr.write(f"report.py: cannot read the report {path}: {e}\n")
        sys.exit(2)
    if (
        not isinstance(report, dict)
        or report.get("verdict") not in ("pass", "fail")
        or not isinstance(report.get("checks"), list)
    ):
        sys.stderr.write(f"report.py: {path} is not a provenant report (verdict, checks)\n")
        sys.exit(2)
    return report


def text(value):
    """A report field as text, whatever JSON type it has."""
    return value if isinstance(value, str) else json.dumps(value)


def checks(report):
    """(code, outcome, reason, evidence locations) of each well-formed check."""
    for check in report["checks"]:
        if not isinstance(check, dict):
            continue
        evidence = check.get("evidence")
        locations = [
            text(e.get("location", ""))
            for e in (evidence if isinstance(evidence, list) else [])
            if isinstance(e, dict) and e.get("location")
        ]
        yield (
            text(check.get("code", "unknown")),
            text(check.get("outcome", "")),
            text(check.get("reason", "")),
            locations,
        )


def annotate(report):
    lines = []
    for code, outcome, reason, locations in checks(report):
        level = LEVELS.get(outcome)
        if level is None:
            continue
        message = reason + (f" [evidence: {', '.join(locations)}]" if locations else "")
        lines.append(command(level, code, message))
    if report["verdict"] == "fail" and not any(line.startswith("::error") for line in lines):
        lines.append(command("error", "provenant", "verification failed (no failed check named)"))
    return lines


def cell(value):
    """A Markdown table cell: HTML-escaped, pipes escaped, on one line."""
    value = html.escape(value, quote=False).replace("|", "\\|")
    return " ".join(value.split())


def markdown(report):
    verdict = report["verdict"]
    subject = report.get("subject") if isinstance(report.get("subject"), dict) else {}
    name = text(subject.get("name", ""))
    digests = subject.get("digests") if isinstance(subject.get("digests"), list) else []
    rows = sorted(checks(report), key=lambda c: {"fail": 0, "warn": 1}.get(c[1], 2))
    failed = sum(1 for c in rows if c[1] == "fail")
    icon = "✅ PASS" if verdict == "pass" else "❌ FAIL"
    out = [
        f"## provenant: {icon}",
        "",
        f"**{cell(text(report.get('command', 'verify')))}** {cell(name)}"
        + (f" ({cell(', '.join(text(d) for d in digests))})" if digests else ""),
        "",
        f"{len(rows)} checks, {failed} failed.",
        "",
        "| outcome | check | reason | evidence |",
        "|---|---|---|---|",
    ]
    for code, outcome, reason, locations in rows:
        out.append(
            f"| {cell(outcome)} | {cell(code)} | {cell(reason)} | {cell(', '.join(locations))} |"
        )
    return out


def main(argv):
    if len(argv) == 3 and argv[1] in ("verdict", "annotate", "markdown"):
        report = load(argv[2])
        lines = {
            "verdict": lambda r: [r["verdict"]],
            "annotate": annotate,
            "markdown": markdown,
        }[argv[1]](report)
    elif len(argv) == 5 and argv[1] == "command" and argv[2] in ("error", "warning", "notice"):
        lines = [command(argv[2], argv[3], argv[4])]
    else:
        sys.stderr.write(__doc__)
        return 2
    sys.stdout.write("".join(line + "\n" for line in lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
