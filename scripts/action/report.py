#!/usr/bin/env python3
"""Read a provenant JSON report for the GitHub Action (scripts/action/entry.sh).

    report.py verdict REPORT            print "pass" or "fail"; exit 2 if REPORT is not a report
    report.py annotate REPORT           print ::error / ::warning workflow commands, one per
                                        failed / warned check
    report.py markdown REPORT           print a Markdown summary (used only when the provenant
                                        binary cannot write --format markdown=PATH itself)
    report.py command LEVEL TITLE MSG   print one workflow command, escaped
    report.py split LINE                the words of one command line, one a line

Check reasons and evidence locations come from the evidence under verification, so an attacker
may choose them: every value written into a workflow command is escaped (a raw newline in a
message would otherwise start a command of the attacker's choosing, such as ::add-mask:: or
::stop-commands::). Before that, as provenant's own renderers do (crates/provenant-report/src/
sanitize.rs), characters that control a terminal, reorder or hide text or break a line are
shown escaped (\\n, \\u{1b}, \\u{202e}): an annotation or a summary row stays one line and
reads as what the evidence holds.
"""

import html
import shlex
import json
import sys

# Outcomes that become annotations, and the workflow command each becomes.
LEVELS = {"fail": "error", "warn": "warning"}


# The characters provenant's renderers never write as themselves (sanitize.rs, is_hidden): C0,
# DEL and C1 controls, line and paragraph separators, bidi controls, format characters,
# default-ignorable code points; plus noncharacters (checked in hidden()).
HIDDEN = (
    (0x0000, 0x001F), (0x007F, 0x009F), (0x00AD, 0x00AD), (0x034F, 0x034F),
    (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD), (0x070F, 0x070F),
    (0x0890, 0x0891), (0x08E2, 0x08E2), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x2028, 0x202E), (0x2060, 0x206F),
    (0x3164, 0x3164), (0xFDD0, 0xFDEF), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0), (0xFFF0, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD),
    (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)


def hidden(c):
    """Whether provenant shows the character escaped rather than as itself."""
    u = ord(c)
    return u & 0xFFFE == 0xFFFE or any(lo <= u <= hi for lo, hi in HIDDEN)


def spelled(c):
    """The visible spelling of a hidden character, as Rust writes it."""
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(c, "\\u{%x}" % ord(c))


def visible(value):
    """`value` on one line, every hidden character shown escaped."""
    return "".join(spelled(c) if hidden(c) else c for c in value)


def escape_data(value):
    """Escape a workflow command's message (the runner decodes %25, %0D and %0A)."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value):
    """Escape a workflow command property value: as a message, plus ':' and ','."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(level, title, message):
    """One workflow command line: ::LEVEL title=TITLE::MESSAGE."""
    title, message = visible(title), visible(message)
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


# Markdown syntax that a cell must show as itself (as sanitize.rs markdown_text).
MARKDOWN = set("\\`*_[]|#~!$")


def cell(value):
    """A Markdown table cell on one line: hidden characters shown escaped, then Markdown and
    HTML syntax escaped."""
    return "".join(
        "\\" + c if c in MARKDOWN else html.escape(c, quote=False) for c in visible(value)
    )


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
    elif len(argv) == 3 and argv[1] == "split":
        # The args input on one line: split as a POSIX shell would (quotes, backslashes), with
        # nothing expanded or run.
        try:
            lines = shlex.split(argv[2])
        except ValueError as e:
            sys.stderr.write(f"{e}\n")
            return 2
    elif len(argv) == 5 and argv[1] == "command" and argv[2] in ("error", "warning", "notice"):
        lines = [command(argv[2], argv[3], argv[4])]
    else:
        sys.stderr.write(__doc__)
        return 2
    sys.stdout.write("".join(line + "\n" for line in lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
