#!/usr/bin/env python3
"""Finishes the man pages swift-argument-parser's generate-manual plugin writes (scripts/generate-docs.sh runs it).

The plugin leaves out what an operator looks for in a man page, and writes paragraphs `man -l` warns about. For
every page in DIR this:
  - turns the blank lines of DESCRIPTION into paragraph breaks and each indented block (the examples) into a
    literal display, so `man --warnings -l` is silent;
  - appends each option's default, read from the binary's `--experimental-dump-help`, unless its help names one;
  - adds ENVIRONMENT (every variable rbscron reads: the README's Configuration table, its one source) and FILES;
  - replaces the plugin's generic EXIT STATUS with rbscron's codes 0, 1, 2 and 64.

usage: man-finish.py DIR DUMP_HELP.json README.md
"""
import json
import re
import sys
from pathlib import Path

EXIT_CODES = [
    ("0", "Success."),
    ("1", "A runtime error: an unreadable file, an unknown app or job, a database, network or master key error."),
    ("2", "A check failed: a job failed or would be denied, an app is down, drift was found with --exit-code, "
          "an endpoint let a caller without the secret in, an incident is open."),
    ("64", "A usage error: an unknown command or option, a bad value, a malformed argument, "
           "a confirmation that needs --yes without a terminal."),
]
EXTRA_EXIT = {
    "rbscron.trigger.1": [("130, 143", "Interrupted (SIGINT, SIGTERM): the runs in flight were recorded as interrupted.")],
}
FILES = [
    ("$XDG_DATA_HOME/rbscron/inventory.sqlite",
     "The inventory (apps, jobs, sealed secrets, history), with its -wal and -shm files; mode 0600 in a 0700 folder. "
     "~/.local/share/rbscron/inventory.sqlite without XDG_DATA_HOME; --db or RBSCRON_DB choose another."),
    ("$XDG_CONFIG_HOME/rbscron/master.key",
     "The master key that seals the secrets, mode 0600; ~/.config/rbscron/master.key without XDG_CONFIG_HOME. "
     "Keep a copy: without it the sealed secrets cannot be opened, and a new key cannot open them."),
]


def text_line(text: str) -> str:
    """A roff text line: backslashes escaped, no leading dot or apostrophe."""
    text = text.replace("\\", "\\e")
    if text[:1] in (".", "'"):
        text = "\\&" + text
    return text


def markdown_to_text(cell: str) -> str:
    cell = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", cell)
    return cell.replace("`", "").replace("**", "").strip()


def environment_rows(readme: str) -> list:
    """The rows of the README's Configuration table: between the environment markers."""
    start = readme.index("<!-- environment:start -->")
    end = readme.index("<!-- environment:end -->")
    rows = []
    for line in readme[start:end].splitlines():
        if not line.startswith("|") or line.startswith("|---"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0].lower() == "variable":
            continue
        rows.append((markdown_to_text(cells[0]), markdown_to_text(" ".join(cells[1:]))))
    if not rows:
        sys.exit("man-finish: the README's Configuration table has no rows")
    return rows


def commands(node: dict, path: tuple = ()) -> dict:
    """Page file name -> the command's dump-help node."""
    name = ".".join(("rbscron",) + path) + ".1"
    found = {name: node}
    for sub in node.get("subcommands", []) or []:
        found.update(commands(sub, path + (sub["commandName"],)))
    return found


def defaults(node: dict) -> dict:
    """Long option name -> its default value, for options (not flags) that have one."""
    result = {}
    for arg in node.get("arguments", []) or []:
        if arg.get("kind") != "option" or "defaultValue" not in arg:
            continue
        value = arg["defaultValue"]
        if value in ("", "[]", None):
            continue
        for name in arg.get("names", []) or []:
            if name.get("kind") in ("long", "longWithSingleDash"):
                result[name["name"]] = value
    return result


def finish_description(lines: list) -> list:
    """Blank lines become .Pp; indented runs become literal displays."""
    out = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.strip() == "":
            if out and out[-1] != ".Pp":
                out.append(".Pp")
            i += 1
            continue
        if line.startswith("  ") or line.startswith("\\&  "):
            if out and out[-1] not in (".Pp",):
                pass
            out.append(".Bd -literal -offset indent")
            while i < len(lines) and (lines[i].startswith("  ") or lines[i].startswith("\\&  ")):
                literal = lines[i][2:] if lines[i].startswith("  ") else lines[i][4:]
                out.append(text_line(literal.replace("\\e", "\\")) if not literal.startswith("\\&") else literal)
                i += 1
            out.append(".Ed")
            continue
        out.append(line)
        i += 1
    while out and out[-1] == ".Pp":
        out.pop()
    return out


def finish(page: Path, node: dict, env_rows: list) -> None:
    lines = page.read_text(encoding="utf-8").split("\n")
    option_defaults = defaults(node)
    out = []
    i = 0
    section = None
    while i < len(lines):
        line = lines[i]
        if line.startswith(".Sh "):
            section = line[4:].strip('"')
            if section == "EXIT STATUS":
                out += environment_section(env_rows) + files_section()
                out += exit_section(page.name)
                i += 1
                while i < len(lines) and not lines[i].startswith(".Sh "):
                    i += 1
                continue
            out.append(line)
            i += 1
            if section == "DESCRIPTION":
                body = []
                while i < len(lines) and not (lines[i].startswith(".Bl") or lines[i].startswith(".Sh ")):
                    body.append(lines[i])
                    i += 1
                out += finish_description(body)
            continue
        match = re.match(r"^\.It Fl (?:\S+ , )?-([A-Za-z0-9][\w-]*)", line)
        if match and match.group(1) in option_defaults and i + 1 < len(lines):
            out.append(line)
            help_line = lines[i + 1]
            if "(default" not in help_line and not help_line.startswith("."):
                help_line = help_line.rstrip() + " (default: " + str(option_defaults[match.group(1)]).replace("\\", "\\e") + ")"
            out.append(help_line)
            i += 2
            continue
        if line.strip() == "" and section != "DESCRIPTION":
            i += 1
            continue
        out.append(line)
        i += 1
    page.write_text("\n".join(out), encoding="utf-8")


def environment_section(rows: list) -> list:
    out = [".Sh ENVIRONMENT", ".Bl -tag -width Ds"]
    for name, what in rows:
        out += [".It Ev " + name.replace(" ", "").replace(",", " , "), text_line(what)]
    return out + [".El"]


def files_section() -> list:
    out = [".Sh FILES", ".Bl -tag -width Ds"]
    for path, what in FILES:
        out += [".It Pa " + path, text_line(what)]
    return out + [".El"]


def exit_section(name: str) -> list:
    out = [".Sh \"EXIT STATUS\"", ".Bl -tag -width Ds"]
    for code, what in EXIT_CODES + EXTRA_EXIT.get(name, []):
        out += [".It " + code, text_line(what)]
    return out + [".El"]


def main() -> None:
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    folder, dump, readme = Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text()), Path(sys.argv[3]).read_text()
    env_rows = environment_rows(readme)
    nodes = commands(dump["command"])
    for page in sorted(folder.glob("*.1")):
        node = nodes.get(page.name)
        if node is None:
            sys.exit(f"man-finish: no command for {page.name} in the dump")
        finish(page, node, env_rows)


if __name__ == "__main__":
    main()
