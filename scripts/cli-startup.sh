#!/usr/bin/env bash
# baseten-deploy's start-up figures (PERFORMANCE.md, "baseten-deploy"): the release binary's
# size, the wall time of `--help`, and the time from spawning `status` to the first byte of its
# request reaching a server on 127.0.0.1 (a Python listener that records the moment and answers
# 404). Medians and ranges over RUNS runs (default 50). Not part of .ci/run: it needs a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-50}
cargo build --release --locked --quiet -p baseten-deploy
bin=target/release/baseten-deploy
python3 - "$bin" "$runs" <<'PY'
import os, socket, statistics, subprocess, sys, threading, time

binary, runs = sys.argv[1], int(sys.argv[2])
size = os.path.getsize(binary)
print(f"release binary: {size / 1024 / 1024:.2f} MiB ({size} bytes), {binary}")

def summary(name, values):
    values = sorted(v * 1000 for v in values)
    print(f"{name}: median {statistics.median(values):.2f} ms "
          f"[min {values[0]:.2f} – max {values[-1]:.2f}] over {len(values)} runs")

helps = []
for _ in range(runs):
    t0 = time.perf_counter()
    subprocess.run([binary, "--help"], stdout=subprocess.DEVNULL, check=True)
    helps.append(time.perf_counter() - t0)
summary("--help wall time", helps)

listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(16)
url = f"http://127.0.0.1:{listener.getsockname()[1]}"
env = dict(os.environ, BASETEN_API_KEY="startup-key", BASETEN_API_URL=url)
firsts = []
for _ in range(runs):
    arrived = {}
    def serve():
        conn, _ = listener.accept()
        conn.recv(1)
        arrived["t"] = time.perf_counter()
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\n"
                     b"content-length: 2\r\nconnection: close\r\n\r\n{}")
        conn.close()
    server = threading.Thread(target=serve)
    server.start()
    t0 = time.perf_counter()
    done = subprocess.run([binary, "status", "--model", "m"], env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server.join()
    assert done.returncode == 4, done.returncode
    firsts.append(arrived["t"] - t0)
summary("spawn to first request byte (status)", firsts)
PY
