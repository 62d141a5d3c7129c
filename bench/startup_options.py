#!/usr/bin/env python3
"""Start-up cost of rbscron builds against the floor: median wall time and peak RSS of

  - a Swift program that only loads Foundation (built here with `swiftc -O`, and with `-static-stdlib`), and the
    same static program with libcurl linked in (not called): what linking libcurl costs every start-up, which is
    why rbscron loads it with dlopen on its first request instead,
  - sqlite3 reading the jobs table as JSON,
  - for each rbscron binary given: `list jobs --json`, `--version` (parsing only, no inventory) and the call a
    completion script makes on Tab (`---completion list jobs -- --app ...`, the app names for `--app`).

Runs are interleaved (one of each command per round), so drift in the machine's load touches every command alike.
Each timed run is started with posix_spawn and reaped with wait4, so the times hold no wrapper's cost. Peak RSS is
taken in separate runs under `/usr/bin/time -f %M` (a spawned child's ru_maxrss can count Python's own pages, shared
until exec). The load average is printed before and after the timed runs.

Usage: bench/startup_options.py [--runs N] LABEL=BINARY [LABEL=BINARY ...]
"""
import argparse, os, shutil, statistics, subprocess, sys, tempfile, time

FLOOR_SOURCE = """import Foundation
let data = try! JSONSerialization.data(withJSONObject: ["ok": true])
print(String(decoding: data, as: UTF8.self))
"""

def run_once(cmd, env):
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        start = time.perf_counter()
        pid = os.posix_spawn(cmd[0], cmd, env, file_actions=[
            (os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)])
        _, status, _ = os.wait4(pid, 0)
        wall = time.perf_counter() - start
    finally:
        os.close(devnull)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed ({os.waitstatus_to_exitcode(status)}): {' '.join(cmd)}")
    return wall

def peak_rss(cmd, env):
    out = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}: {out.stderr}")
    return int(out.stderr.strip().splitlines()[-1])  # KiB

def build_floor(tmp, static, libcurl=False):
    src = os.path.join(tmp, "floor.swift")
    with open(src, "w") as f:
        f.write(FLOOR_SOURCE)
    out = os.path.join(tmp, "floor" + ("-static" if static else "") + ("-libcurl" if libcurl else ""))
    flags = ["-static-stdlib"] if static else []
    if libcurl:  # linked although unused, as a library named at link time is
        flags += ["-Xlinker", "--no-as-needed", "-lcurl"]
    subprocess.run(["swiftc", "-O", *flags, src, "-o", out], check=True)
    return out

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--no-floor", action="store_true", help="skip building the Foundation-only programs")
    parser.add_argument("variants", nargs="+", metavar="LABEL=BINARY")
    args = parser.parse_args()
    variants = []
    for item in args.variants:
        label, _, path = item.partition("=")
        variants.append((label, os.path.abspath(path)))

    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "inventory.sqlite")
        env = dict(os.environ, HOME=tmp, XDG_CONFIG_HOME=tmp, XDG_DATA_HOME=tmp, NO_COLOR="1")
        subprocess.run([variants[0][1], "--db", db, "list", "apps"], env=env, check=True, capture_output=True)
        commands = []
        if not args.no_floor:
            commands.append(("floor: Swift + Foundation, dynamic", [build_floor(tmp, False)]))
            commands.append(("floor: Swift + Foundation, -static-stdlib", [build_floor(tmp, True)]))
            commands.append(("floor: -static-stdlib, libcurl linked", [build_floor(tmp, True, libcurl=True)]))
        commands.append(("sqlite3 -json (same table)",
                         [shutil.which("sqlite3"), "-json", db, "SELECT * FROM jobs ORDER BY position"]))
        for label, binary in variants:
            commands.append((f"{label}: list jobs --json", [binary, "--db", db, "list", "jobs", "--json"]))
            commands.append((f"{label}: --version", [binary, "--version"]))
            # What bash runs for `rbscron --db DB list jobs --app <Tab>` (see completions/rbscron.bash).
            commands.append((f"{label}: Tab on list jobs --app", [
                binary, "---completion", "list", "jobs", "--", "--app", "6", "0",
                binary, "--db", db, "list", "jobs", "--app", ""]))
        for _, cmd in commands:  # warm the page cache
            run_once(cmd, env)

        load_before = os.getloadavg()
        samples = {name: [] for name, _ in commands}
        for _ in range(args.runs):
            for name, cmd in commands:
                samples[name].append(run_once(cmd, env))
        load_after = os.getloadavg()
        rss = {name: max(peak_rss(cmd, env) for _ in range(min(args.runs, 10))) for name, cmd in commands}

    floor = None
    print(f"runs: {args.runs} each, interleaved; load average before {load_before[0]:.2f} {load_before[1]:.2f} "
          f"{load_before[2]:.2f}, after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
    print(f"{'command':55} {'median ms':>9} {'p10':>6} {'p90':>6} {'peak RSS':>10} {'x floor':>7}")
    for name, cmd in commands:
        walls = sorted(samples[name])
        median = statistics.median(walls) * 1000
        p10, p90 = walls[len(walls) // 10] * 1000, walls[(len(walls) * 9) // 10] * 1000
        if floor is None and name.startswith("floor"):
            floor = median
        ratio = f"{median / floor:6.1f}x" if floor else ""
        print(f"{name:55} {median:9.1f} {p10:6.1f} {p90:6.1f} {rss[name] / 1024:7.1f}MiB {ratio:>7}")

if __name__ == "__main__":
    main()
