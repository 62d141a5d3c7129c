#!/usr/bin/env python3
"""Start-up cost of rbscron: median wall time and peak memory of `rbscron list jobs --json` on the
embedded inventory, against sqlite3 reading the same table as JSON. Prints the figures and ratios.

Usage: bench/startup.py BINARY [RUNS=30]
"""
import os, statistics, subprocess, sys, tempfile, time

def measure(cmd, runs, env):
    walls, rss = [], []
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, env=env, capture_output=True, text=True)
        walls.append(time.perf_counter() - start)
        if out.returncode != 0:
            sys.exit(f"{cmd[0]} failed: {out.stderr}")
        rss.append(int(out.stderr.strip().splitlines()[-1]))
    return statistics.median(walls), max(rss)

def main():
    binary = os.path.abspath(sys.argv[1])
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "inventory.sqlite")
        env = dict(os.environ, HOME=tmp, XDG_CONFIG_HOME=tmp, NO_COLOR="1")
        subprocess.run([binary, "--db", db, "list", "apps"], env=env, check=True, capture_output=True)
        rbs = measure([binary, "--db", db, "list", "jobs", "--json"], runs, env)
        sql = measure(["sqlite3", "-json", db, "SELECT * FROM jobs ORDER BY position"], runs, env)
    print(f"runs: {runs} each, inventory: embedded RBS ecosystem (69 jobs)")
    print(f"rbscron list jobs --json   median {rbs[0]*1000:7.1f} ms   peak RSS {rbs[1]/1024:6.1f} MiB")
    print(f"sqlite3 -json (same table) median {sql[0]*1000:7.1f} ms   peak RSS {sql[1]/1024:6.1f} MiB")
    print(f"ratio rbscron/sqlite3: wall {rbs[0]/sql[0]:.1f}x, memory {rbs[1]/sql[1]:.1f}x")

if __name__ == "__main__":
    main()
