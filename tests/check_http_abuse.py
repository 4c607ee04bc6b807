#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""lrutop's /metrics under load and abuse, on loopback only, bounded in count and time.

usage: check_http_abuse.py --port PORT [--idle N] [--clients N] [--seconds S] [--malformed N]

1. N idle TCP connections held open (never a byte sent), then a scrape: it must answer 200
   with metrics the Prometheus parser reads.
2. N concurrent scrapers for S seconds: every response 200, whole and parseable; no reset.
   Prints the rate and the 99th-percentile latency.
3. N malformed requests: random bytes, headers of 64 KiB, HTTP/0.9, an unknown method, a
   wrong path, and slow trickles; then a scrape must still succeed.
4. The answers the manual gives: / 200 naming /metrics, another path 404, another method
   405, request headers past 8 KiB 431.
Exit 0 if all held; 1 with the first failure.
"""
import argparse
import http.client
import os
import random
import resource
import socket
import sys
import threading
import time

from prometheus_client.parser import text_string_to_metric_families

HOST = "127.0.0.1"


def scrape(port, timeout=10):
    """One GET /metrics: (status, seconds, number of metric families)."""
    t0 = time.monotonic()
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", "/metrics")
        resp = conn.getresponse()
        body = resp.read().decode()
    finally:
        conn.close()
    took = time.monotonic() - t0
    families = list(text_string_to_metric_families(body)) if resp.status == 200 else []
    if resp.status == 200 and not any(f.name == "lrutop_info" for f in families):
        raise ValueError("a 200 without lrutop_info: not the whole text")
    return resp.status, took, len(families)


def idle_then_scrape(port, n):
    held = []
    try:
        for _ in range(n):
            s = socket.create_connection((HOST, port), timeout=5)
            held.append(s)
        time.sleep(0.5)
        status, took, families = scrape(port)
        if status != 200:
            return f"with {n} idle connections open a scrape got HTTP {status}"
        print(f"{n} idle connections held: scrape answered 200 in {took * 1000:.1f} ms, "
              f"{families} metric families")
    finally:
        for s in held:
            s.close()
    return None


def concurrent(port, clients, seconds):
    lat, errors = [], []
    lock = threading.Lock()
    end = time.monotonic() + seconds

    def worker():
        while time.monotonic() < end:
            try:
                status, took, _ = scrape(port)
                if status != 200:
                    raise ValueError(f"HTTP {status}")
                with lock:
                    lat.append(took)
            except Exception as e:  # a reset, a timeout, a torn body
                with lock:
                    errors.append(repr(e))
                return

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    if errors:
        return f"{len(errors)} of {clients} scrapers failed, first: {errors[0]}"
    lat.sort()
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
    print(f"{clients} concurrent scrapers for {seconds} s: {len(lat)} responses, all whole, "
          f"{len(lat) / elapsed:.0f}/s, p50 {lat[len(lat) // 2] * 1000:.1f} ms, "
          f"p99 {p99 * 1000:.1f} ms")
    return None


def send_raw(port, data):
    """Send, then read what answer comes within half a second: a request the server waits
    to see the end of (its timeout is 5 s) must not hold up the test."""
    s = socket.create_connection((HOST, port), timeout=5)
    try:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        s.settimeout(0.5)
        while s.recv(65536):
            pass
    except OSError:
        pass  # the server may close on us, or not answer yet: both are answers
    finally:
        s.close()


def trickle(port, seconds):
    """A request sent a few bytes at a time: the server must not wait on it forever."""
    s = socket.create_connection((HOST, port), timeout=10)
    try:
        for b in b"GET /metrics HTTP/1.1\r\nHost: x\r\n":
            s.send(bytes([b]))
            time.sleep(seconds / 40)
    except OSError:
        pass
    finally:
        s.close()


def malformed(port, n):
    rng = random.Random(42)
    kinds = [
        lambda: rng.randbytes(rng.randint(1, 4096)),
        lambda: b"GET /metrics HTTP/1.1\r\nX-Big: " + b"a" * 65536 + b"\r\n\r\n",
        lambda: b"GET /metrics\r\n",
        lambda: b"BREW /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
        lambda: b"GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
        lambda: b"GET /metrics HTTP/1.1\r\n" + b"H: v\r\n" * 5000 + b"\r\n",
        lambda: b"\r\n" * 1000,
    ]
    slow = [threading.Thread(target=trickle, args=(port, 2.0)) for _ in range(20)]
    todo = [kinds[i % len(kinds)]() for i in range(n - len(slow))]
    lock = threading.Lock()

    def sender():
        while True:
            with lock:
                if not todo:
                    return
                data = todo.pop()
            send_raw(port, data)

    senders = [threading.Thread(target=sender) for _ in range(32)]
    for t in senders + slow:
        t.start()
    for t in senders + slow:
        t.join()
    status, took, _ = scrape(port)
    if status != 200:
        return f"after {n} malformed requests a scrape got HTTP {status}"
    print(f"{n} malformed requests (random bytes, 64 KiB headers, HTTP/0.9, unknown method, "
          f"traversal, 5000 headers, blank lines, 20 slow trickles): then a scrape answered 200 "
          f"in {took * 1000:.1f} ms")
    return None


def request(port, method, path, headers=None):
    """One request: (status, body)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.read().decode(errors="replace")
    finally:
        conn.close()


def documented_answers(port):
    cases = [
        ("GET", "/", None, 200, "/metrics"),
        ("GET", "/nope", None, 404, None),
        ("GET", "/metrics/x", None, 404, None),
        ("POST", "/metrics", None, 405, None),
        ("DELETE", "/", None, 405, None),
        ("GET", "/metrics", {"X-Big": "a" * 9000}, 431, None),
    ]
    for method, path, headers, want, text in cases:
        status, body = request(port, method, path, headers)
        what = f"{method} {path}" + (" with a 9000-byte header" if headers else "")
        if status != want:
            return f"{what}: HTTP {status}, the manual says {want}"
        if text and text not in body:
            return f"{what}: {body!r} does not name {text}"
    print(f"documented answers: / 200, other paths 404, other methods 405, "
          f"headers past 8 KiB 431 ({len(cases)} requests)")
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--idle", type=int, default=1000)
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=3)
    ap.add_argument("--malformed", type=int, default=1000)
    args = ap.parse_args()
    # Our side holds the idle sockets and the scrapers' at once.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4096)), hard))
    for step in (lambda: idle_then_scrape(args.port, args.idle),
                 lambda: concurrent(args.port, args.clients, args.seconds),
                 lambda: malformed(args.port, args.malformed),
                 lambda: documented_answers(args.port)):
        try:
            why = step()
        except Exception as e:
            why = f"{e!r}"
        if why:
            print(f"FAILED: {why}")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
