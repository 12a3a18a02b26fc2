#!/usr/bin/env python3
"""Records golden byte transcripts of PySpark's worker protocol from real Apache Spark.

Usage (from the repository root):

    python3 scripts/record-spark-transcript.py [VERSION ...]

Each VERSION (default: the ones below) must be installed as scripts/install-spark.sh does,
in <cache>/pyspark-VERSION (cache: $TSPARK_SPARK_CACHE or ~/.cache/tspark/spark). For each
version this script re-runs itself under that virtual environment's python ("driver mode"),
starts a SparkContext on local[1] with spark.python.use.daemon=false, and runs three tiny jobs.
PYSPARK_PYTHON points at this same file, so each Spark task launches it ("relay mode", argv
"-m pyspark.worker"): the relay listens on a loopback port, starts the real
`python -m pyspark.worker` with PYTHON_WORKER_FACTORY_PORT set to that port, connects to the
JVM's port itself, forwards bytes both ways unchanged and, when both directions are closed,
writes what each side sent into two files. The driver then moves them to
test/fixtures/spark-transcripts/VERSION/NAME.{jvm-to-worker,worker-to-jvm}.bin.

The only change made to the bytes: two per-run random secrets are replaced by 'x' characters
of the same length, so every length field stays valid: PYTHON_WORKER_FACTORY_SECRET (the
worker's first message) and, in 4.3, the "secret" value of the task-context JSON (the runner's
barrier auth secret, sent even for non-barrier tasks).

Only the standard library is needed in relay mode; driver mode needs pyspark (the venv's).
"""

import glob
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

DEFAULT_VERSIONS = ["4.3.0", "3.5.9"]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "test", "fixtures", "spark-transcripts")
LINES_FILE = os.path.join(FIXTURES, "lines.txt")


# ---------------------------------------------------------------- relay mode


def _pump(src, dst, sink, done):
    try:
        while True:
            chunk = src.recv(65536)
            if not chunk:
                break
            sink.append(chunk)
            dst.sendall(chunk)
    except OSError:
        pass
    finally:
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        done.set()


def relay(argv):
    out_dir = os.environ["TSPARK_RECORD_DIR"]
    real_python = os.environ["TSPARK_RECORD_REAL_PYTHON"]
    jvm_port = int(os.environ["PYTHON_WORKER_FACTORY_PORT"])
    secret = os.environ.get("PYTHON_WORKER_FACTORY_SECRET", "")
    host = "::1" if os.environ.get("SPARK_PREFER_IPV6", "false").lower() == "true" else "127.0.0.1"

    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    listener.bind((host, 0))
    listener.listen(1)
    listener.settimeout(30)
    env = dict(os.environ)
    env["PYTHON_WORKER_FACTORY_PORT"] = str(listener.getsockname()[1])
    worker = subprocess.Popen([real_python] + argv[1:], env=env)
    w_sock, _ = listener.accept()
    listener.close()
    j_sock = socket.create_connection((host, jvm_port))

    w2j, j2w = [], []
    d1, d2 = threading.Event(), threading.Event()
    threading.Thread(target=_pump, args=(w_sock, j_sock, w2j, d1), daemon=True).start()
    threading.Thread(target=_pump, args=(j_sock, w_sock, j2w, d2), daemon=True).start()
    d1.wait()
    d2.wait()
    code = worker.wait()
    w_sock.close()
    j_sock.close()

    w2j_bytes, j2w_bytes = b"".join(w2j), b"".join(j2w)
    if secret:
        # The worker's first message.
        enc = secret.encode("utf-8")
        w2j_bytes = w2j_bytes.replace(enc, b"x" * len(enc))
        j2w_bytes = j2w_bytes.replace(enc, b"x" * len(enc))
    # 4.3's task-context JSON carries the runner's own (barrier) auth secret, random per run.
    j2w_bytes = re.sub(
        rb'"secret":"([^"]*)"', lambda m: b'"secret":"' + b"x" * len(m.group(1)) + b'"', j2w_bytes
    )
    stem = os.path.join(out_dir, "task-%d-%d" % (time.time_ns(), os.getpid()))
    with open(stem + ".jvm-to-worker.bin", "wb") as f:
        f.write(j2w_bytes)
    with open(stem + ".worker-to-jvm.bin", "wb") as f:
        f.write(w2j_bytes)
    sys.exit(code)


# ---------------------------------------------------------------- driver mode (inside the venv)


def _take(tmp, dest_dir, name):
    """Moves the single task transcript the last job produced to dest_dir/name.*.bin."""
    # The relay writes its files after the JVM closes the socket; wait for them.
    deadline = time.time() + 30
    while True:
        found = sorted(glob.glob(os.path.join(tmp, "*.worker-to-jvm.bin")))
        if found or time.time() > deadline:
            break
        time.sleep(0.1)
    time.sleep(0.5)
    found = sorted(glob.glob(os.path.join(tmp, "*.worker-to-jvm.bin")))
    if len(found) != 1:
        raise SystemExit("expected one task transcript for %s, found %d" % (name, len(found)))
    stem = found[0][: -len(".worker-to-jvm.bin")]
    for side in ("jvm-to-worker", "worker-to-jvm"):
        shutil.move("%s.%s.bin" % (stem, side), os.path.join(dest_dir, "%s.%s.bin" % (name, side)))


def drive(version):
    from pyspark import SparkConf, SparkContext

    dest = os.path.join(FIXTURES, version)
    os.makedirs(dest, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="tspark-transcript-")
    os.environ["TSPARK_RECORD_DIR"] = tmp
    os.environ["TSPARK_RECORD_REAL_PYTHON"] = sys.executable
    os.environ["PYSPARK_PYTHON"] = os.path.abspath(__file__)

    conf = (
        SparkConf()
        .setMaster("local[1]")
        .setAppName("tspark-transcript")
        .set("spark.python.use.daemon", "false")
        .set("spark.ui.enabled", "false")
    )
    sc = SparkContext(conf=conf)
    sc.setLogLevel("ERROR")
    try:
        assert sc.version == version, (sc.version, version)

        got = sc.parallelize(["a", "b\nc", "ü"], 1).map(lambda x: x).collect()
        assert got == ["a", "b\nc", "ü"], got
        _take(tmp, dest, "parallelize-strings")

        got = sc.textFile(LINES_FILE, 1).map(len).collect()
        with open(LINES_FILE, encoding="utf-8") as f:
            want = [len(line) for line in f.read().split("\n")[:-1]]
        assert got == want, (got, want)
        _take(tmp, dest, "textfile-len")

        b = sc.broadcast([10, 20, 30])
        acc = sc.accumulator(0)
        sc.setLocalProperty("k", "v")

        def f(x):
            acc.add(1)
            return x + sum(b.value)

        got = sc.parallelize([1, 2], 1).map(f).collect()
        assert got == [61, 62], got
        assert acc.value == 2, acc.value
        _take(tmp, dest, "broadcast-localprop")
    finally:
        sc.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "-m":
        relay(sys.argv)
        return
    if len(sys.argv) == 3 and sys.argv[1] == "--drive":
        drive(sys.argv[2])
        return
    cache = os.environ.get("TSPARK_SPARK_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "tspark", "spark"
    )
    for version in sys.argv[1:] or DEFAULT_VERSIONS:
        python = os.path.join(cache, "pyspark-" + version, "bin", "python")
        if not os.path.exists(python):
            raise SystemExit("pyspark %s not installed at %s (run scripts/install-spark.sh)" % (version, python))
        print("recording Spark %s" % version, flush=True)
        subprocess.run([python, os.path.abspath(__file__), "--drive", version], check=True)


if __name__ == "__main__":
    main()
