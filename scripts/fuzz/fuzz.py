#!/usr/bin/env python3
"""Fuzz campaign for the synthaudit command line (Documentation/fuzzing.md).

Runs the built binary against hostile inputs, outputs, signals and arguments, in a fixed order
that interleaves the families, every case derived from --seed and its id alone, and checks the
contract of SPEC sections 4, 5 and 8 (exit codes, one-line errors, no hangs or crashes, nothing
half-written, nothing replaced without consent). Python 3 standard library only.

    scripts/fuzz/fuzz.py --budget 60                 # the short campaign
    scripts/fuzz/fuzz.py --budget 600 --artifacts fuzz-artifacts
    scripts/fuzz/fuzz.py --only csv-0012 --verbose   # re-run one case
"""

import argparse
import csv
import hashlib
import io
import json
import math
import os
import random
import re
import resource
import shlex
import shutil
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from pathlib import Path

FAMILIES = ["csv", "sqlite", "special", "yaml", "golden", "kills", "concurrency", "output", "argv", "mapping", "values"]
# Cases per round of the schedule: the cheap families with many kinds of case get more.
FAMILY_WEIGHTS = {"mapping": 3, "values": 2}
DOCUMENTED_EXITS = {0, 1, 2, 64, 65, 66, 74}
ERROR_EXITS = {64, 65, 66, 74}
CRASH_SIGNALS = {signal.SIGILL, signal.SIGSEGV, signal.SIGABRT, signal.SIGTRAP, signal.SIGBUS,
                 signal.SIGFPE, signal.SIGSYS}
CREATOR_FILES = ["creators.csv", "patrons.csv", "tiers.csv", "pledges.csv", "posts.csv",
                 "transactions.csv", "engagement_events.csv"]
REQUIRED_CREATOR_FILES = CREATOR_FILES[:5]
SAAS_TABLES = ["day06_customers", "day06_subscriptions", "day06_mrr_movements"]
# Words of a CSV structural error (CSVError): such a message must give its line and column.
CSV_PARSE_WORDS = re.compile(r"quote|ragged|NUL|UTF-8|malformed", re.IGNORECASE)
REPO = Path(__file__).resolve().parents[2]


# ----------------------------------------------------------------------------------------------
# Small helpers

def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def printable(text):
    """`text` with control and other non-printing characters shown as escapes."""
    out = []
    for char in text:
        if char != "\n" and unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            out.append("\\x%02x" % ord(char) if ord(char) < 256 else "\\u%04x" % ord(char))
        else:
            out.append(char)
    return "".join(out)


def head_lines(data, lines=3, width=300):
    text = data.decode("utf-8", "backslashreplace")
    parts = text.split("\n")
    shown = [printable(line)[:width] for line in parts[:lines]]
    if len(parts) > lines and any(parts[lines:]):
        shown.append("... (%d lines)" % len([p for p in parts if p]))
    return shown


def quote_arg(arg):
    if isinstance(arg, bytes):
        try:
            arg = arg.decode("utf-8")
        except UnicodeDecodeError:
            return "$'" + "".join(chr(b) if 32 <= b < 127 and b not in (39, 92) else "\\x%02x" % b for b in arg) + "'"
    if arg and all(c.isprintable() for c in arg) and len(arg) <= 200:
        return shlex.quote(arg)
    if len(arg) > 200 and len(set(arg)) == 1:
        return "\"$(printf '%%*s' %d '' | tr ' ' %s)\"" % (len(arg), shlex.quote(arg[0]))
    if len(arg) > 200:
        return shlex.quote(arg[:60]) + "...(%d chars)" % len(arg)
    return "$'" + "".join(c if c.isprintable() and c not in "'\\" else "\\x%02x" % ord(c) if ord(c) < 256
                          else "\\u%04x" % ord(c) for c in arg) + "'"


def command_line(args):
    return " ".join(["synthaudit"] + [quote_arg(a) for a in args])


def snap(path, hash_limit=64 << 20):
    """What is at `path`, without following symbolic links or opening anything but regular files."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as error:
        return ("error", error.errno)
    mode = info.st_mode
    if stat.S_ISLNK(mode):
        return ("link", os.readlink(path))
    if stat.S_ISREG(mode):
        if info.st_size <= hash_limit:
            return ("file", info.st_size, sha256_file(path))
        return ("file", info.st_size, info.st_mtime_ns)
    if stat.S_ISDIR(mode):
        try:
            names = sorted(os.listdir(path))
        except OSError as error:
            return ("dir-unlistable", error.errno)
        return ("dir", {name: snap(os.path.join(path, name), hash_limit) for name in names})
    if stat.S_ISFIFO(mode):
        return ("fifo",)
    if stat.S_ISCHR(mode):
        return ("chardev", info.st_rdev)
    if stat.S_ISBLK(mode):
        return ("blockdev", info.st_rdev)
    if stat.S_ISSOCK(mode):
        return ("socket",)
    return ("other", mode)


def snap_diff(before, after, path="."):
    """The first few places where two snapshots differ."""
    if before == after:
        return []
    if before is None or after is None or before[0] != after[0] or before[0] != "dir":
        what = lambda s: "absent" if s is None else s[0]
        if before is not None and after is not None and before[0] == after[0]:
            return ["%s: content changed" % path]
        return ["%s: %s -> %s" % (path, what(before), what(after))]
    out = []
    for name in sorted(set(before[1]) | set(after[1])):
        out += snap_diff(before[1].get(name), after[1].get(name), path + "/" + name)
        if len(out) >= 4:
            break
    return out


def write_table(header, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def remove(path):
    """rm -rf, also for unreadable or thousands-deep trees (argv cases make both)."""
    path = str(path)
    if not os.path.lexists(path):
        return
    if os.path.isdir(path) and not os.path.islink(path):
        subprocess.run(["chmod", "-R", "u+rwx", path], stderr=subprocess.DEVNULL)
        subprocess.run(["rm", "-rf", "--", path], stderr=subprocess.DEVNULL)
    else:
        os.unlink(path)


def copy_tree_safely(source, target, size_limit=8 << 20, depth=0):
    """Copies a case directory for --artifacts: never opens FIFOs or devices, skips big files."""
    target.mkdir(parents=True, exist_ok=True)
    if depth > 40:
        (target / "DEEPER.SKIPPED").write_text("more nested directories, not copied\n")
        return
    for entry in sorted(os.listdir(source)):
        src, dst = os.path.join(source, entry), target / entry
        info = os.lstat(src)
        if stat.S_ISLNK(info.st_mode):
            os.symlink(os.readlink(src), dst)
        elif stat.S_ISDIR(info.st_mode):
            copy_tree_safely(src, dst, size_limit, depth + 1)
        elif stat.S_ISREG(info.st_mode):
            if info.st_size <= size_limit:
                shutil.copyfile(src, dst)
            else:
                dst.with_name(entry + ".SKIPPED").write_text("%d bytes, not copied\n" % info.st_size)
        else:
            kind = {stat.S_IFIFO: "fifo", stat.S_IFCHR: "character device %d,%d" % (os.major(info.st_rdev), os.minor(info.st_rdev)),
                    stat.S_IFSOCK: "socket"}.get(stat.S_IFMT(info.st_mode), "special file")
            dst.with_name(entry + ".SPECIAL").write_text(kind + "\n")


# ----------------------------------------------------------------------------------------------
# Writes outside the output target

def tree_snapshot(root, depth=64):
    """{path: (type, size, mtime)} of everything under `root` (not following links), `depth` levels."""
    out = {}

    def walk(path, level):
        try:
            entries = list(os.scandir(path))
        except OSError:
            return
        for entry in entries:
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISDIR(info.st_mode):
                out[entry.path] = ("dir", 0, 0)
                if level < depth:
                    walk(entry.path, level + 1)
            elif stat.S_ISREG(info.st_mode):
                out[entry.path] = ("file", info.st_size, info.st_mtime_ns)
            else:
                out[entry.path] = ("other", stat.S_IFMT(info.st_mode), 0)

    walk(str(root), 1)
    return out


def arg_text(arg):
    return os.fsdecode(arg) if isinstance(arg, bytes) else arg


def output_targets(args, cwd):
    """The paths a run may write: --out, and --golden with --update-golden."""
    args = [arg_text(a) for a in args]
    found = []
    for i, arg in enumerate(args):
        value = None
        if arg in ("--out", "--golden") and i + 1 < len(args):
            value = args[i + 1] if arg == "--out" or "--update-golden" in args else None
        elif arg.startswith("--out="):
            value = arg[len("--out="):]
        if value:
            found.append(os.path.normpath(os.path.join(str(cwd), value)))
    return found


def allowed_write(path, targets):
    for target in targets:
        real = os.path.realpath(target)
        for t in {target, real}:
            if path == t or path.startswith(t.rstrip("/") + "/") or t.startswith(path + "/"):
                return True  # the target, inside it, or a parent directory made for it
        name, parent = os.path.basename(target), os.path.dirname(target)
        if path.startswith(parent + "/"):
            m = TMP_NAME.match(path[len(parent) + 1:].split("/")[0])
            if m and m.group("name") == name:
                return True  # a temporary beside the target, or in it: leftover-temp reports the ones left
    return False


def watched_roots(case_dir, args, cwd):
    """The case directory, and inputs outside it with their parent directory (one level)."""
    roots = [(str(case_dir), 64)]
    skip = False
    for arg in args:
        arg = arg_text(arg)
        if skip or arg.startswith("-"):
            skip = arg in ("--out", "--seed", "--scale", "--threads")
            continue
        path = os.path.normpath(os.path.join(str(cwd), arg)) if arg else ""
        if (not path or not os.path.isabs(path) or path == str(case_dir) or path.startswith(str(case_dir) + "/")
                or path.split("/")[1:2] in (["proc"], ["sys"], ["dev"]) or not os.path.lexists(path)):
            continue
        # The case directory's ancestors (`../../..`, `/`) hold other processes' files: the case
        # directory itself is watched, and what lies above it is no input of this run.
        def shared(p):
            return p == "/" or str(case_dir).startswith(p.rstrip("/") + "/")
        if os.path.isdir(path) and not os.path.islink(path) and not shared(path):
            roots.append((path, 4))
        if not shared(os.path.dirname(path)):
            roots.append((os.path.dirname(path), 1))
    return list(dict.fromkeys(roots))


# ----------------------------------------------------------------------------------------------
# Runs and their checks

class Run:
    def __init__(self, args, cwd):
        self.args = args
        self.cwd = cwd
        self.rc = None
        self.timed_out = False
        self.stderr = b""
        self.stdout_bytes = 0
        self.duration = 0.0
        self.sent_signal = None
        self.pid = None
        self.signal_raced = False

    @property
    def command(self):
        return command_line(self.args)


class Case:
    def __init__(self, ctx, family, index):
        self.ctx = ctx
        self.family = family
        self.index = index
        self.id = "%s-%04d" % (family, index)
        self.rng = random.Random("%d/%s/%d" % (ctx.seed, family, index))
        self.dir = ctx.scratch / "cases" / self.id
        self.dir.mkdir(parents=True)
        self.title = ""
        self.violations = []
        self.runs = []
        self.notes = []
        self.protected = []  # (path, label, snapshot)
        self.hang_signature = None
        self.env = None  # the runs' environment when not the campaign's (ctx.env)

    def violation(self, kind, detail, run=None):
        record = {"family": self.family, "case": self.id, "title": self.title, "kind": kind, "detail": detail}
        if run is not None:
            record.update({"command": run.command, "exit": run.rc, "timed_out": run.timed_out,
                           "stderr": head_lines(run.stderr)})
        self.violations.append(record)

    def protect(self, path, label):
        """Records what is at `path` now; verify() asserts it is still there, unchanged."""
        self.protected.append((Path(path), label, snap(path)))

    def verify(self, run=None):
        for path, label, before in self.protected:
            after = snap(path)
            if after != before:
                kind = {"input": "input-modified", "foreign": "foreign-replaced", "device": "device-replaced"}[label]
                self.violation(kind, "%s: %s" % (os.path.relpath(path, self.dir), "; ".join(snap_diff(before, after))), run)

    def rel(self, path):
        return os.path.relpath(path, self.dir)

    # -- running the tool

    def run(self, args, cwd=None, timeout=None, sig=None, delay=0.0, check=True, **checks):
        run = self.start(args, cwd)
        self.finish(run, timeout=timeout, sig=sig, delay=delay)
        if check:
            self.check(run, **checks)
        return run

    def start(self, args, cwd=None):
        ctx = self.ctx
        run = Run(list(args), cwd or self.dir)
        run.roots = watched_roots(self.dir, run.args, run.cwd)
        run.tree_before = {root: tree_snapshot(root, depth) for root, depth in run.roots}
        run.out_path = ctx.scratch / "io" / ("%s-%d.out" % (self.id, len(self.runs)))
        run.err_path = ctx.scratch / "io" / ("%s-%d.err" % (self.id, len(self.runs)))
        self.runs.append(run)
        with open(run.out_path, "wb") as out, open(run.err_path, "wb") as err:
            run.started = time.monotonic()
            run.process = subprocess.Popen([ctx.bin] + run.args, cwd=run.cwd, stdin=subprocess.DEVNULL, stdout=out,
                                           stderr=err, env=self.env or ctx.env, start_new_session=True)
        run.pid = run.process.pid
        ctx.live.add(run.process)
        try:
            limit = ctx.memory_limit
            resource.prlimit(run.pid, resource.RLIMIT_AS, (limit, limit))
        except (OSError, ValueError):
            pass
        return run

    def finish(self, run, timeout=None, sig=None, delay=0.0):
        ctx = self.ctx
        timeout = timeout or ctx.timeout_for(self.hang_signature)
        if self.env and "SYNTHAUDIT_QUERY_SECONDS" in self.env:
            # The short timeout of a kind seen hanging still outlasts the query's time limit.
            timeout = max(timeout, min(ctx.timeout, float(self.env["SYNTHAUDIT_QUERY_SECONDS"]) + 3.0))
        if sig is not None:
            time.sleep(delay)
            if run.process.poll() is None:
                try:
                    os.kill(run.pid, sig)
                    run.sent_signal = sig
                except ProcessLookupError:
                    run.signal_raced = True
            else:
                run.signal_raced = True
        remaining = timeout - (time.monotonic() - run.started)
        try:
            run.process.wait(timeout=max(0.05, remaining))
        except subprocess.TimeoutExpired:
            run.timed_out = True
            try:
                os.killpg(run.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            run.process.wait()
            if self.hang_signature:
                ctx.hung.add(self.hang_signature)
        ctx.live.discard(run.process)
        run.duration = time.monotonic() - run.started
        run.rc = run.process.returncode
        with open(run.err_path, "rb") as err:
            run.stderr = err.read(1 << 16)
        run.stderr_size = os.path.getsize(run.err_path)
        run.stdout_bytes = os.path.getsize(run.out_path)
        os.unlink(run.out_path)
        os.unlink(run.err_path)
        self.check_writes(run)

    def check_writes(self, run):
        """A file that appeared (or a file that changed) outside the run's output targets."""
        targets = output_targets(run.args, run.cwd)
        protected = [str(path) for path, _, _ in self.protected]
        found = []
        for root, depth in run.roots:
            before, after = run.tree_before[root], tree_snapshot(root, depth)
            for path, info in sorted(after.items()):
                old = before.get(path)
                if old == info or (old is not None and (old[0] == "dir" or info[0] == "dir")):
                    continue
                if old is not None and any(path == p or path.startswith(p + "/") for p in protected):
                    continue  # a protected input: input-modified says it
                if allowed_write(path, targets):
                    continue
                found.append(("new " if old is None else "changed ") + os.path.relpath(path, self.dir))
        if found:
            self.violation("write-outside-out", "%s%s" % (", ".join(found[:4]), " and %d more" % (len(found) - 4) if len(found) > 4 else ""),
                           run)

    def check(self, run, names=(), positional=False, bands_check=False, memory_note=False):
        """The checks every run gets: signals, hangs, exit code, the error line."""
        if run.timed_out:
            self.violation("hang", "no exit within %.0f s" % run.duration, run)
            return
        rc = run.rc
        if rc < 0:
            number = -rc
            name = signal.Signals(number).name if number in signal.valid_signals() else str(number)
            if run.sent_signal == number:
                pass
            elif number in CRASH_SIGNALS:
                extra = " (the run had a %d GiB address-space limit)" % (self.ctx.memory_limit >> 30) if memory_note else ""
                self.violation("crash", "killed by %s%s" % (name, extra), run)
                return
            else:
                self.violation("killed-by-signal", "killed by %s" % name, run)
                return
        elif rc not in DOCUMENTED_EXITS and not (run.sent_signal and rc == 128 + run.sent_signal):
            self.violation("undocumented-exit", "exit %d" % rc, run)
        try:
            text = run.stderr.decode("utf-8")
        except UnicodeDecodeError:
            self.violation("stderr-not-utf8", "standard error is not valid UTF-8", run)
            text = run.stderr.decode("utf-8", "replace")
        bad = [c for c in text if c != "\n" and unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")]
        if bad:
            self.violation("stderr-control-bytes", "raw %s in standard error" % ", ".join(sorted({printable(c) for c in bad})[:4]), run)
        if rc == 1 and text.startswith("Error: "):
            # The argument parser's report of an error the command did not catch: exit 1 then
            # reads as "a check failed".
            self.violation("uncaught-error", "exit 1 with the argument parser's 'Error: ...' (an uncaught error)", run)
        if rc not in ERROR_EXITS:
            return
        if getattr(run, "stderr_size", 0) > len(run.stderr):
            # A message that echoes a whole hostile value (a megabyte expression) has no end to check.
            self.violation("stderr-too-long", "%d bytes on standard error for exit %d" % (run.stderr_size, rc), run)
            return
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if bands_check and rc == 65:
            # `bands check` prints one `FILE:LINE: message` per problem, then a summary line.
            if not lines or not lines[-1].startswith("synthaudit: ") or not all(
                    re.match(r"^.+:\d+: \S", line) for line in lines[:-1]):
                self.violation("stderr-format", "not the documented 'FILE:LINE: message' lines and a 'synthaudit: ' summary", run)
        elif text.startswith("Error: ") and "Usage:" in text:
            self.violation("usage-format", "argument parser's multi-line 'Error: ... Usage: ...' instead of one 'synthaudit: ' line", run)
        elif len(lines) != 1 or not lines[0].strip():
            self.violation("stderr-not-one-line", "%d lines on standard error for exit %d" % (len([l for l in lines if l]), rc), run)
        elif not lines[0].startswith("synthaudit: "):
            self.violation("stderr-prefix", "error line does not start with 'synthaudit: '", run)
        # A name with control characters may be shown escaped: its longest printable run must appear.
        shown = [max(re.split(r"[\x00-\x1f\x7f]", os.path.basename(str(n)) or str(n)), key=len) for n in names]
        if names and rc in (64, 65, 66, 74) and not any(n in text for n in shown):
            self.violation("message-no-file", "error does not name %s" % " or ".join("'%s'" % n for n in list(names)[:3]), run)
        if positional and rc == 65 and CSV_PARSE_WORDS.search(text) and ".csv" in text:
            if not (re.search(r"line \d+", text) and re.search(r"column \d+", text)):
                self.violation("csv-no-position", "CSV parse error without 'line N' and 'column M'", run)


# ----------------------------------------------------------------------------------------------
# Outputs

# `.NAME.tmp-PID`, `.NAME.tmp-PID-N` (one per staging) and `.NAME.old-PID`.
TMP_NAME = re.compile(r"^\.(?P<name>.+)\.(?P<kind>tmp|old)-(?P<pid>\d+)(-\d+)?$")


def target_name(path):
    text = str(path)
    while len(text) > 1 and text.endswith("/"):
        text = text[:-1]
    return os.path.basename(text), os.path.dirname(text)


def leftovers(path):
    name, parent = target_name(path)
    try:
        entries = os.listdir(parent or ".")
    except OSError:
        return []
    return sorted(e for e in entries if (m := TMP_NAME.match(e)) and m.group("name") == name)


def creators_complete(path, expected=None):
    """Problems with a generated creators folder (empty list: complete)."""
    if not os.path.isdir(path):
        return ["not a directory"]
    problems = []
    for name in CREATOR_FILES + ["manifest.json", "anomalies.json"]:
        if not os.path.isfile(os.path.join(path, name)) or os.path.getsize(os.path.join(path, name)) == 0:
            problems.append("%s missing or empty" % name)
    if not problems:
        try:
            manifest = json.loads(Path(path, "manifest.json").read_bytes())
            assert isinstance(manifest, dict)
        except Exception:
            problems.append("manifest.json does not parse")
    if not problems and expected is not None:
        actual = {n: sha256_file(os.path.join(path, n)) for n in sorted(os.listdir(path))}
        if actual not in expected:
            problems.append("files differ from every complete run's output")
    return problems


def saas_complete(path, expected=None):
    if not os.path.isfile(path):
        return ["not a regular file"]
    if expected is not None:
        return [] if sha256_file(path) in expected else ["bytes differ from every complete run's output"]
    try:
        db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        ok = db.execute("PRAGMA quick_check").fetchone()[0]
        db.close()
    except sqlite3.Error as error:
        return ["not a database: %s" % error]
    problems = ["table %s missing" % t for t in SAAS_TABLES if t not in tables]
    if ok != "ok":
        problems.append("quick_check: %s" % ok)
    return problems


def report_complete(path, expected=None):
    if not os.path.isdir(path):
        return ["not a directory"]
    problems = []
    try:
        data = Path(path, "report.json").read_bytes()
        report = json.loads(data)
        if not isinstance(report, dict) or "metrics" not in report:
            problems.append("report.json has no metrics")
    except Exception as error:
        return ["report.json does not parse (%s)" % type(error).__name__]
    if not os.path.isfile(os.path.join(path, "report.md")):
        problems.append("report.md missing")
    if not problems and expected is not None and hashlib.sha256(data).hexdigest() not in expected:
        problems.append("report.json differs from the complete report")
    return problems


def markdown_control_bytes(case, run, path):
    """report.md may hold no raw control byte but line feed and tab (a hostile value must be escaped)."""
    try:
        if not os.path.isfile(path) or os.path.islink(path):
            return
        data = Path(path).read_bytes()
    except OSError:
        return
    bad = sorted({b for b in data if (b < 0x20 and b not in (0x0A, 0x09)) or b == 0x7F})
    if bad:
        at = min(data.find(bytes([b])) for b in bad)
        line = data.count(b"\n", 0, at) + 1
        case.violation("control-bytes-in-report", "raw %s in %s (first on line %d)"
                       % (", ".join("\\x%02x" % b for b in bad[:4]), case.rel(path), line), run)


COMPLETE = {"creators": creators_complete, "saas": saas_complete, "report": report_complete}


class Target:
    """An output path: complete after success, unchanged after failure, no temporaries left."""

    def __init__(self, case, path, kind, expected=None, old_ok=True):
        self.case = case
        self.path = Path(path)
        self.kind = kind
        self.expected = expected
        self.before = snap(self.path)
        self.old_ok = old_ok

    def check(self, run, wrote=None, killed=False):
        case = self.case
        if run.timed_out:
            return
        if wrote is None:
            wrote = run.rc == 0 or (self.kind == "report" and run.rc in (1, 2))
        now = snap(self.path)
        if wrote:
            problems = COMPLETE[self.kind](str(self.path), self.expected)
            if problems:
                case.violation("incomplete-output", "exit %s but %s: %s" % (run.rc, case.rel(self.path), "; ".join(problems)), run)
            if self.kind == "report":
                markdown_control_bytes(case, run, self.path / "report.md")
        elif now != self.before:
            if self.before is not None and now is None:
                case.violation("target-lost", "%s existed and is gone after a failed run" % case.rel(self.path), run)
            elif self.before is None or not killed:
                problems = COMPLETE[self.kind](str(self.path), self.expected) if now is not None else []
                if now is not None and problems:
                    case.violation("partial-output", "%s after exit %s: %s" % (case.rel(self.path), run.rc, "; ".join(problems)), run)
                elif not killed:
                    case.violation("partial-output", "%s changed although the run failed (exit %s)" % (case.rel(self.path), run.rc), run)
        left = leftovers(self.path)
        if left and not (killed and run.sent_signal == signal.SIGKILL):
            case.violation("leftover-temp", "left %s beside the target" % ", ".join(left), run)
        return left


# ----------------------------------------------------------------------------------------------
# The context: binary, scratch, base datasets

class Context:
    def __init__(self, args):
        self.args = args
        self.seed = args.seed
        self.bin = args.bin
        self.timeout = args.timeout
        self.memory_limit = args.memory_limit << 30
        self.scratch = Path(tempfile.mkdtemp(prefix="synthaudit-fuzz-"))
        (self.scratch / "io").mkdir()
        (self.scratch / "cases").mkdir()
        self.base = self.scratch / "base"
        self.base.mkdir()
        # Runs use a copy: a rebuild during the campaign does not mix two binaries.
        self.bin_sha = sha256_file(args.bin)
        self.bin_time = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(os.stat(args.bin).st_mtime))
        self.bin = str(self.scratch / "synthaudit")
        shutil.copy2(args.bin, self.bin)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("SYNTHAUDIT_")}
        self.env["LC_ALL"] = "C.UTF-8"
        self.live = set()
        self.hung = set()
        self.is_root = os.geteuid() == 0

    def timeout_for(self, signature):
        # A kind of case already seen hanging gets a short timeout: its later variants cost less.
        if signature is not None and signature in self.hung:
            return min(self.timeout, 3.0)
        return self.timeout

    def tool(self, *args, cwd=None):
        result = subprocess.run([self.bin] + list(args), cwd=cwd or self.base, env=self.env, capture_output=True, timeout=300)
        if result.returncode not in (0, 1):
            raise SystemExit("fuzz: setup failed: %s -> exit %d\n%s" % (command_line(args), result.returncode,
                                                                       result.stderr.decode("utf-8", "replace")))
        return result

    def timed(self, *args):
        started = time.monotonic()
        self.tool(*args)
        return time.monotonic() - started

    def setup(self, families):
        b = self.base
        self.tool("generate", "creators", "--seed", "1", "--scale", "0.02", "--out", "creators", "--quiet")
        self.creators = b / "creators"
        self.tables = {}
        for name in CREATOR_FILES:
            with open(self.creators / name, newline="", encoding="utf-8") as handle:
                rows = list(csv.reader(handle))
            self.tables[name] = (rows[0], rows[1:])
        self.creators_hashes = {1: {n: sha256_file(self.creators / n) for n in sorted(os.listdir(self.creators))}}
        self.saas = b / "saas.db"
        self.tool("generate", "saas", "--seed", "1", "--out", "saas.db", "--quiet")
        self.saas_hashes = {1: sha256_file(self.saas)}
        self.base_exit = {"saas": self.tool("audit", "saas.db", "--out", "report-saas", "--quiet").returncode,
                          "creators": self.tool("audit", "creators", "--out", "report-creators", "--quiet").returncode}
        self.report_saas = b / "report-saas"
        self.report_creators = b / "report-creators"
        self.profile_text = (b"profile: creators\nname: fuzz\nwindow: [2023-01, 2024-12]\nvalues:\n"
                             b"  pledges.pledge_status:\n    cancelled: churned\n")
        self.bands = {name: (REPO / "bands" / name).read_bytes() for name in ("creators.yaml", "saas.yaml")}
        probe = b / "probe-dev"
        try:
            os.mknod(probe, 0o644 | stat.S_IFCHR, os.makedev(1, 7))
            self.can_mknod = True
            os.unlink(probe)
        except OSError:
            self.can_mknod = False
        if "concurrency" in families or "output" in families:
            for seed in (2, 3):
                self.tool("generate", "saas", "--seed", str(seed), "--out", "saas-%d.db" % seed, "--quiet")
                self.saas_hashes[seed] = sha256_file(b / ("saas-%d.db" % seed))
            self.tool("generate", "creators", "--seed", "2", "--scale", "0.02", "--out", "creators-2", "--quiet")
            self.creators_hashes[2] = {n: sha256_file(b / "creators-2" / n) for n in sorted(os.listdir(b / "creators-2"))}
        if "mapping" in families or "values" in families:
            setup_examples(self)
        if "kills" in families:
            scale = str(self.args.kill_scale)
            self.kill_times = {}
            self.kill_times["creators"] = self.timed("generate", "creators", "--seed", "1", "--scale", scale, "--out", "kill-1", "--quiet")
            self.timed("generate", "creators", "--seed", "2", "--scale", scale, "--out", "kill-2", "--quiet")
            self.kill_hashes = {s: {n: sha256_file(b / ("kill-%d" % s) / n) for n in sorted(os.listdir(b / ("kill-%d" % s)))}
                                for s in (1, 2)}
            self.kill_times["saas"] = self.timed("generate", "saas", "--seed", "1", "--out", "kill-saas.db", "--quiet")
            self.kill_times["audit"] = self.timed("audit", "kill-1", "--out", "kill-report", "--quiet")
            self.kill_report_hash = sha256_file(b / "kill-report" / "report.json")
            self.kill_input_stat = {n: (os.stat(b / "kill-1" / n).st_size, os.stat(b / "kill-1" / n).st_mtime_ns)
                                    for n in os.listdir(b / "kill-1")}

    def copy_creators(self, case, name="in"):
        target = case.dir / name
        shutil.copytree(self.creators, target)
        return target

    def copy_saas(self, case, name="x.db"):
        target = case.dir / name
        shutil.copyfile(self.saas, target)
        return target

    def cleanup(self):
        for process in list(self.live):
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()
        remove(self.scratch)


# ----------------------------------------------------------------------------------------------
# Family: csv

JUNK_VALUES = ["", "abc", "NaN", "nan", "inf", "-inf", "1e308", "-1e308", "1e309", "-0", "-0.00", "0", "-1", "9" * 40,
               "-" + "9" * 25, "18446744073709551616", "9223372036854775807", "-9223372036854775808", "9999-12-31",
               "0001-01-01", "0000-00-00", "9999-12-31 23:59:59", "0001-01-01 00:00:00", "2024-02-30", "2024-13-01 00:00:00",
               "2023-06-15T25:61:61Z", "2024-01-01 00:00:00+99:99", "2024-01-01T00:00:00.", "1899-12-31 23:59:59",
               "2200-01-01 00:00:00", "1900-01-01", " 1", "1 ", "1.005", "\u0661\u0662", "true", "TRUE", "null", "NULL",
               "\"", "'", "\U0001F4A5", "\u202e", "0x1F", "1_000", "+-1", "12.3.4", ".", "-", "1e", "x" * 5000,
               "2024-06-01 12:00:00Z", "2024-06-01T12:00:00.123456789+05:30", "2023-01-01 00:00:60", "１２"]


def csv_mutation(rng, ctx, data, name):
    """One mutation of a CSV file's bytes: (bytes or None to delete, description, flags)."""
    header, rows = ctx.tables[name]
    kind = rng.choice(["byte_flip", "truncate", "insert_quote", "insert_cr", "insert_lf", "insert_nul", "insert_bom",
                       "invalid_utf8", "huge_field", "ragged", "header_drop", "header_dup", "header_rename",
                       "header_add", "header_reorder", "empty", "header_only", "bom_only", "utf16", "latin1",
                       "junk_values", "extreme_dates", "delete", "dup_rows", "blank_lines", "crlf", "cr_only",
                       "no_final_newline", "long_line", "quote_garbage", "unterminated", "control_chars", "whitespace",
                       "junk_values", "junk_values", "byte_flip", "quote_all", "header_reorder", "crlf"])
    size = len(data)
    pos = rng.randrange(size) if size else 0
    flags = set()
    if kind == "byte_flip":
        out = bytearray(data)
        count = rng.randint(1, 8)
        for _ in range(count):
            p = rng.randrange(len(out))
            out[p] = rng.randrange(256) if rng.random() < 0.5 else out[p] ^ (1 << rng.randrange(8))
        return bytes(out), "%d byte flips" % count, {"structural"}
    if kind == "truncate":
        cut = rng.choice([0, 1, rng.randrange(size), data.find(b"\n") + 1, max(0, size - 1), rng.randrange(size)])
        return data[:cut], "truncated to %d of %d bytes" % (cut, size), {"structural"}
    if kind in ("insert_quote", "insert_cr", "insert_lf", "insert_nul", "insert_bom", "invalid_utf8", "control_chars"):
        piece = {"insert_quote": b'"', "insert_cr": b"\r", "insert_lf": b"\n", "insert_nul": b"\x00",
                 "insert_bom": b"\xef\xbb\xbf",
                 "invalid_utf8": rng.choice([b"\xff", b"\xc3", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe2\x82", b"\x80"]),
                 "control_chars": rng.choice([b"\x1b[31m", b"\x01", b"\x07", b"\x7f", b"\x1b]0;x\x07", b"\x08\x08"])}[kind]
        if kind == "insert_bom" and rng.random() < 0.3:
            pos = 0
            if not data.startswith(b"\xef\xbb\xbf"):
                flags.add("valid")
        if kind == "invalid_utf8" or kind == "insert_nul":
            flags.add("must_reject")
        return data[:pos] + piece + data[pos:], "%r inserted at byte %d" % (piece, pos), flags | {"structural"}
    if kind == "huge_field":
        length = rng.choice([40_000, 70_000, 1_100_000])
        row = rng.randrange(len(rows))
        col = rng.randrange(len(header))
        new_rows = [list(r) for r in rows]
        piece = rng.choice(["A", "9", "é", "a,b\nc"])
        new_rows[row][col] = piece * (length // len(piece))
        return write_table(header, new_rows), "field %d of row %d is %d chars" % (col + 1, row + 2, len(new_rows[row][col])), set()
    if kind in ("ragged", "long_line"):
        new_rows = [list(r) for r in rows]
        row = rng.randrange(len(rows))
        if kind == "long_line":
            new_rows[row] = new_rows[row] + ["x"] * 5000
            what = "row %d has 5000 extra fields" % (row + 2)
        elif rng.random() < 0.5:
            new_rows[row].append("extra")
            what = "row %d has an extra field" % (row + 2)
        else:
            new_rows[row].pop()
            what = "row %d lacks its last field" % (row + 2)
        return write_table(header, new_rows), what, {"structural", "must_reject"}
    if kind == "header_drop":
        col = rng.randrange(len(header))
        return (write_table(header[:col] + header[col + 1:], [r[:col] + r[col + 1:] for r in rows]),
                "column %s dropped" % header[col], {"header"})
    if kind == "header_dup":
        a, b = rng.sample(range(len(header)), 2)
        new_header = list(header)
        if rng.random() < 0.3:
            new_header[a] = rng.choice(["x\ny", "x\r\ny", "\x1b[31mx", "x\x07"])
        new_header[b] = new_header[a]
        return write_table(new_header, rows), "column %s renamed to %s (duplicate)" % (header[b], header[a]), {"header"}
    if kind == "header_rename":
        col = rng.randrange(len(header))
        new = rng.choice(["", " " + header[col], header[col].upper(), header[col] + " ", "x" * 300, "\u00e9" + header[col],
                          header[col] + "\x1b[0m", "id", "a,b", "a\nb", header[col] + "\r"])
        new_header = list(header)
        new_header[col] = new
        return write_table(new_header, rows), "column %s renamed to %r" % (header[col], new), {"header"}
    if kind == "header_add":
        return write_table(header + ["zz_extra"], [r + [str(i)] for i, r in enumerate(rows)]), "extra column zz_extra", {"valid"}
    if kind == "header_reorder":
        order = list(range(len(header)))
        rng.shuffle(order)
        return write_table([header[i] for i in order], [[r[i] for i in order] for r in rows]), "columns reordered", {"valid"}
    if kind == "quote_all":
        # Every non-empty field quoted (an empty unquoted field is a null, so those stay bare).
        quote = lambda f: '"' + f.replace('"', '""') + '"' if f else ""
        text = "\n".join(",".join(quote(f) for f in row) for row in [header] + rows) + "\n"
        return text.encode(), "every non-empty field quoted", {"valid"}
    if kind == "empty":
        return b"", "empty file", {"must_reject"}
    if kind == "header_only":
        line = data.split(b"\n", 1)[0]
        return line + rng.choice([b"\n", b"", b"\r\n"]), "header only", {"must_reject"}
    if kind == "bom_only":
        return b"\xef\xbb\xbf", "only a byte-order mark", {"must_reject"}
    if kind == "utf16":
        encoding = rng.choice(["utf-16", "utf-16-le", "utf-16-be"])
        return data.decode("utf-8").encode(encoding), "encoded as %s" % encoding, {"must_reject"}
    if kind == "latin1":
        line = data.find(b"\n") + 1 + rng.randrange(max(1, size - data.find(b"\n") - 1))
        return data[:line] + b"caf\xe9" + data[line:], "latin-1 'caf\\xe9' inserted at byte %d" % line, {"must_reject", "structural"}
    if kind in ("junk_values", "extreme_dates"):
        new_rows = [list(r) for r in rows]
        if kind == "extreme_dates":
            cols = [i for i, h in enumerate(header) if h.endswith("_at") or "date" in h] or [0]
            value = rng.choice(["9999-12-31 23:59:59", "0001-01-01 00:00:00", "9999-12-31", "0001-01-01", "1970-01-01 00:00:00"])
            for r in new_rows:
                for c in cols:
                    r[c] = value
            return write_table(header, new_rows), "every date column is %s" % value, set()
        col = rng.randrange(len(header))
        value = rng.choice(JUNK_VALUES)
        which = rng.choice(["one", "some", "all"])
        chosen = range(len(new_rows)) if which == "all" else rng.sample(range(len(new_rows)), 1 if which == "one" else min(5, len(new_rows)))
        for r in chosen:
            new_rows[r][col] = value
        return write_table(header, new_rows), "%s %s := %r" % (which, header[col], value[:40]), set()
    if kind == "delete":
        return None, "file deleted", set()
    if kind == "dup_rows":
        new_rows = list(rows) + rng.sample(rows, min(3, len(rows)))
        return write_table(header, new_rows), "3 rows duplicated", set()
    if kind == "blank_lines":
        return data.replace(b"\n", b"\n\n", rng.randint(1, 20)), "blank lines", {"valid"}
    if kind == "crlf":
        return data.replace(b"\n", b"\r\n"), "CRLF line ends", {"valid"}
    if kind == "cr_only":
        return data.replace(b"\n", b"\r"), "CR-only line ends", {"valid"}
    if kind == "no_final_newline":
        return data.rstrip(b"\n"), "no final newline", {"valid"}
    if kind == "quote_garbage":
        new = data.split(b"\n")
        line = rng.randrange(1, max(2, len(new) - 1))
        new[line] = b'"abc"x,' + new[line]
        return b"\n".join(new), "text after a closing quote on line %d" % (line + 1), {"structural", "must_reject"}
    if kind == "unterminated":
        return data.rstrip(b"\n") + b'"unterminated\n', "unterminated quote at the end", {"structural", "must_reject"}
    if kind == "whitespace":
        return data.replace(b",", b" , ", rng.randint(1, 50)), "spaces around separators", set()
    raise AssertionError(kind)


REPORT_PARTS = ("metrics", "checks", "integrity", "anomalies", "summary", "conflicts", "skipped")


def same_report(case, run, out, reference, expected_exit, parts=REPORT_PARTS):
    """A transformation that keeps the data's meaning must keep the exit status and the report."""
    if run.timed_out or run.rc < 0:
        return
    if run.rc != expected_exit:
        case.violation("rejected-valid-input", "exit %s for data equivalent to the original (exit %d)" % (run.rc, expected_exit), run)
        return
    try:
        got = json.loads((out / "report.json").read_bytes())
        want = json.loads((reference / "report.json").read_bytes())
    except (OSError, ValueError):
        return
    # The database's size in bytes is a measure of the file, not of its data.
    for report in (got, want):
        report.get("metrics", {}).pop("database.size_bytes", None)
        if isinstance(report.get("checks"), list):
            report["checks"] = [c for c in report["checks"] if c.get("metric") != "database.size_bytes"]
        report.pop("summary", None)
    differ = [p for p in parts if got.get(p) != want.get(p)]
    if differ:
        detail = []
        for part in differ[:3]:
            a, b = got.get(part), want.get(part)
            if isinstance(a, dict) and isinstance(b, dict):
                keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
                detail.append("%s: %s" % (part, ", ".join(keys[:4])))
            else:
                detail.append(part)
        case.violation("report-changed", "equivalent data, different report (%s)" % "; ".join(detail), run)


def family_csv(case):
    ctx, rng = case.ctx, case.rng
    source = ctx.copy_creators(case)
    names = rng.sample(CREATOR_FILES, rng.choice([1, 1, 1, 2]))
    titles, flags, valid = [], set(), True
    for name in names:
        path = source / name
        data, what, extra = csv_mutation(rng, ctx, path.read_bytes(), name)
        if data is None:
            path.unlink()
        else:
            path.write_bytes(data)
        titles.append("%s: %s" % (name, what))
        flags |= extra
        valid = valid and "valid" in extra
    if rng.random() < 0.1:
        (source / rng.choice(["zz_junk.csv", "notes.txt", ".hidden.csv"])).write_bytes(bytes(rng.randrange(256) for _ in range(200)))
        titles.append("unrelated file added")
    case.title = "; ".join(titles)
    case.protect(source, "input")
    args = ["audit", "in"]
    target = None
    mode = rng.random()
    if mode < 0.6 or valid:
        target = Target(case, case.dir / "out", "report")
        args += ["--out", "out", "--quiet"]
    elif mode < 0.7:
        target = Target(case, case.dir / "out", "report")
        args += ["--profile", "creators", "--out", "out"]
    if rng.random() < 0.1 and not valid:
        args.append("--strict")
    run = case.run(args, names=names, positional="structural" in flags)
    if target:
        target.check(run)
    case.verify(run)
    if valid:
        same_report(case, run, case.dir / "out", ctx.report_creators, ctx.base_exit["creators"])
    if "must_reject" in flags and not run.timed_out and run.rc in (0, 1, 2):
        case.violation("accepted-bad-input", "exit %d for a file the specification calls malformed" % run.rc, run)


# ----------------------------------------------------------------------------------------------
# Family: sqlite

ODD_SQL_VALUES = [None, "abc", "", "0001-01-01", "9999-12-01", "9999-12-31", "0000-00-00", "2024-02-30", -100, -0.01,
                  2 ** 63 - 1, -2 ** 63, 1e308, -1e308, float("inf"), b"\xff\x00\xfe", "x" * 100_000, "\u0661", "NaN",
                  "2023-01-01 00:00:00", " 2023-01-01", "2023-1-1", "Starter ", "enterprise", "\x1b[31mred", 0, 1.5e-300]


def sqlite_views(db):
    return [(n, s) for n, s in db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'view'")]


def sqlite_mutation(rng, path):
    """Mutates the database at `path`: (description, flags)."""
    kind = rng.choice(["truncate", "page_corrupt", "header_corrupt", "drop_table", "rename_table", "drop_column",
                       "odd_values", "odd_values", "odd_values", "empty_table", "junk_rows", "not_db", "empty_file",
                       "directory", "hot_journal", "extra_table", "drop_views", "locked", "utf16_db", "odd_values",
                       "shuffle_rows", "vacuum_pagesize", "weird_table_name", "wal"])
    data = path.read_bytes()
    size = len(data)
    page = int.from_bytes(data[16:18], "big") or 65536
    if kind == "truncate":
        cut = rng.choice([0, 1, 50, 100, page, page * rng.randrange(1, max(2, size // page)), rng.randrange(size)])
        path.write_bytes(data[:cut])
        return "truncated to %d of %d bytes" % (cut, size), {"corrupt"}
    if kind == "page_corrupt":
        out = bytearray(data)
        index = rng.randrange(1, size // page)
        how = rng.choice(["random", "zeros", "flips"])
        start = index * page
        if how == "random":
            out[start:start + page] = bytes(rng.randrange(256) for _ in range(page))
        elif how == "zeros":
            out[start:start + page] = bytes(page)
        else:
            for _ in range(rng.randint(1, 16)):
                out[start + rng.randrange(page)] ^= 1 << rng.randrange(8)
        path.write_bytes(bytes(out))
        return "page %d: %s" % (index + 1, how), {"corrupt"}
    if kind == "header_corrupt":
        out = bytearray(data)
        field = rng.choice(["magic", "page_size", "versions", "reserved", "fractions", "page_count", "schema_format",
                            "encoding", "freelist", "random"])
        if field == "magic":
            out[rng.randrange(16)] ^= 0x20
        elif field == "page_size":
            out[16:18] = rng.choice([b"\x00\x00", b"\x00\x01", b"\x00\x03", b"\xff\xff", b"\x02\x00", b"\x80\x00"])
        elif field == "versions":
            out[18:20] = rng.choice([b"\x00\x00", b"\xff\xff", b"\x02\x02", b"\x03\x01"])
        elif field == "reserved":
            out[20] = rng.choice([255, 200, 64])
        elif field == "fractions":
            out[21:24] = bytes(rng.randrange(256) for _ in range(3))
        elif field == "page_count":
            out[28:32] = rng.choice([b"\xff\xff\xff\xff", b"\x00\x00\x00\x00", b"\x00\x00\x00\x01"])
        elif field == "schema_format":
            out[44:48] = rng.choice([b"\x00\x00\x00\x05", b"\x00\x00\x00\x00", b"\xff\xff\xff\xff"])
        elif field == "encoding":
            out[56:60] = rng.choice([b"\x00\x00\x00\x02", b"\x00\x00\x00\x03", b"\x00\x00\x00\x09"])
        elif field == "freelist":
            out[32:40] = bytes(rng.randrange(256) for _ in range(8))
        else:
            for _ in range(4):
                out[rng.randrange(100)] = rng.randrange(256)
        path.write_bytes(bytes(out))
        return "header field %s corrupted" % field, {"corrupt"}
    if kind == "not_db":
        path.write_bytes(rng.choice([b"hello, world\n", b"SQLite format 3", b"SQLite format 3\x00" + bytes(84),
                                     bytes(rng.randrange(256) for _ in range(rng.choice([10, 4096, 20000]))),
                                     b"customer_id,email\n1,a@b\n"]))
        return "not a database", {"corrupt"}
    if kind == "empty_file":
        path.write_bytes(b"")
        return "empty file", {"corrupt"}
    if kind == "directory":
        path.unlink()
        path.mkdir()
        if rng.random() < 0.5:
            (path / "day06_customers").write_text("x")
        return "a directory named %s" % path.name, set()
    if kind == "hot_journal":
        journal = Path(str(path) + "-journal")
        journal.write_bytes(rng.choice([b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7" + bytes(rng.randrange(256) for _ in range(600)),
                                        bytes(rng.randrange(256) for _ in range(512)), b""]))
        return "a rollback journal beside it", {"journal"}
    if kind == "locked":
        return "held under an exclusive lock while audited", {"locked"}
    db = sqlite3.connect(str(path), isolation_level=None)
    db.execute("PRAGMA ignore_check_constraints = ON")
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        if kind == "utf16_db":
            db.close()
            fresh = Path(str(path) + ".new")
            old = sqlite3.connect(str(path))
            script = "\n".join(old.iterdump())
            old.close()
            new = sqlite3.connect(str(fresh), isolation_level=None)
            new.execute("PRAGMA encoding = 'UTF-16le'")
            new.executescript(script)
            new.close()
            os.replace(fresh, path)
            return "re-encoded as UTF-16le", {"valid"}
        if kind == "vacuum_pagesize":
            size = rng.choice([512, 1024, 2048, 8192])  # larger pages fail the database.size_bytes band
            db.execute("PRAGMA page_size = %d" % size)
            db.execute("VACUUM")
            return "vacuumed with %d-byte pages" % size, {"valid"}
        if kind == "wal":
            db.execute("PRAGMA journal_mode = WAL")
            return "switched to WAL journal mode", {"valid"}
        if kind == "weird_table_name":
            name = rng.choice(['zz"q', "zz'q", "zz\x1b[31mred", "zz\nline", "zz q;", "day06_customers_backup", "zz\u00e9"])
            db.execute('CREATE TABLE "%s" (a)' % name.replace('"', '""'))
            db.execute('INSERT INTO "%s" VALUES (1)' % name.replace('"', '""'))
            return "extra table named %r" % name, {"valid"}
        if kind == "shuffle_rows":
            table = rng.choice(SAAS_TABLES)
            rows = db.execute("SELECT * FROM %s" % table).fetchall()
            rng.shuffle(rows)
            db.execute("BEGIN")
            db.execute("DELETE FROM %s" % table)
            db.executemany("INSERT INTO %s VALUES (%s)" % (table, ", ".join("?" * len(rows[0]))), rows)
            db.execute("COMMIT")
            db.execute("VACUUM")
            return "rows of %s stored in another order" % table, {"valid"}
        table = rng.choice(SAAS_TABLES)
        if kind == "drop_table":
            tables = rng.sample(SAAS_TABLES, rng.choice([1, 1, 2, 3]))
            for t in tables:
                db.execute("DROP TABLE %s" % t)
            return "dropped %s" % ", ".join(tables), {"missing_table"}
        if kind == "rename_table":
            db.execute("PRAGMA legacy_alter_table = ON")
            db.execute("ALTER TABLE %s RENAME TO %s_old" % (table, table))
            return "renamed %s" % table, {"missing_table"}
        if kind == "drop_views":
            for name, _ in sqlite_views(db):
                db.execute("DROP VIEW %s" % name)
            return "views dropped", set()
        if kind == "extra_table":
            db.execute("CREATE TABLE zz_notes (a, b)")
            db.execute("INSERT INTO zz_notes VALUES (1, 'x'), (NULL, X'ff')")
            return "unrelated table added", {"valid"}
        columns = [r[1] for r in db.execute("PRAGMA table_info(%s)" % table)]
        if kind == "drop_column":
            column = rng.choice(columns)
            views = sqlite_views(db)
            for name, _ in views:
                db.execute("DROP VIEW %s" % name)
            kept = [c for c in columns if c != column]
            db.execute("CREATE TABLE zz_new AS SELECT %s FROM %s" % (", ".join(kept), table))
            db.execute("DROP TABLE %s" % table)
            db.execute("ALTER TABLE zz_new RENAME TO %s" % table)
            for name, sql in views:
                try:
                    db.execute(sql)
                except sqlite3.Error:
                    pass
            return "dropped column %s.%s" % (table, column), {"missing_column"}
        if kind == "empty_table":
            db.execute("DELETE FROM %s" % table)
            return "emptied %s" % table, {"empty_table"}
        if kind == "junk_rows":
            count = rng.choice([100, 1000, 3000])
            rows = [tuple(rng.choice(ODD_SQL_VALUES[:-9] + [rng.randrange(-10 ** 6, 10 ** 6), "id_%d" % rng.randrange(10 ** 9)])
                          for _ in columns) for _ in range(count)]
            db.execute("BEGIN")
            db.executemany("INSERT OR IGNORE INTO %s VALUES (%s)" % (table, ", ".join("?" * len(columns))), rows)
            db.execute("COMMIT")
            return "%d junk rows into %s" % (count, table), set()
        if kind == "odd_values":
            column = rng.choice(columns)
            value = rng.choice(ODD_SQL_VALUES)
            total = db.execute("SELECT COUNT(*) FROM %s" % table).fetchone()[0]
            which = rng.choice(["one", "some", "all"])
            if which == "all":
                db.execute("UPDATE OR IGNORE %s SET %s = ?" % (table, column), (value,))
            else:
                rowids = rng.sample(range(1, total + 1), 1 if which == "one" else min(10, total))
                db.executemany("UPDATE OR IGNORE %s SET %s = ? WHERE rowid = ?" % (table, column), [(value, r) for r in rowids])
            shown = value if not isinstance(value, str) or len(value) < 40 else "%d chars" % len(value)
            return "%s %s.%s := %r" % (which, table, column, shown), set()
    finally:
        try:
            db.close()
        except Exception:
            pass
    raise AssertionError(kind)


def family_sqlite(case):
    ctx, rng = case.ctx, case.rng
    name = rng.choice(["x.db", "saas.db", "data.sqlite"])
    path = ctx.copy_saas(case, name)
    try:
        what, flags = sqlite_mutation(rng, path)
    except sqlite3.Error as error:
        what, flags = "mutation failed (%s); original database" % error, set()
    case.title = what
    case.protect(path, "input")
    args = ["audit", name]
    target = None
    if rng.random() < 0.6 or flags & {"valid", "missing_table", "missing_column", "empty_table"}:
        target = Target(case, case.dir / "out", "report")
        args += ["--out", "out", "--quiet"]
    if rng.random() < 0.2:
        args += ["--profile", "saas"]
    lock = None
    if "locked" in flags:
        lock = sqlite3.connect(str(path), isolation_level=None, timeout=0)
        lock.execute("BEGIN EXCLUSIVE")
    tables = re.findall(r"day06_\w+", what)
    try:
        run = case.run(args, names=[name] + tables)
    finally:
        if lock:
            lock.execute("ROLLBACK")
            lock.close()
    if target:
        target.check(run)
    case.verify(run)
    if flags & {"missing_table", "missing_column", "empty_table"} and run.rc in (0, 1) and not run.timed_out:
        # The spec lets a missing table disable the checks that need it, if the report says which.
        try:
            report = json.loads((case.dir / "out" / "report.json").read_bytes())
            base = json.loads((ctx.report_saas / "report.json").read_bytes())
        except (OSError, ValueError):
            report = base = None
        if report is not None:
            skipped = json.dumps(report.get("skipped", []))
            missing = re.findall(r"day06_\w+", what)
            column = re.search(r"day06_\w+\.(\w+)", what)
            if "missing_column" in flags and column:
                changed = {k for k in set(report["metrics"]) | set(base["metrics"])
                           if k != "database.size_bytes" and report["metrics"].get(k) != base["metrics"].get(k)}
                if changed and column.group(1) not in skipped:
                    case.violation("missing-not-reported", "exit %d, %d metrics changed (%s) and the report does not say %s is missing"
                                   % (run.rc, len(changed), ", ".join(sorted(changed)[:3]), column.group(0)), run)
            elif missing and not all(t in skipped for t in missing):
                case.violation("missing-not-reported", "exit %d and the report's skipped list does not name %s"
                               % (run.rc, ", ".join(missing)), run)
    if "valid" in flags:
        # The report lists the tables it saw: an extra table changes only that.
        same_report(case, run, case.dir / "out", ctx.report_saas, ctx.base_exit["saas"])
    for side in ("-wal", "-shm", "-journal"):
        if os.path.lexists(str(path) + side) and not (side == "-journal" and "journal" in flags):
            case.violation("input-side-file", "%s%s left beside the audited database" % (name, side), run)


# ----------------------------------------------------------------------------------------------
# Family: special files

def make_fifo_writer(path, data, seconds=8.0):
    """Feeds `data` into the FIFO at `path` when a reader opens it (gives up after `seconds`)."""
    def feed():
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:
                time.sleep(0.01)
                continue
            try:
                os.set_blocking(fd, True)
                os.write(fd, data)
            except OSError:
                pass
            finally:
                os.close(fd)
            return
    thread = threading.Thread(target=feed, daemon=True)
    thread.start()
    return thread


def place_special(case, path, kind, original=b""):
    """Puts a special file of `kind` at `path` (removing what is there)."""
    path = Path(path)
    if os.path.lexists(path):
        remove(path)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "fifo_writer":
        os.mkfifo(path)
        make_fifo_writer(str(path), original)
    elif kind in ("devnull", "devzero", "devurandom"):
        os.symlink({"devnull": "/dev/null", "devzero": "/dev/zero", "devurandom": "/dev/urandom"}[kind], path)
    elif kind == "dangling":
        os.symlink("does-not-exist-" + path.name, path)
    elif kind == "loop":
        os.symlink(path.name, path)
    elif kind == "dir":
        path.mkdir()
    elif kind == "dir_with_files":
        path.mkdir()
        (path / "a.csv").write_bytes(b"a,b\n1,2\n")
    elif kind == "socket":
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(path))
        case.sockets = getattr(case, "sockets", []) + [sock]
    elif kind == "chmod000":
        path.write_bytes(original)
        os.chmod(path, 0)
        if case.ctx.is_root:
            case.notes.append("running as root: mode 000 does not deny reading")
    elif kind == "symlink_ok":
        real = path.with_name(path.name + ".real")
        if original is None:
            raise AssertionError
        real.write_bytes(original)
        os.symlink(real.name, path)
    else:
        raise AssertionError(kind)


SPECIAL_KINDS = ["fifo", "fifo_writer", "devnull", "devzero", "devurandom", "dangling", "loop", "dir", "dir_with_files",
                 "socket", "chmod000", "symlink_ok"]
SPECIAL_PLACES = ["csv", "db", "input_dir", "profile", "bands_check", "bands_audit"]
# Hang-prone kinds go last in the fixed list and are drawn less often later.
SPECIAL_FIXED = ([(p, k) for k in ["devnull", "dangling", "loop", "dir", "socket", "symlink_ok", "chmod000", "dir_with_files"]
                  for p in SPECIAL_PLACES]
                 + [(p, k) for k in ["fifo_writer", "fifo", "devzero", "devurandom"] for p in SPECIAL_PLACES])


def family_special(case):
    ctx, rng = case.ctx, case.rng
    if case.index < len(SPECIAL_FIXED):
        place, kind = SPECIAL_FIXED[case.index]
    else:
        place = rng.choice(SPECIAL_PLACES)
        kind = rng.choice(SPECIAL_KINDS * 3 + ["fifo", "devzero", "devurandom", "fifo_writer"])
    case.title = "%s replaced by %s" % (place, kind)
    case.hang_signature = ("special", place, kind)
    bands_check = False
    memory_note = kind in ("devzero", "devurandom")
    if place == "csv":
        source = ctx.copy_creators(case)
        name = rng.choice(CREATOR_FILES)
        case.title = "%s replaced by %s" % (name, kind)
        place_special(case, source / name, kind, (ctx.creators / name).read_bytes())
        args, names = ["audit", "in"], [name]
        case.protect(source, "input")
    elif place == "db":
        place_special(case, case.dir / "x.db", kind, ctx.saas.read_bytes())
        args, names = ["audit", "x.db"], ["x.db"]
        case.protect(case.dir / "x.db", "input")
    elif place == "input_dir":
        if kind in ("symlink_ok", "chmod000"):
            shutil.copytree(ctx.creators, case.dir / "in.real")
            if kind == "symlink_ok":
                os.symlink("in.real", case.dir / "in")
            else:
                os.rename(case.dir / "in.real", case.dir / "in")
                os.chmod(case.dir / "in", 0)
        else:
            place_special(case, case.dir / "in", kind, b"a,b\n1,2\n")
        args, names = ["audit", "in"], ["in"]
        case.protect(case.dir / "in", "input")
    elif place == "profile":
        source = ctx.copy_creators(case)
        place_special(case, case.dir / "p.yaml", kind, ctx.profile_text)
        args, names = ["audit", "in", "--profile", "p.yaml"], ["p.yaml"]
        case.protect(source, "input")
    else:
        place_special(case, case.dir / "b.yaml", kind, ctx.bands["creators.yaml"])
        if place == "bands_check":
            args, bands_check = ["bands", "check", "b.yaml"], True
        else:
            ctx.copy_creators(case)
            args = ["audit", "in", "--bands", "b.yaml"]
        names = ["b.yaml"]
    target = None
    if rng.random() < 0.5 and args[0] == "audit":
        target = Target(case, case.dir / "out", "report")
        args += ["--out", "out", "--quiet"]
    run = case.run(args, names=names, bands_check=bands_check, memory_note=memory_note)
    if target:
        target.check(run)
    case.verify(run)
    for sock in getattr(case, "sockets", []):
        sock.close()


# ----------------------------------------------------------------------------------------------
# Family: yaml (mapping profiles and bands files)

WINDOWS = ["[0001-01, 9999-12]", "[2012-05, 2024-12]", "[1900-01, 2200-12]", "[2023-01, 2023-01]", "[2024-12, 2023-01]",
           "[2023-00, 2024-13]", "[2023-1, 2024-12]", "[0000-01, 0000-12]", "[-001-01, 2024-12]", "[2023-01]",
           "[2023-01, 2024-12, 2025-01]", "[]", "2023-01..2024-12", "[2023-01-01, 2024-12-31]", "[99999-01, 99999-12]",
           "[2023-01, 2033-07]", "[2023-01, 2033-08]", "[2023-01, 2033-09]", "[2013-01, 2024-12]", "[2022-12, 2024-12]",
           "[2023-02, 2024-11]", "[2024-01, 2024-02]", "[1970-01, 2038-01]", "{a: 1}", "null", "[.nan, 1]",
           "[2023-01, 2024-12]", "['2023-01', \"2024-12\"]", "[2023-06, 2024-06]"]


def yaml_mutation(rng, text, kind_pool):
    kind = rng.choice(kind_pool)
    lines = text.split(b"\n")
    if kind == "syntax":
        broken = rng.choice([b"window: [2023-01, 2024-12", b"  - id: [\n", b"\tprofile: creators", b"profile: : creators",
                             b"bands:\n- id: x\n  - metric: y", b"key: 'unterminated", b"%YAML 9.9\n---", b"*undefined",
                             b"? complex\n: key", b"!!binary notbase64", b"&a [*a]", b"--- \n--- \n", b"[", b"}", b"a: b: c"])
        at = rng.randrange(len(lines) + 1)
        lines.insert(at, broken)
        return b"\n".join(lines), "YAML syntax error %r at line %d" % (broken[:30], at + 1)
    if kind == "control":
        byte = rng.choice([b"\x01", b"\x1b", b"\x7f", b"\x1b[2J", b"\x08", b"\x0b", b"\x0c", b"\xc2\x85", b"\x00", b"\r"])
        at = rng.randrange(len(text) + 1)
        return text[:at] + byte + text[at:], "control byte %r at offset %d" % (byte, at)
    if kind == "non_utf8":
        byte = rng.choice([b"\xff", b"\xfe\xff", b"\xc3", b"\xe9", b"\xed\xa0\x80", b"\x80\x80"])
        at = rng.randrange(len(text) + 1)
        return text[:at] + byte + text[at:], "non-UTF-8 %r at offset %d" % (byte, at)
    if kind == "encoding":
        how = rng.choice(["utf16", "bom", "crlf", "utf32"])
        if how == "utf16":
            return text.decode().encode("utf-16"), "UTF-16"
        if how == "utf32":
            return text.decode().encode("utf-32"), "UTF-32"
        if how == "bom":
            return b"\xef\xbb\xbf" + text, "byte-order mark"
        return text.replace(b"\n", b"\r\n"), "CRLF"
    if kind == "unknown_key":
        key = rng.choice([b"zz_unknown: 1", b"bands_extra: []", b"Profile: creators", b"window : [2023-01, 2024-12]",
                          b"\"profile\": creators", b"x" * 2000 + b": 1", b"\xc3\xa9: 1", b"\x1b[31mkey: 1"])
        at = rng.randrange(1, len(lines) + 1)
        lines.insert(at, key)
        return b"\n".join(lines), "unknown key %r" % key[:30]
    if kind == "structure":
        what = rng.choice(["empty", "comment", "list", "scalar", "deep", "laughs", "long_line", "many_docs", "null",
                           "huge_number", "truncate"])
        if what == "empty":
            return b"", "empty file"
        if what == "comment":
            return b"# nothing\n", "only a comment"
        if what == "list":
            return b"- a\n- b\n", "a list at the top"
        if what == "scalar":
            return b"creators\n", "a scalar at the top"
        if what == "null":
            return b"~\n", "null document"
        if what == "deep":
            depth = rng.choice([500, 5000, 50000])
            return text + b"zz: " + b"[" * depth + b"]" * depth + b"\n", "nesting %d deep" % depth
        if what == "laughs":
            levels = rng.choice([4, 6, 9])
            body = b'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
            for i in range(1, levels):
                body += b"a%d: &a%d [" % (i, i) + b",".join([b"*a%d" % (i - 1)] * 9) + b"]\n"
            return text + body, "alias expansion, %d levels of 9" % levels
        if what == "long_line":
            return text + b"name: " + b"n" * 1_000_000 + b"\n", "a 1 MB line"
        if what == "many_docs":
            return text + b"---\n" + text, "two documents"
        if what == "huge_number":
            return text + b"zz: " + b"9" * 10000 + b"\n", "a 10000-digit number"
        cut = rng.randrange(len(text))
        return text[:cut], "truncated at byte %d" % cut
    raise AssertionError(kind)


def bands_value_mutation(rng, text):
    lines = text.split(b"\n")
    targets = [i for i, l in enumerate(lines) if re.match(rb"\s+(target|tolerance|min_n|severity|metric|id):", l)]
    i = rng.choice(targets)
    key = lines[i].split(b":")[0]
    value = rng.choice([b"[0.9]", b"[0.9, 0.8]", b"[.nan, 1]", b"[1e309, 2]", b"[-.inf, .inf]", b"{min: 2, max: 1}", b"{}",
                        b"{min: .nan}", b"[" + b"9" * 40 + b", " + b"9" * 41 + b"]", b"abc", b"-1", b"1.5", b"1e20",
                        b"9223372036854775808", b"[0.1, 0.2, 0.3]", b"null", b"''", b"[a, b]", b"warn", b"fatal",
                        b"payments.success_rate", b"no.such.metric", b"[2023-01, 2024-12]", b"0x10", b"!!float 1",
                        b"\"\\x1b[31m\"", b"[0.1, !!str 0.2]"])
    lines[i] = key + b": " + value
    return b"\n".join(lines), "line %d: %s: %s" % (i + 1, key.strip().decode(), value[:40].decode("utf-8", "replace"))


# Mutations of a mapping onto the roles (examples/*/mapping.yaml): (what is replaced, replacements).
ROLE_MAPPING_EDITS = [
    (b"      amount: arr_amount / 12", [b"      amount: arr_amount /", b"      amount: 'x' * 2", b"      amount: nope", b"      amount: arr_amount / 0",
                                       b"      amount: {expr: \"if(a)\"}", b"      amount: -arr_amount", b"      amount: {column: arr_amount, unit: parsecs}",
                                       b"      amount: coalesce(" * 200 + b"1" + b")" * 200, b"      amount: \"`arr amount` / 12\"",
                                       b"      amount: {value: 1e308}", b"      amount: arr_amount * 1e308"]),
    (b'{column: start_date, format: "%d-%m-%Y"}', [b'{column: start_date, format: "%m-%d-%Y"}', b'{column: start_date, format: "%Q"}',
                                                  b'{column: start_date, format: epoch_ms}', b'{column: start_date, format: "%Y"}',
                                                  b'{column: start_date, format: ""}', b'{column: start_date, format: "%d-%m-%Y %z"}',
                                                  b'{column: start_date, timezone: Mars/Olympus}', b'{column: start_date, timezone: "+99:00"}',
                                                  b'{expr: "lower(start_date)", format: auto}', b'{column: nope}']),
    (b"    filter: is_trial != 'true'", [b"    filter: is_trial != ", b"    filter: nope > 1", b"    filter: 1 = 0", b"    filter: is_trial in ()",
                                          b"    filter: not not not is_trial", b"    filter: \"" + b"(" * 5000 + b"\"", b"    filter: is_trial is null"]),
    (b"  definition: churn_events", [b"  definition: subscriber_status", b"  definition: nope", b"  grace_days: -1", b"  grace_days: 1e9",
                                     b"  unit: subscription", b"  definition: no_open_subscription"]),
    (b"window: [2023-01, 2024-12]", [b"window: " + w.encode() for w in WINDOWS]),
    (b"name: accounts-churn-events", [b"name: x\nextends: creators", b"name: x\nextends: nope", b"name: ''", b"name: [a]",
                                      b"name: x\nengine: turbo", b"name: x\ntimezone: Europe/Nowhere", b"name: x\nas_of: 2024-13-01"]),
    (b"    from: subscriptions.csv", [b"    from: nope.csv", b"    from: ../accounts.csv", b"    from: /dev/null", b"    query: SELECT 1",
                                       b"    from: accounts.csv", b"    from: \"\"", b"    from: churn_events"]),
]


def family_role_mapping(case):
    """A mapping onto the roles (the accounts example), mutated, audited against its data."""
    ctx, rng = case.ctx, case.rng
    source = case.dir / "in"
    shutil.copytree(REPO / "examples" / "accounts-churn-events", source)
    text = (source / "mapping.yaml").read_bytes()
    os.unlink(source / "mapping.yaml")
    if rng.random() < 0.6:
        old, news = rng.choice(ROLE_MAPPING_EDITS)
        new = rng.choice(news)
        data, what = text.replace(old, new), "%s -> %s" % (old.strip()[:30].decode(), new.strip()[:40].decode("utf-8", "replace"))
    else:
        data, what = yaml_mutation(rng, text, ["syntax", "control", "non_utf8", "encoding", "unknown_key", "structure"])
    (case.dir / "m.yaml").write_bytes(data)
    case.title = "role mapping " + what
    case.protect(source, "input")
    args = ["audit", "in", "--profile", "m.yaml"] if rng.random() < 0.8 else ["profile", "check", "m.yaml"]
    target = None
    if args[0] == "audit" and rng.random() < 0.5:
        target = Target(case, case.dir / "out", "report")
        args += ["--out", "out", "--quiet"]
    run = case.run(args, names=["m.yaml", "accounts.csv", "subscriptions.csv", "churn_events.csv"], memory_note=True,
                   bands_check=args[0] == "profile")
    if target:
        target.check(run)
    case.verify(run)


def family_yaml(case):
    ctx, rng = case.ctx, case.rng
    if rng.random() < 0.3:
        return family_role_mapping(case)
    pool = ["syntax", "control", "non_utf8", "encoding", "unknown_key", "structure"]
    choice = rng.random()
    if choice < 0.45:
        # A mapping profile: windows first, then every other mutation.
        source = ctx.copy_creators(case)
        text = ctx.profile_text
        identity = False
        mapped = []
        if rng.random() < 0.08:
            data, what, identity = text, "identical to the built-in creators profile", True
        elif rng.random() < 0.5:
            window = rng.choice(WINDOWS) if rng.random() < 0.7 else "[%04d-%02d, %04d-%02d]" % (
                rng.randint(1, 9999), rng.randint(1, 12), rng.randint(1, 9999), rng.randint(1, 12))
            data = text.replace(b"[2023-01, 2024-12]", window.encode())
            what = "window: %s" % window
        else:
            kind = rng.choice(pool + ["files", "columns", "values"])
            if kind == "files":
                name = rng.choice(["nope.csv", "../in/pledges.csv", "/dev/null", "", "creators.csv", "in", ".",
                                   "x" * 300 + ".csv", "pledges.csv\x00"])
                data = text + ("files:\n  %s: %s\n" % (rng.choice(["pledges", "transactions", "nosuch"]), json.dumps(name))).encode()
                what = "files maps to %r" % name[:40]
                mapped = [name[:40]] if name.strip("/.") else [name]
            elif kind == "columns":
                data = text + rng.choice([b"columns:\n  pledges: {started_at: nope}\n", b"columns:\n  pledges: {pledge_id: patron_id}\n",
                                          b"columns:\n  pledges: [a, b]\n", b"columns:\n  nosuch: {a: b}\n",
                                          b"columns:\n  pledges: {started_at: ended_at, ended_at: started_at}\n"])
                what = "columns mapping"
                mapped = CREATOR_FILES
            elif kind == "values":
                data = text.replace(b"values:\n", b"values:\n  " + rng.choice(
                    [b"pledges.pledge_status: {active: churned}", b"pledges.pledge_status: {1: 2}",
                     b"pledges: {a: b}", b"pledges.a.b: {a: b}", b"transactions.transaction_status: {succeeded: failed}",
                     b"posts.post_type: [a]", b"pledges.pledge_status: {active: \"\\x1b[31m\"}"]) + b"\n")
                what = "values mapping"
            else:
                data, what = yaml_mutation(rng, text, [kind])
        (case.dir / "p.yaml").write_bytes(data)
        case.title = "profile " + what
        case.protect(source, "input")
        args = ["audit", "in", "--profile", "p.yaml"]
        target = None
        if rng.random() < 0.5 or identity:
            target = Target(case, case.dir / "out", "report")
            args += ["--out", "out", "--quiet"]
        if rng.random() < 0.2 or identity:
            (case.dir / "b.yaml").write_bytes(ctx.bands["creators.yaml"])
            args += ["--bands", "b.yaml"]
        # An error in a file the profile maps to names that file.
        run = case.run(args, names=["p.yaml"] + mapped + (CREATOR_FILES if mapped else []), memory_note=True)
        if target:
            target.check(run)
        case.verify(run)
        if identity:
            same_report(case, run, case.dir / "out", ctx.report_creators, ctx.base_exit["creators"], parts=("metrics", "checks"))
        return
    which = rng.choice(["creators.yaml", "saas.yaml"])
    text = ctx.bands[which]
    if rng.random() < 0.4:
        data, what = bands_value_mutation(rng, text)
    else:
        data, what = yaml_mutation(rng, text, pool)
    (case.dir / "b.yaml").write_bytes(data)
    case.title = "bands %s %s" % (which, what)
    if rng.random() < 0.7:
        run = case.run(["bands", "check", "b.yaml"], names=["b.yaml"], bands_check=True, memory_note=True)
    else:
        if which == "saas.yaml":
            ctx.copy_saas(case, "x.db")
            args = ["audit", "x.db", "--bands", "b.yaml"]
        else:
            ctx.copy_creators(case)
            args = ["audit", "in", "--bands", "b.yaml"]
        run = case.run(args, names=["b.yaml"], memory_note=True)
    case.verify(run)


# ----------------------------------------------------------------------------------------------
# Family: golden

GOLDEN_FIXED = ["truncated", "empty", "garbage", "directory", "fifo", "missing", "no_dir", "dir_is_file", "devzero",
                "devurandom", "devnull", "wrong_type", "deep", "huge_number", "nan", "duplicate_keys", "bom", "utf16",
                "one_metric_changed", "identical", "other_profile", "metric_types", "control_keys", "long_key",
                "update_fifo", "update_file", "update_device", "update_foreign", "update_symlink_dir"]


def json_mutate(rng, value, depth=0):
    if isinstance(value, dict) and value:
        key = rng.choice(list(value))
        if rng.random() < 0.3 or depth > 6:
            action = rng.choice(["delete", "replace", "rename"])
            if action == "delete":
                del value[key]
            elif action == "rename":
                value[key + rng.choice(["x", "\u00e9", "\x1b[1m", ""])] = value.pop(key)
            else:
                value[key] = rng.choice([None, True, -1, 1e308, "x", [], {}, [1, 2], "\n", 10 ** 30])
        else:
            json_mutate(rng, value[key], depth + 1)
    elif isinstance(value, list) and value:
        i = rng.randrange(len(value))
        if rng.random() < 0.3 or depth > 6:
            value[i] = rng.choice([None, {}, [], "x", 0, -0.0, 1e-300])
        else:
            json_mutate(rng, value[i], depth + 1)
    return value


def family_golden(case):
    ctx, rng = case.ctx, case.rng
    kind = GOLDEN_FIXED[case.index] if case.index < len(GOLDEN_FIXED) else rng.choice(
        ["truncated", "garbage", "json_mutation", "json_mutation", "json_mutation", "wrong_type", "deep", "one_metric_changed",
         "control_keys", "update_foreign", "utf16", "bom"])
    case.title = "golden report.json: %s" % kind
    case.hang_signature = ("golden", kind)
    use_saas = rng.random() < 0.6 or kind == "other_profile"
    if use_saas:
        ctx.copy_saas(case, "x.db")
        args = ["audit", "x.db"]
        reference = ctx.report_saas
    else:
        ctx.copy_creators(case)
        args = ["audit", "in"]
        reference = ctx.report_creators
    golden = case.dir / "g"
    good = (reference / "report.json").read_bytes()
    report = golden / "report.json"
    update = kind.startswith("update_")
    if kind not in ("no_dir", "dir_is_file", "update_fifo", "update_file", "update_device", "update_symlink_dir"):
        golden.mkdir()
    data = None
    if kind == "truncated":
        data = good[:rng.randrange(len(good))]
    elif kind == "empty":
        data = b""
    elif kind == "garbage":
        data = bytes(rng.randrange(256) for _ in range(rng.choice([1, 100, 5000])))
    elif kind == "directory":
        report.mkdir()
    elif kind == "fifo":
        os.mkfifo(report)
    elif kind == "dir_is_file":
        golden.write_bytes(good)
    elif kind in ("devzero", "devurandom", "devnull"):
        os.symlink("/dev/" + kind[3:], report)
    elif kind == "wrong_type":
        data = rng.choice([b"[]", b"42", b"\"x\"", b"null", b"{}", b"true", b"{\"metrics\": 5}", b"{\"metrics\": {\"a\": 1}}",
                           b"{\"checks\": {}}"])
    elif kind == "deep":
        depth = rng.choice([1000, 100_000, 1_000_000])
        data = b"[" * depth + b"]" * depth
    elif kind == "huge_number":
        data = good.replace(b"\"value\": ", b"\"value\": 1e999", 1)
    elif kind == "nan":
        data = good.replace(b"\"value\": ", b"\"value\": NaN, \"x\": ", 1)
    elif kind == "duplicate_keys":
        data = good.replace(b"{", b"{\"metrics\": 1, ", 1)
    elif kind == "bom":
        data = b"\xef\xbb\xbf" + good
    elif kind == "utf16":
        data = good.decode().encode("utf-16")
    elif kind == "one_metric_changed":
        parsed = json.loads(good)
        metric = sorted(parsed["metrics"])[rng.randrange(len(parsed["metrics"]))]
        parsed["metrics"][metric] = {"value": 123456.789, "n": 1}
        data = json.dumps(parsed, indent=2, sort_keys=True).encode()
    elif kind == "identical":
        data = good
    elif kind == "other_profile":
        data = (ctx.report_creators / "report.json").read_bytes()
    elif kind == "metric_types":
        parsed = json.loads(good)
        for key in list(parsed["metrics"])[:5]:
            parsed["metrics"][key] = rng.choice([None, "x", [1], {"value": "abc"}, {"series": "no"}, {"value": None, "n": -1}])
        data = json.dumps(parsed).encode()
    elif kind == "control_keys":
        parsed = json.loads(good)
        parsed["metrics"]["zz\x1b[31mred\x07"] = {"value": 1, "n": 1}
        parsed["metrics"]["line\nbreak"] = {"value": 2, "n": 1}
        data = json.dumps(parsed, ensure_ascii=rng.random() < 0.5).encode()
    elif kind == "long_key":
        parsed = json.loads(good)
        parsed["metrics"]["k" * 100_000] = {"value": 1, "n": 1}
        data = json.dumps(parsed).encode()
    elif kind == "json_mutation":
        parsed = json.loads(good)
        for _ in range(rng.randint(1, 5)):
            json_mutate(rng, parsed)
        data = json.dumps(parsed, indent=rng.choice([None, 2])).encode()
    elif kind == "update_fifo":
        os.mkfifo(golden)
    elif kind == "update_file":
        golden.write_bytes(b"my notes\n")
    elif kind == "update_device":
        if ctx.can_mknod:
            os.mknod(golden, 0o644 | stat.S_IFCHR, os.makedev(1, 3))
        else:
            os.symlink("/dev/null", golden)
    elif kind == "update_foreign":
        report.write_bytes(good)
        (golden / "NOTES.txt").write_bytes(b"why these figures are golden\n")
        (golden / "history").mkdir()
        (golden / "history" / "2023.json").write_bytes(b"{}\n")
    elif kind == "update_symlink_dir":
        (case.dir / "elsewhere").mkdir()
        (case.dir / "elsewhere" / "keep.txt").write_bytes(b"keep\n")
        os.symlink("elsewhere", golden)
    if data is not None:
        report.write_bytes(data)
    if update:
        args += ["--golden", "g", "--update-golden", "--quiet"]
        if kind == "update_foreign":
            case.protect(golden / "NOTES.txt", "foreign")
            case.protect(golden / "history", "foreign")
        elif kind == "update_symlink_dir":
            case.protect(case.dir / "elsewhere" / "keep.txt", "foreign")
        else:
            case.protect(golden, "foreign" if kind != "update_device" else "device")
    else:
        args += ["--golden", "g"]
        case.protect(golden, "input")
    if rng.random() < 0.3 and not update:
        args += ["--quiet"]
    run = case.run(args, names=["report.json", "g"], memory_note=kind in ("devzero", "devurandom", "deep", "long_key"))
    case.verify(run)
    unreadable = kind in ("truncated", "empty", "garbage", "directory", "fifo", "missing", "no_dir", "dir_is_file", "devzero",
                          "devurandom", "devnull", "wrong_type", "deep", "nan")
    if not run.timed_out and unreadable and run.rc in (0, 1):
        case.violation("golden-not-compared", "exit %d although the golden report.json cannot be read" % run.rc, run)
    if not run.timed_out and kind == "one_metric_changed" and run.rc != 2:
        case.violation("golden-drift-missed", "exit %s for a golden report with one metric changed (drift is 2)" % run.rc, run)
    if update and run.rc in (0, 1) and kind == "update_foreign":
        if report_complete(str(golden)):
            case.violation("incomplete-output", "golden not rewritten after exit %d" % run.rc, run)


# ----------------------------------------------------------------------------------------------
# Family: kills

KILL_OPS = ["creators", "saas", "audit"]
KILL_SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGKILL]


def family_kills(case):
    ctx, rng = case.ctx, case.rng
    op = KILL_OPS[case.index % 3]
    sig = KILL_SIGNALS[(case.index // 3) % 3]
    existing = (case.index // 9) % 2 == 1
    duration = ctx.kill_times[op]
    delay = rng.uniform(0, duration * 1.2) if rng.random() < 0.8 else rng.uniform(0, min(0.05, duration))
    case.title = "%s, %s after %.3f s (a run takes about %.3f s)%s" % (op, sig.name, delay, duration,
                                                                      ", replacing an existing output" if existing else "")
    scale = str(ctx.args.kill_scale)
    if op == "creators":
        path = case.dir / "c"
        args = ["generate", "creators", "--seed", "1", "--scale", scale, "--out", "c", "--quiet"]
        if existing:
            shutil.copytree(ctx.base / "kill-2", path)
        expected = [ctx.kill_hashes[1]] + ([ctx.kill_hashes[2]] if existing else [])
        target = Target(case, path, "creators", expected)
    elif op == "saas":
        path = case.dir / "x.db"
        args = ["generate", "saas", "--seed", "1", "--out", "x.db", "--quiet"]
        if existing:
            shutil.copyfile(ctx.base / "saas-2.db" if (ctx.base / "saas-2.db").exists() else ctx.saas, path)
        expected = {ctx.saas_hashes[1]} | ({sha256_file(path)} if existing else set())
        target = Target(case, path, "saas", expected)
    else:
        path = case.dir / "r"
        args = ["audit", str(ctx.base / "kill-1"), "--out", "r", "--quiet"]
        if existing:
            shutil.copytree(ctx.report_saas, path)
        expected = {ctx.kill_report_hash} | ({sha256_file(path / "report.json")} if existing else set())
        target = Target(case, path, "report", expected)
    if existing:
        args.append("--force")
    run = case.start(args)
    case.finish(run, sig=sig, delay=delay)
    case.check(run)
    if run.signal_raced:
        case.notes.append("the run ended before the signal")
    if run.timed_out:
        return
    finished = run.rc == 0 or (op == "audit" and run.rc == 1)
    if run.sent_signal and not finished and run.rc not in (-run.sent_signal, 128 + run.sent_signal):
        case.violation("bad-exit-on-signal", "exit %s after %s" % (run.rc, sig.name), run)
    if run.sent_signal and run.sent_signal != signal.SIGKILL and run.rc == -run.sent_signal:
        case.notes.append("died of %s without cleanup (no staged output yet?)" % sig.name)
    left = target.check(run, wrote=finished, killed=run.sent_signal is not None)
    if op == "audit":
        current = {n: (os.stat(ctx.base / "kill-1" / n).st_size, os.stat(ctx.base / "kill-1" / n).st_mtime_ns)
                   for n in os.listdir(ctx.base / "kill-1")}
        if current != ctx.kill_input_stat:
            case.violation("input-modified", "the audited folder changed", run)
    if left and run.sent_signal == signal.SIGKILL:
        # Expected right after SIGKILL; the next run on the same target must clean it up or say so.
        case.notes.append("after SIGKILL: %s" % ", ".join(left))
        again = list(args)
        if os.path.lexists(path) and "--force" not in again:
            again.append("--force")
        rerun = case.run(again)
        if rerun.rc == 0 or (op == "audit" and rerun.rc == 1):
            problems = COMPLETE[target.kind](str(path), expected)
            if problems:
                case.violation("incomplete-output", "rerun exit %d but %s" % (rerun.rc, "; ".join(problems)), rerun)
        else:
            case.violation("rerun-failed", "the run after SIGKILL exited %s" % rerun.rc, rerun)
        still = [name for name in left if os.path.lexists(case.dir / name)]
        said = rerun.stderr.decode("utf-8", "replace")
        if still and not any(name in said for name in still):
            case.violation("stale-temp", "%s from the killed run still there after the next run, not reported" % ", ".join(still), rerun)
        new = [name for name in leftovers(path) if name not in left]
        if new:
            case.violation("leftover-temp", "the run after SIGKILL left %s" % ", ".join(new), rerun)


# ----------------------------------------------------------------------------------------------
# Family: concurrency

CONCURRENCY_KINDS = ["saas_pair", "saas_pair", "creators_pair", "audit_pair", "saas_triple", "saas_force_pair"]


def family_concurrency(case):
    ctx, rng = case.ctx, case.rng
    kind = CONCURRENCY_KINDS[case.index % len(CONCURRENCY_KINDS)]
    stagger = rng.choice([0.0, 0.0, rng.uniform(0, 0.01), rng.uniform(0, 0.03)])
    case.title = "%s, second start %.1f ms later" % (kind, stagger * 1000)
    if kind.startswith("saas"):
        seeds = [1, 2] if kind != "saas_triple" else [1, 2, 3]
        runs_args = [["generate", "saas", "--seed", str(s), "--out", "same.db", "--quiet"] for s in seeds]
        if kind == "saas_force_pair":
            for a in runs_args:
                a.append("--force")
        path, kindname = case.dir / "same.db", "saas"
        outputs = {s: {ctx.saas_hashes[s]} for s in seeds}
    elif kind == "creators_pair":
        seeds = [1, 2]
        runs_args = [["generate", "creators", "--seed", str(s), "--scale", "0.02", "--out", "same", "--quiet"] for s in seeds]
        path, kindname = case.dir / "same", "creators"
        outputs = {s: [ctx.creators_hashes[s]] for s in seeds}
    else:
        ctx.copy_saas(case, "x.db")
        ctx.copy_creators(case, "in")
        seeds = ["saas", "creators"]
        runs_args = [["audit", "x.db", "--out", "same", "--quiet"], ["audit", "in", "--out", "same", "--quiet"]]
        path, kindname = case.dir / "same", "report"
        # The reports name their inputs, so a run's report is recognised by its profile.
        outputs = {"saas": None, "creators": None}
    runs = []
    for i, args in enumerate(runs_args):
        runs.append(case.start(args))
        if i == 0 and stagger:
            time.sleep(stagger)
    for run in runs:
        case.finish(run)
        case.check(run, names=["same"])
    if any(r.timed_out for r in runs):
        return
    ok = [i for i, r in enumerate(runs) if r.rc == 0 or (kindname == "report" and r.rc == 1)]
    if kind == "saas_force_pair":
        final = COMPLETE[kindname](str(path), set().union(*outputs.values()))
        if final:
            case.violation("incomplete-output", "after two --force runs: %s" % "; ".join(final), runs[0])
    else:
        if len(ok) > 1:
            case.violation("concurrent-both-succeed", "%d of %d concurrent runs without --force succeeded on one target"
                           % (len(ok), len(runs)), runs[ok[1]])
        for i, r in enumerate(runs):
            if i not in ok and r.rc != 64:
                case.violation("concurrent-loser-exit", "a losing run exited %s, not 64" % r.rc, r)
        if not ok:
            case.violation("concurrent-no-winner", "no run succeeded", runs[0])
        if len(ok) == 1:
            problems = COMPLETE[kindname](str(path), outputs[seeds[ok[0]]])
            if not problems and kindname == "report":
                profile = json.loads((path / "report.json").read_bytes()).get("profile", "")
                if not str(profile).startswith(seeds[ok[0]]):
                    problems = ["report.json is the %s report, the %s run succeeded" % (profile, seeds[ok[0]])]
            if problems:
                case.violation("concurrent-mixed-output", "the target is not the output of the run that succeeded: %s"
                               % "; ".join(problems), runs[ok[0]])
        elif len(ok) > 1:
            every = (None if kindname == "report" else set().union(*outputs.values()) if kindname == "saas"
                     else [h for v in outputs.values() for h in v])
            problems = COMPLETE[kindname](str(path), every)
            if problems:
                case.violation("concurrent-mixed-output", "; ".join(problems), runs[0])
    left = leftovers(path)
    if left:
        case.violation("leftover-temp", "left %s beside the target" % ", ".join(left), runs[0])


# ----------------------------------------------------------------------------------------------
# Family: output targets

OUTPUT_FIXED = ["empty_saas", "empty_creators", "empty_audit", "full_saas", "full_creators", "full_audit", "null_saas",
                "foreign_file_saas", "foreign_dir_creators", "foreign_dir_audit", "out_is_input", "out_inside_input",
                "out_is_db", "own_saas", "own_creators", "proc_saas", "proc_creators", "proc_audit", "sys_saas",
                "parent_is_file", "deep_parents", "fifo_target", "dangling_link", "link_to_foreign_dir", "link_to_input",
                "name_too_long", "trailing_slash_saas", "trailing_slash_creators", "dot", "dotdot", "exists_saas",
                "exists_creators", "exists_audit", "dir_for_saas", "loop_parent", "file_for_creators"]


def family_output(case):
    ctx, rng = case.ctx, case.rng
    kind = OUTPUT_FIXED[case.index] if case.index < len(OUTPUT_FIXED) else rng.choice(OUTPUT_FIXED[3:])
    case.title = kind
    d = case.dir
    gen_saas = ["generate", "saas", "--seed", "1", "--quiet", "--out"]
    gen_creators = ["generate", "creators", "--seed", "1", "--scale", "0.02", "--quiet", "--out"]
    audit_db = ["audit", "x.db", "--quiet", "--out"]
    saas_expected, creators_expected = {ctx.saas_hashes[1]}, [ctx.creators_hashes[1]]
    report_expected = None
    ctx.copy_saas(case, "x.db")
    case.protect(d / "x.db", "input")
    cwd = None
    names = ()

    def device(name, minor):
        if ctx.can_mknod:
            os.mknod(d / name, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
        else:
            os.symlink({7: "/dev/full", 3: "/dev/null"}[minor], d / name)
        case.protect(d / name, "device")

    target_kind = None
    if kind.startswith("empty_"):
        args = {"empty_saas": gen_saas, "empty_creators": gen_creators, "empty_audit": audit_db}[kind] + [""]
    elif kind.startswith("full_") or kind == "null_saas":
        device("dev", 3 if kind == "null_saas" else 7)
        base = {"full_saas": gen_saas, "null_saas": gen_saas, "full_creators": gen_creators, "full_audit": audit_db}[kind]
        args = base + ["dev", "--force"]
        names = ["dev"]
    elif kind == "foreign_file_saas":
        (d / "notes.txt").write_bytes(b"my thesis, not a database\n")
        case.protect(d / "notes.txt", "foreign")
        args = gen_saas + ["notes.txt", "--force"]
    elif kind in ("foreign_dir_creators", "foreign_dir_audit"):
        (d / "mine").mkdir()
        (d / "mine" / "thesis.txt").write_bytes(b"chapter 1\n")
        (d / "mine" / "photos").mkdir()
        (d / "mine" / "photos" / "a.jpg").write_bytes(b"\xff\xd8\xff")
        case.protect(d / "mine" / "thesis.txt", "foreign")
        case.protect(d / "mine" / "photos", "foreign")
        args = (gen_creators if kind == "foreign_dir_creators" else audit_db) + ["mine", "--force"]
    elif kind == "out_is_input":
        ctx.copy_creators(case, "in")
        case.protect(d / "in", "input")
        args = ["audit", "in", "--quiet", "--out", "in", "--force"]
    elif kind == "out_inside_input":
        ctx.copy_creators(case, "in")
        for name in os.listdir(d / "in"):
            case.protect(d / "in" / name, "input")
        args = ["audit", "in", "--quiet", "--out", "in/sub", "--force"]
        target_kind = ("report", d / "in" / "sub")
    elif kind == "out_is_db":
        args = ["audit", "x.db", "--quiet", "--out", "x.db", "--force"]
    elif kind == "own_saas":
        shutil.copyfile(ctx.base / "saas-2.db", d / "own.db")
        args = gen_saas + ["own.db", "--force"]
        target_kind = ("saas", d / "own.db")
    elif kind == "own_creators":
        shutil.copytree(ctx.base / "creators-2", d / "own")
        args = gen_creators + ["own", "--force"]
        target_kind = ("creators", d / "own")
    elif kind.startswith("proc_") or kind == "sys_saas":
        root = "/sys" if kind == "sys_saas" else "/proc/self"
        name = root + "/synthaudit-fuzz-%s" % case.id
        args = {"proc_saas": gen_saas, "sys_saas": gen_saas, "proc_creators": gen_creators, "proc_audit": audit_db}[kind] + [name]
        names = [name]
    elif kind == "parent_is_file":
        (d / "notes.txt").write_bytes(b"a file\n")
        case.protect(d / "notes.txt", "foreign")
        args = gen_saas + ["notes.txt/x.db"]
        names = ["notes.txt"]
    elif kind == "deep_parents":
        args = gen_saas + ["a/b/c/x2.db"]
        target_kind = ("saas", d / "a/b/c/x2.db")
    elif kind == "fifo_target":
        os.mkfifo(d / "pipe")
        case.protect(d / "pipe", "foreign")
        args = gen_saas + ["pipe", "--force"]
        case.hang_signature = ("output", kind)
    elif kind == "dangling_link":
        os.symlink("nowhere/x.db", d / "link.db")
        case.protect(d / "link.db", "foreign")
        args = gen_saas + ["link.db"]
    elif kind == "link_to_foreign_dir":
        (d / "mine").mkdir()
        (d / "mine" / "thesis.txt").write_bytes(b"chapter 1\n")
        case.protect(d / "mine", "foreign")
        os.symlink("mine", d / "link")
        args = gen_creators + ["link", "--force"]
    elif kind == "link_to_input":
        ctx.copy_creators(case, "in")
        case.protect(d / "in", "input")
        os.symlink("in", d / "link")
        args = ["audit", "in", "--quiet", "--out", "link", "--force"]
    elif kind == "name_too_long":
        name = "n" * 250
        args = rng.choice([gen_saas, gen_creators, audit_db]) + [name]
        target_kind = ("any", d / name)
        names = [name[:50]]
    elif kind == "trailing_slash_saas":
        args = gen_saas + ["t.db/"]
    elif kind == "trailing_slash_creators":
        args = gen_creators + ["t/"]
        target_kind = ("creators", d / "t")
    elif kind in ("dot", "dotdot"):
        inner = d / "sandbox" / "inner"
        inner.mkdir(parents=True)
        (inner / "marker.txt").write_bytes(b"keep me\n")
        (d / "sandbox" / "marker.txt").write_bytes(b"keep me too\n")
        case.protect(d / "sandbox", "foreign")
        cwd = inner
        args = rng.choice([gen_creators, ["audit", str(ctx.creators), "--quiet", "--out"]]) + [
            "." if kind == "dot" else "..", "--force"]
    elif kind.startswith("exists_"):
        if kind == "exists_saas":
            shutil.copyfile(ctx.base / "saas-2.db", d / "t.db")
            case.protect(d / "t.db", "foreign")
            args = gen_saas + ["t.db"]
            names = ["t.db"]
        elif kind == "exists_creators":
            shutil.copytree(ctx.base / "creators-2", d / "t")
            case.protect(d / "t", "foreign")
            args = gen_creators + ["t"]
            names = ["t"]
        else:
            shutil.copytree(ctx.report_creators, d / "t")
            case.protect(d / "t", "foreign")
            args = audit_db + ["t"]
            names = ["t"]
    elif kind == "dir_for_saas":
        (d / "t.db").mkdir()
        (d / "t.db" / "keep.txt").write_bytes(b"keep\n")
        case.protect(d / "t.db", "foreign")
        args = gen_saas + ["t.db", "--force"]
        names = ["t.db"]
    elif kind == "loop_parent":
        os.symlink("loop", d / "loop")
        args = gen_saas + ["loop/x.db"]
        names = ["loop"]
    elif kind == "file_for_creators":
        (d / "t").write_bytes(b"a file, not a folder\n")
        case.protect(d / "t", "foreign")
        args = gen_creators + ["t", "--force"]
        names = ["t"]
    else:
        raise AssertionError(kind)
    target = None
    if target_kind and target_kind[0] != "any":
        expected = {"saas": saas_expected, "creators": creators_expected, "report": report_expected}[target_kind[0]]
        target = Target(case, target_kind[1], target_kind[0], expected)
    run = case.run(args, cwd=cwd, names=names)
    if target:
        target.check(run)
        if run.rc not in (0, 1) and kind in ("deep_parents", "own_saas", "own_creators", "trailing_slash_creators"):
            case.violation("refused-valid-output", "exit %s for a target the tool may write" % run.rc, run)
    if kind.startswith("empty_") and run.rc != 64:
        case.violation("bad-exit", "--out '' should be a usage error (64), got %s" % run.rc, run)
    if kind in ("out_is_input", "out_is_db", "link_to_input") and run.rc in (0, 1):
        case.violation("output-over-input", "exit %s writing the report over its own input" % run.rc, run)
    # Temporaries beside any target path of the case.
    out_index = args.index("--out") + 1
    if args[out_index]:
        out = Path(cwd or d) / args[out_index]
        left = leftovers(out)
        if left:
            case.violation("leftover-temp", "left %s" % ", ".join(left), run)
    case.verify(run)


# ----------------------------------------------------------------------------------------------
# Family: argv

ARGV_FIXED = [
    [], ["--help"], ["--version"], ["generate"], ["generate", "bogus"], ["audit"], ["bands"], ["bands", "check"],
    ["generate", "saas", "--seed", "-1", "--out", "s.db", "--quiet"],
    ["generate", "saas", "--seed=-1", "--out", "s.db", "--quiet"],
    ["generate", "saas", "--seed", "18446744073709551616", "--out", "s.db", "--quiet"],
    ["generate", "saas", "--seed", "18446744073709551615", "--out", "s.db", "--quiet"],
    ["generate", "saas", "--seed", "abc", "--out", "s.db"], ["generate", "saas", "--seed", "", "--out", "s.db"],
    ["generate", "saas", "--seed", "0x10", "--out", "s.db"], ["generate", "saas", "--seed", "1e3", "--out", "s.db"],
    ["generate", "saas", "--seed", "9" * 5000, "--out", "s.db"],
] + [["generate", "creators", "--scale", v, "--out", "c", "--quiet"] for v in
     ["0", "-0", "-1", "nan", "NaN", "inf", "-inf", "1e308", "1e-300", "5e-324", "0.0000001", "0.001", "1001", "abc", "", "0x1p-3"]
] + [["generate", "creators", "--threads", v, "--scale", "0.02", "--out", "c", "--quiet"] for v in
     ["0", "-1", "257", "256", "1", "99999999999999999999", "abc"]
] + [
    ["generate", "saas", "--bogus"], ["audit", "x.db", "--bogus"], ["generate", "saas", "-x"], ["generate", "saas", "--out"],
    ["generate", "saas", "--quiet", "--quiet", "--out", "s.db"], ["generate", "saas", "--out", "s.db", "--out", "t.db", "--quiet"],
    ["audit", "--golden"], ["audit", "x.db", "--update-golden"], ["audit", "x.db", "--profile", "bogus"],
    ["audit", "x.db", "--profile", ""], ["audit", "x.db", "--bands", ""], ["audit", ""], ["audit", "-"],
    ["audit", "x.db", "x.db"], ["audit", "in", "x.db"], ["audit", "in", "in"], ["audit", "a" * 5000],
    ["generate", "saas", "--out", "x" * 300], ["generate", "saas", "--quiet", "--out", "/".join(["d"] * 2100)],
    ["audit", "no\x1bsuch.db"], ["audit", "a\nb.db"], ["audit", "x.db", "--profile", "x\x07y"],
    ["audit", "x.db", "--profile", "p\x1b[2J.yaml"], ["generate", "saas", "--out", "\x1b[31mred.db", "--quiet"],
    [b"audit", b"\xff\xfe.db"], [b"generate", b"saas", b"--out", b"\xff.db", b"--quiet"],
    [b"audit", b"x.db", b"--profile", b"\xc3(.yaml"], ["generate", "saas", "--", "--seed"], ["audit", "x.db", "--strict", "--strict"],
    ["bands", "check", "b.yaml", "extra"], ["bands", "check", ""], ["bands", "check", "x.db"], ["bands", "check", "in"],
    ["audit", "x.db", "--golden", "", "--quiet"], ["audit", "x.db", "--out", "r", "--golden", "r", "--quiet"],
    ["generate", "creators", "--scale", "0.02", "--threads", "3", "--out", "c", "--quiet", "--seed", "0"],
    ["audit", "in", "--profile", "saas"], ["audit", "x.db", "--profile", "creators"],
    ["audit", "x.db", "--bands", "b.yaml"], ["audit", "in", "--bands", "x.db"],
]
ARGV_VALUES = ["-1", "0", "", " ", "1e400", "-0", "+5", "0b1", "٣", "１", "9" * 30, "nan", "x" * 3000, "--force",
               "-", "--", "=", "\x1b[31m", "\t", "é", "\u202e", "%s%n", "$(id)", "../../..", "/", ".", "1,5", "0.5.1"]


def family_argv(case):
    ctx, rng = case.ctx, case.rng
    ctx.copy_saas(case, "x.db")
    ctx.copy_creators(case, "in")
    (case.dir / "b.yaml").write_bytes(ctx.bands["saas.yaml"])
    case.protect(case.dir / "x.db", "input")
    case.protect(case.dir / "in", "input")
    if case.index < len(ARGV_FIXED):
        args = list(ARGV_FIXED[case.index])
    else:
        template = rng.choice([
            ["generate", "saas", "--seed", "1", "--out", "s.db", "--quiet"],
            ["generate", "creators", "--seed", "1", "--scale", "0.02", "--threads", "2", "--out", "c", "--quiet"],
            ["audit", "x.db", "--out", "r", "--quiet"], ["audit", "in", "--profile", "creators", "--quiet"],
            ["bands", "check", "b.yaml"]])
        args = list(template)
        slots = [i for i, a in enumerate(args) if i > 1 and not a.startswith("--")] or [len(args) - 1]
        i = rng.choice(slots)
        value = rng.choice(ARGV_VALUES)
        if args[i - 1] == "--scale":
            try:
                if float(value) > 0.1:  # a valid big scale only costs time and disk
                    value = "-" + value
            except ValueError:
                pass
        args[i] = value
        if rng.random() < 0.3:
            args.insert(rng.randrange(2, len(args) + 1), rng.choice(["--force", "--quiet", "--strict", "--zz", "-q", "--seed"]))
    case.title = command_line(args)[:120]
    names = []
    if args and args[0] in ("audit", b"audit") and len(args) > 1 and isinstance(args[1], str) and args[1] not in ("x.db", "in"):
        names = [args[1][:60]] if args[1] else []
    run = case.run(args, names=names, bands_check=args[:2] == ["bands", "check"])
    case.verify(run)


# ----------------------------------------------------------------------------------------------
# Shared by the mapping and values families: the examples, their SQLite copies, report checks

EXAMPLES = ["single-subscriptions", "accounts-churn-events", "stripe-like"]
# Rows a role's filter drops are never read: values are injected into the rows it keeps.
EXAMPLE_FILTERS = {("accounts-churn-events", "subscriptions.csv"): ("is_trial", {"true"}),
                   ("stripe-like", "subscriptions.csv"): ("status", {"incomplete_expired"})}


def example_files(name):
    return sorted(p.name for p in (REPO / "examples" / name).iterdir() if p.suffix == ".csv")


def setup_examples(ctx):
    """Copies of the examples, a SQLite database of each, and their reference reports."""
    ctx.examples = {}
    for name in EXAMPLES:
        folder = ctx.base / "examples" / name
        shutil.copytree(REPO / "examples" / name, folder)
        mapping = (folder / "mapping.yaml").read_bytes()
        tables = {}
        db_path = ctx.base / "examples" / (name + ".db")
        db = sqlite3.connect(str(db_path))
        for file in example_files(name):
            with open(folder / file, newline="", encoding="utf-8") as handle:
                rows = list(csv.reader(handle))
            tables[file] = (rows[0], rows[1:])
            stem = file[:-4]
            db.execute('CREATE TABLE "%s" (%s)' % (stem, ", ".join('"%s"' % c for c in rows[0])))
            db.executemany('INSERT INTO "%s" VALUES (%s)' % (stem, ", ".join("?" * len(rows[0]))),
                           [[v if v != "" else None for v in r] for r in rows[1:]])
        db.commit()
        db.close()
        db_mapping = re.sub(rb"from: (\w+)\.csv", rb"from: \1", mapping)
        result = ctx.tool("audit", str(folder), "--profile", str(folder / "mapping.yaml"), "--out",
                          str(ctx.base / "examples" / ("report-" + name)), "--quiet")
        report = json.loads((ctx.base / "examples" / ("report-" + name) / "report.json").read_bytes())
        ctx.examples[name] = {"folder": folder, "mapping": mapping, "tables": tables, "db": db_path,
                              "db_mapping": db_mapping, "exit": result.returncode, "report": report,
                              "report_dir": ctx.base / "examples" / ("report-" + name),
                              "integrity": integrity_counts(report), "time_formats": mapping_time_formats(mapping)}


def integrity_counts(report):
    counts = {}
    for entry in report.get("integrity") or []:
        if isinstance(entry, dict):
            key = (str(entry.get("table")), str(entry.get("test")), str(entry.get("column")))
            failures = entry.get("failures")
            counts[key] = counts.get(key, 0) + (failures if isinstance(failures, (int, float)) else 0)
    return counts


def load_report(path):
    """report.json, its non-finite constants (NaN, Infinity) collected rather than accepted."""
    constants = []

    def constant(name):
        constants.append(name)
        return float("nan")
    try:
        return json.loads(Path(path).read_bytes(), parse_constant=constant), constants
    except (OSError, ValueError):
        return None, constants


NUMBER_KEYS = ("value", "n", "se")


def report_numbers(case, run, out):
    """No NaN or Infinity anywhere in report.json; no null or non-number where a metric has a number."""
    report, constants = load_report(Path(out) / "report.json")
    if report is None:
        return None
    problems = []
    if constants:
        problems.append("%s in report.json" % ", ".join(sorted(set(constants))))

    def walk(value, path):
        if isinstance(value, float) and not math.isfinite(value):
            problems.append("%s = %r" % (path, value))
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, "%s.%s" % (path, k))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, "%s[%d]" % (path, i))
    walk(report, "$")
    metrics = report.get("metrics") if isinstance(report, dict) else None
    for name, metric in (metrics or {}).items() if isinstance(metrics, dict) else []:
        if not isinstance(metric, dict):
            problems.append("metrics.%s is %s" % (name, type(metric).__name__))
            continue
        for key in NUMBER_KEYS:
            if key in metric and (not isinstance(metric[key], (int, float)) or isinstance(metric[key], bool)):
                problems.append("metrics.%s.%s = %s" % (name, key, json.dumps(metric[key])[:20]))
        ci = metric.get("ci")
        if ci is not None and (not isinstance(ci, list) or not all(isinstance(x, (int, float)) for x in ci)):
            problems.append("metrics.%s.ci = %s" % (name, json.dumps(ci)[:40]))
        for point in metric.get("series") or []:
            if isinstance(point, dict) and "value" in point and not isinstance(point["value"], (int, float)):
                problems.append("metrics.%s.series[%s] = %s" % (name, point.get("key"), json.dumps(point["value"])[:20]))
                break
    if problems:
        case.violation("non-finite-in-report", "; ".join(sorted(set(problems), key=problems.index)[:4]), run)
    return report


def replace_in_role(text, role, old, new):
    """Replaces the first `old` inside the block of `role` (the lines after `  role:`)."""
    start = text.find(b"\n  %s:\n" % role)
    assert start >= 0, role
    at = text.find(old, start)
    assert at >= 0, (role, old)
    return text[:at] + new + text[at + len(old):]


def line_of(text, needle):
    at = text.find(needle)
    return text.count(b"\n", 0, at) + 1 if at >= 0 else None


def yaml_quote(text):
    """A YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(text, ensure_ascii=True).encode()


# ----------------------------------------------------------------------------------------------
# Family: mapping (hostile mappings onto the roles, against the examples)

# Where an expression may stand in each example: (role, the text to replace, its key).
EXPR_SLOTS = {
    "single-subscriptions": [("subscriptions", b"amount: monthly_amount", b"amount: "),
                             ("subscriptions", b"plan: plan", b"plan: ")],
    "accounts-churn-events": [("subscriptions", b"amount: arr_amount / 12", b"amount: "),
                              ("subscriptions", b"filter: is_trial != 'true'", b"filter: "),
                              ("subscribers", b"country: country", b"country: ")],
    "stripe-like": [("subscriptions", b"amount: \"if(plan_interval = 'year', plan_amount * quantity / 1200, plan_amount * quantity / 100)\"", b"amount: "),
                    ("subscriptions", b"filter: status != 'incomplete_expired'", b"filter: "),
                    ("payments", b"amount: {column: amount_due, unit: cents}", b"amount: ")],
}
# A column each slot can read, and the example's first role table.
EXPR_COLUMN = {"single-subscriptions": "monthly_amount", "accounts-churn-events": "arr_amount", "stripe-like": "plan_amount"}
DEPTHS = [10, 100, 1000, 5000, 10000, 50000, 100000, 200000]
CHAIN_LENGTHS = [10, 1000, 10000, 50000, 100000, 200000]


def hostile_expression(rng, column):
    """(expression, description, family of the case for the hang memory)."""
    kind = rng.choice(["deep", "deep", "deep", "chain", "chain", "literal", "number", "quote", "unicode", "control",
                       "function", "function"])
    if kind == "deep":
        depth = rng.choice(DEPTHS)
        how = rng.choice(["paren", "minus", "not", "call", "if", "mixed"])
        if how == "paren":
            expr = "(" * depth + column + ")" * depth
        elif how == "minus":
            expr = rng.choice(["-", "- "]) * depth + column
        elif how == "not":
            expr = "not " * depth + column
        elif how == "call":
            name = rng.choice(["abs", "round", "lower", "trim", "upper", "coalesce"])
            expr = (name + "(") * depth + column + ")" * depth
        elif how == "if":
            expr = "if(1 = 1, " * depth + column + ")" * depth
        else:
            pieces = [rng.choice(["(", "-", "not ", "abs("]) for _ in range(depth)]
            expr = "".join(pieces) + column + "".join(")" for p in reversed(pieces) if p in ("(", "abs("))
        return expr, "expression nested %d deep (%s)" % (depth, how), ("mapping", "deep", how, depth >= 50000)
    if kind == "chain":
        count = rng.choice(CHAIN_LENGTHS)
        op = rng.choice([" + ", " or ", " and ", " * ", " - ", " = ", " || "])
        term = rng.choice([column, "1", "x"])
        return op.join([term] * count), "flat chain of %d terms with %r" % (count, op.strip()), ("mapping", "chain", count >= 100000)
    if kind == "literal":
        length = rng.choice([5000, 100_000, 1_000_000])
        expr = rng.choice(["'" + "x" * length + "'", "9" * length, "1." + "0" * length + "1", column + " + " + "9" * length,
                           "`" + "c" * length + "`"])
        return expr, "a literal of %d characters" % length, ("mapping", "literal")
    if kind == "number":
        expr = rng.choice(["1e400", "-1e400", "2e308 / 2e308", column + " / 0", "1 / 0", "0 / 0", column + " * 1e308 * 1e308",
                           "1e-400", "0x1A", "1_000", "1e", ".", "-", "--1", "1..2", column + " / (1 - 1)",
                           "round(" + column + ", 400)", "round(" + column + ", -400)", "abs(-1e400)",
                           "9223372036854775807 + 1", "-9223372036854775808 - 1", "999999999999999999999999999999"])
        return expr, "number %s" % expr[:40], ("mapping", "number")
    if kind == "quote":
        expr = rng.choice(["'unterminated", "`unterminated", column + " = 'x", "''''", "'a''b'", "'\\'", "\"x\"",
                           "`", "'", column + " in ('a', 'b'", column + " in (", "if(", "(((", ")))", column + " ) ("])
        return expr, "quoting %s" % expr[:30], ("mapping", "quote")
    if kind == "unicode":
        expr = rng.choice(["\u202e" + column, column + "\u200b", "\uff11\uff12", "\u0661\u0662 + 1", "e\u0301", "\U0001F4A5",
                           "`\U0001F4A5`", "'\u2028'", column + " \u2212 1", "lower('\u0130')", "upper('\u00df')",
                           "\ufeff" + column, "\ud7ff", "'\ufffd'", "`" + column + "\u0000`"])
        return expr, "unicode %r" % expr[:20], ("mapping", "unicode")
    if kind == "control":
        expr = rng.choice([column + "\x00", "\x00", column + " +\x01 1", "'\x1b[31mred'", column + "\x7f", "'a\x00b'",
                           "`\x1b[2J`", "lower('\x07')", column + "\r\n+ 1", "\x0b" + column])
        return expr, "control bytes %r" % expr[:20], ("mapping", "control")
    expr = rng.choice(["frob(" + column + ")", "abs()", "abs(" + column + ", 1)", "if(" + column + ")", "if(1, 2)",
                       "if(1, 2, 3, 4)", "coalesce()", "round()", "round(" + column + ", 1, 2)", "lower(1, 2)",
                       "trim()", "ABS(" + column + ")", "abs" , "abs(" * 3, "sqrt(" + column + ")", column + "()",
                       "coalesce(" + ", ".join([column] * 10000) + ")", "lower(" + column + ") in ()",
                       "is null", column + " is not not null", "not", column + " not in (1, 2)"])
    return expr, "function %s" % expr[:40], ("mapping", "function")


def expression_mapping(rng, ex):
    text = ex["mapping"]
    slots = EXPR_SLOTS[ex["name"]] + [None]
    slot = rng.choice(slots)
    expr, what, sig = hostile_expression(rng, EXPR_COLUMN[ex["name"]] if slot is None or slot[2] != b"country: " else "country")
    encoded = yaml_quote(expr)
    if slot is None:
        # As a filter of the subscriptions role (a new key, or instead of its filter).
        if b"    filter: " in text:
            text = re.sub(rb"    filter: [^\n]*", lambda m: b"    filter: " + encoded, text, count=1)
        else:
            text = text.replace(b"    from: subscriptions.csv\n", b"    from: subscriptions.csv\n    filter: " + encoded + b"\n", 1)
        line, place = line_of(text, b"    filter: "), "subscriptions.filter"
    else:
        role, old, key = slot
        if rng.random() < 0.25 and key != b"filter: ":
            new = key + b"{expr: " + encoded + b"}"
        else:
            new = key + encoded
        text = replace_in_role(text, role.encode(), old, new)
        line, place = line_of(text, new), "%s.%s" % (role, key.decode().strip(": "))
    return text, "%s: %s" % (place, what), line, sig


def alias_bomb(levels, width=9):
    body = b'  b0: &b0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(1, levels):
        body += b"  b%d: &b%d [" % (i, i) + b",".join([b"*b%d" % (i - 1)] * width) + b"]\n"
    return body


def structure_mapping(rng, ex):
    """(text, description, line or None, flags)."""
    text = ex["mapping"]
    lines = text.split(b"\n")
    kind = rng.choice(["bomb_value", "bomb_key", "bomb_key", "deep", "duplicate", "huge", "bom", "tabs", "non_utf8",
                       "anchors", "documents", "crlf", "merge", "empty", "control", "long_key", "utf16"])
    if kind in ("bomb_value", "bomb_key"):
        levels = rng.choice([3, 5, 7, 9, 10])
        # The anchors live under an attribute's value map, which any role may carry.
        anchors = b"description: &d0 x\nzz_anchors:\n" + alias_bomb(levels)
        if kind == "bomb_value":
            where = rng.choice(["attribute", "values", "plans", "window"])
            if where == "attribute":
                new = text.replace(b"  subscriptions:\n    from:", b"  subscriptions:\n    attributes:\n      bomb: *b%d\n    from:" % (levels - 1), 1)
            elif where == "values":
                new = text.replace(b"  subscriptions:\n    from:", b"  subscriptions:\n    attributes:\n      bomb: {column: plan, values: *b%d}\n    from:" % (levels - 1), 1)
            elif where == "plans":
                new = re.sub(rb"(?m)^plans: .*$", b"plans: *b%d" % (levels - 1), text, count=1)
            else:
                new = re.sub(rb"(?m)^window: .*$", b"window: *b%d" % (levels - 1), text, count=1)
        else:
            where = rng.choice(["attributes", "top", "fields", "values"])
            key = b"? *b%d\n" % (levels - 1)
            if where == "attributes":
                new = text.replace(b"  subscriptions:\n    from:", b"  subscriptions:\n    attributes:\n      " + key + b"      : plan\n    from:", 1)
            elif where == "top":
                new = text + key + b": x\n"
            elif where == "fields":
                new = text.replace(b"    fields:\n", b"    fields:\n      " + key + b"      : x\n", 1)
            else:
                new = text.replace(b"  subscriptions:\n    from:", b"  subscriptions:\n    attributes:\n      bomb: {column: x, values: {*b%d : y}}\n    from:" % (levels - 1), 1)
        text = anchors + new
        return text, "alias expansion %d levels of 9 as a %s (%s)" % (levels, "key" if kind == "bomb_key" else "value", where), None, {("bomb", kind)}
    if kind == "deep":
        depth = rng.choice([1000, 10000, 100000, 200000])
        how = rng.choice(["flow_list", "flow_map", "block_map", "as_field"])
        if how == "flow_list":
            piece = b"zz: " + b"[" * depth + b"]" * depth + b"\n"
            return text + piece, "flow lists nested %d deep" % depth, None, {("deep", how)}
        if how == "flow_map":
            piece = b"zz: " + b"{a: " * depth + b"1" + b"}" * depth + b"\n"
            return text + piece, "flow mappings nested %d deep" % depth, None, {("deep", how)}
        if how == "block_map":
            depth = min(depth, 10000)
            piece = b"zz:\n" + b"".join(b" " * (i + 1) + b"a:\n" for i in range(depth)) + b" " * (depth + 1) + b"1\n"
            return text + piece, "block mappings nested %d deep" % depth, None, {("deep", how)}
        new = re.sub(rb"(?m)^(      amount: ).*$", lambda m: m.group(1) + b"[" * depth + b"]" * depth, text, count=1)
        return new, "amount is lists nested %d deep" % depth, line_of(new, b"      amount: ["), {("deep", how)}
    if kind == "duplicate":
        what = rng.choice(["name", "roles", "role", "field", "window"])
        if what == "name":
            new = text.replace(b"\nsubject:", b"\nname: again\nsubject:", 1) if b"\nsubject:" in text else text + b"name: again\n"
        elif what == "roles":
            new = text + b"roles:\n  subscriptions:\n    from: x.csv\n"
        elif what == "role":
            new = text.replace(b"roles:\n", b"roles:\n  subscriptions:\n    from: x.csv\n", 1)
        elif what == "field":
            new = text.replace(b"    fields:\n", b"    fields:\n      zz: a\n      zz: b\n", 1)
        else:
            new = text + b"window: [2023-01, 2023-02]\n"
        return new, "duplicate key (%s)" % what, None, set()
    if kind == "huge":
        what = rng.choice(["attributes", "tests", "plans", "comment"])
        count = rng.choice([10_000, 100_000])
        if what == "attributes":
            body = b"".join(b"      a%d: plan\n" % i for i in range(count)) if ex["name"] == "single-subscriptions" else \
                b"".join(b"      a%d: id\n" % i for i in range(count))
            new = text.replace(b"  subscriptions:\n    from:", b"  subscriptions:\n    attributes:\n" + body + b"    from:", 1)
        elif what == "tests":
            new = re.sub(rb"(?m)^tests:\n", b"", text) + b"tests:\n" + b"".join(
                b"  - {test: not_null, role: subscriptions, field: amount}\n" for _ in range(count))
        elif what == "plans":
            new = re.sub(rb"(?m)^plans: .*$", b"plans: [" + b", ".join(b"p%d" % i for i in range(count)) + b"]", text, count=1)
        else:
            new = text + b"#" + b"x" * (count * 100) + b"\n"
        return new, "huge document: %d %s" % (count, what), None, set()
    if kind == "bom":
        return b"\xef\xbb\xbf" + text, "a byte-order mark at the start", None, {"equivalent"}
    if kind == "crlf":
        return text.replace(b"\n", b"\r\n"), "CRLF line ends", None, {"equivalent"}
    if kind == "tabs":
        how = rng.choice(["indent", "after_colon", "in_flow"])
        if how == "indent":
            i = rng.choice([n for n, l in enumerate(lines) if l.startswith(b"    ")])
            lines[i] = b"\t" + lines[i].lstrip(b" ")
            return b"\n".join(lines), "a tab indents line %d" % (i + 1), i + 1, set()
        if how == "after_colon":
            return text.replace(b"name: ", b"name:\t", 1), "a tab after 'name:'", None, {"equivalent"}
        return text.replace(b"window: [", b"window: [\t", 1), "a tab inside the window's list", None, {"equivalent"}
    if kind == "non_utf8":
        byte = rng.choice([b"\xff", b"\xc3", b"\xe9", b"\xed\xa0\x80", b"\xc0\xaf", b"\x80"])
        where = rng.choice(["comment", "value", "key"])
        i = rng.randrange(1, len(lines) - 1)
        if where == "comment":
            lines[i] += b"  # caf" + byte
        elif where == "value":
            lines[i] = re.sub(rb":( *)(\S)", lambda m: b":" + m.group(1) + byte + m.group(2), lines[i], count=1)
        else:
            lines[i] = re.sub(rb"^(\s*)(\w)", lambda m: m.group(1) + byte + m.group(2), lines[i], count=1)
        return b"\n".join(lines), "non-UTF-8 %r in a %s on line %d" % (byte, where, i + 1), i + 1, set()
    if kind == "control":
        byte = rng.choice([b"\x00", b"\x01", b"\x1b", b"\x7f", b"\x08", b"\x0c", b"\x1b[31m"])
        i = rng.randrange(1, len(lines) - 1)
        at = rng.randrange(len(lines[i]) + 1)
        lines[i] = lines[i][:at] + byte + lines[i][at:]
        return b"\n".join(lines), "raw %r on line %d" % (byte, i + 1), i + 1, set()
    if kind == "anchors":
        how = rng.choice(["fields", "role", "merge_fields"])
        if how == "fields":
            new = text.replace(b"    fields:\n", b"    fields: &f\n", 1)
            new = new + b"  churn_events:\n    from: subscriptions.csv\n    fields: *f\n"
        elif how == "role":
            new = text.replace(b"  subscriptions:\n", b"  subscriptions: &r\n", 1) + b"  payments: *r\n"
        else:
            new = text.replace(b"    fields:\n", b"    fields: &f\n", 1) + b"  events:\n    from: subscriptions.csv\n    fields:\n      <<: *f\n      time: nope\n"
        return new, "anchors across roles (%s)" % how, None, set()
    if kind == "merge":
        new = text.replace(b"roles:\n", b"defaults: &d {from: subscriptions.csv}\nroles:\n", 1)
        return new, "a merge anchor at the top", line_of(new, b"defaults:"), set()
    if kind == "documents":
        return text + b"---\n" + text, "two documents", None, set()
    if kind == "empty":
        return rng.choice([b"", b"\n", b"---\n", b"~\n", b"# only a comment\n", b"[]\n", b"roles\n"]), "empty or scalar document", None, set()
    if kind == "utf16":
        return text.decode().encode(rng.choice(["utf-16", "utf-32"])), "UTF-16/32", None, set()
    key = b"k" * rng.choice([1000, 100_000])
    return text + key + b": 1\n", "a %d-character key" % len(key), None, set()


QUERIES = [
    ("VACUUM INTO 'copy.db'", "vacuum"), ("VACUUM INTO '%s'", "vacuum_abs"), ("SELECT * FROM {t}; DROP TABLE {t}", "drop"),
    ("DROP TABLE {t}", "drop"), ("ATTACH DATABASE 'other.db' AS o", "attach"), ("ATTACH 'file:other2.db?mode=rwc' AS o", "attach"),
    ("PRAGMA writable_schema=1", "pragma"), ("PRAGMA journal_mode=WAL", "pragma"), ("PRAGMA query_only=0", "pragma"),
    ("SELECT load_extension('./libnope')", "extension"), ("SELECT load_extension('/lib/x86_64-linux-gnu/libc.so.6')", "extension"),
    ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT * FROM {t}, c", "endless"),
    ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c", "endless"),
    ("SELEC * FROM {t}", "syntax"), ("SELECT * FROM", "syntax"), ("SELECT * FROM {t} WHERE", "syntax"), ("'", "syntax"),
    ("SELECT * FROM {t} /* unterminated", "syntax"), ("", "empty"), ("   ", "empty"), (";", "empty"), ("-- only a comment", "empty"),
    ("SELECT * FROM {t} WHERE 0", "no_rows"), ("SELECT 1 AS a", "wrong_columns"), ("SELECT * FROM nope", "wrong_table"),
    ("SELECT {nulls}", "nulls"), ("SELECT {nulls} FROM {t}", "nulls"),
    ("DELETE FROM {t} RETURNING *", "write_returning"), ("UPDATE {t} SET {c} = {c} RETURNING *", "write_returning"),
    ("INSERT INTO {t} SELECT * FROM {t} RETURNING *", "write_returning"), ("SELECT *, load_extension('./libnope') AS zz FROM {t}", "extension"),
    ("INSERT INTO {t} DEFAULT VALUES", "write"), ("DELETE FROM {t}", "write"), ("UPDATE {t} SET {c} = NULL", "write"),
    ("CREATE TABLE zz (a)", "write"), ("BEGIN EXCLUSIVE", "write"), ("SELECT * FROM {t}; SELECT 1", "two"),
    ("SELECT *, randomblob(1000000) AS zz_junk FROM {t}", "valid"), ("SELECT * FROM {t} ORDER BY random()", "valid"),
    ("SELECT * FROM {t} -- trailing comment", "valid"), ("select * from \"{t}\"", "valid"), ("SELECT * FROM {t}\n", "valid"),
    ("SELECT * FROM {t} UNION ALL SELECT * FROM {t}", "valid"), ("SELECT zeroblob(1000000000) AS a", "big"),
    ("SELECT * FROM {t} WHERE {c} = '\x1b[31m'", "control"), ("SELECT * FROM {t}\x00; DROP TABLE {t}", "control"),
]


def query_mapping(rng, ex, case):
    text = ex["db_mapping"]
    roles = re.findall(rb"(?m)^  (\w+):\n    from: (\w+)$", text)
    role, table = rng.choice(roles)
    sql, kind = rng.choice(QUERIES)
    header = ex["tables"][table.decode() + ".csv"][0]
    sql = sql.replace("{t}", table.decode()).replace("{c}", header[0]).replace(
        "{nulls}", ", ".join("NULL AS %s" % c for c in header))
    if "%s" in sql:
        sql = sql % (case.dir / "copy2.db")
    new_line = b"    query: " + yaml_quote(sql)
    text = replace_in_role(text, role, b"    from: " + table, new_line)
    return text, "%s query %r (%s)" % (role.decode(), sql[:60], kind), line_of(text, new_line), kind


# Odd values of any key, then the values particular to some keys.
ODD_VALUES = [b"[a, b]", b"[]", b"{a: 1}", b"{}", b"1", b"0", b"-1", b"1.5", b"1e400", b"True", b"yes", b"on", b"no", b"off",
              b"'1'", b"''", b"null", b"~", b"'" + b"x" * 5000 + b"'", b"\"\\x01\\x1b[31m\\x07\"", b"\"\\u202e\"", b".nan",
              b".inf", b"2024-01-01", b"!!binary aGVsbG8=", b"0x10", b"\"\\0\"", b"\"a\\nb\"", b"'*'", b"!!str", b"- a"]
KEY_VALUES = {
    "window": [w.encode() for w in WINDOWS] + [b"[0001-01, 9999-12]", b"auto", b"[auto, auto]", b"[2023-01, auto]"],
    "timezone": [b"'+:::1200'", b"'+99:99'", b"Mars/Base", b"'-00:00'", b"UTC+25", b"'+14:01'", b"'../../etc/passwd'",
                 b"Europe/Berlin ", b"\"Europe/Berlin\\0\"", b"'+02'", b"'Z'", b"utc", b"'+0200'", b"America/Argentina/ComodRivadavia"],
    "format": [b"'%Q'", b"'%'", b"'%%'", b"'%Y%Y%Y'", b"epoch_s", b"epoch_ms", b"epoch_us", b"epoch_ns", b"date", b"auto", b"'%s'",
               b"'%z'", b"'%Y-%m-%d %H:%M:%S %z'", b"''", b"'%d-%m-%Y'", b"'%m/%d/%Y'", b"'%E'", b"'%-d'", b"'" + b"%Y" * 2000 + b"'",
               b"'%Y-%m-%dT%H:%M:%S.%f%z'", b"'%b %d %Y'", b"'%I %p'", b"'\\x1b%Y'"],
    "as_of": [b"2024-13-01", b"0001-01-01", b"9999-12-31", b"10000-01-01", b"2024-02-30", b"'2024-06-01 24:00:00'", b"auto", b"yesterday",
              b"1e20", b"'2024-06-30T23:59:60Z'", b"'-2024-01-01'"],
    "optional": [b"maybe", b"yes", b"True", b"on", b"1", b"'true'", b"null"],
    "dimension": [b"nope", b"prices", b"''", b"roles", b"subscriptions"],
    "unit": [b"parsecs", b"cents", b"per_year", b"thousandths", b"''", b"yes", b"CENTS", b"units", b"dollars"],
    "values": [b"{1: Basic, true: Team, null: Business, 1.5: x, 2024-01-01: y}", b"{[a]: x}", b"{{a: 1}: x}", b"{a: [b]}",
               b"{a: {b: c}}", b"{a: null}", b"{'': x}", b"{x: ''}", b"{\"\\x1b[31m\": x}", b"{a: b, a: c}"],
    "grace_days": [b"-1", b"367", b"1e9", b"1.5", b".nan", b"'3'", b"9223372036854775808"],
    "definition": [b"nope", b"churn_events", b"subscriber_status", b"''"],
    "unit_churn": [b"subscription", b"subscriber", b"pledge", b"''"],
    "monthly_numerator": [b"at_risk", b"all_endings", b"some"],
    "severity": [b"'off'", b"off", b"false", b"fatal", b"warn", b"ERROR", b"0"],
    "extends": [b"saas", b"creators", b"nope", b"''", b"[saas]"],
    "engine": [b"creators", b"families", b"turbo"],
    "plans": [b"[a, a]", b"[{name: a, price: [10, 1]}]", b"[{name: a, price: [.nan, 1]}]", b"[{name: a, price: [1e400, 1]}]",
              b"[{price: [1, 2]}]", b"[{name: a, price: []}]", b"[[a]]", b"[{name: a, zz: 1}]"],
    "roles": [b"{}", b"[]", b"{subscriptions: {}}", b"{subscriptions: null}", b"{zz: {from: x.csv}}"],
    "to": [b"subscriptions.id", b"nope.id", b"subscriptions.nope", b"subscriptions", b"'a.b.c'"],
    "rules": [b"[day06.current_mrr]", b"[nope]", b"[creators.pledge_status]", b"[day06.subscription_chain, day06.subscription_chain]"],
    "extras": [b"[day06.edge_cases]", b"[nope]"],
}
TOP_KEYS = ["name", "profile", "description", "subject", "extends", "engine", "detect", "window", "as_of", "timezone", "plans",
            "roles", "tests", "rules", "extras", "dimensions", "churn"]
CHURN_KEYS = ["definition", "grace_days", "monthly_numerator", "unit_churn", "values", "voluntary"]
ROLE_KEYS = ["from", "query", "filter", "optional", "fields", "attributes"]
FIELD_KEYS = ["column", "expr", "value", "format", "timezone", "values", "unit", "dimension"]
TEST_KEYS = ["test", "role", "field", "values", "min", "max", "exclusive", "to", "severity"]


def key_value(rng, key):
    pool = KEY_VALUES.get(key, [])
    return rng.choice(pool) if pool and rng.random() < 0.6 else rng.choice(ODD_VALUES)


def keys_mapping(rng, ex):
    """One key of the schema given an odd value: (text, description, line)."""
    text = ex["mapping"]
    where = rng.choice(["top", "top", "churn", "role", "field", "field", "field", "test"])
    if where == "top":
        key = rng.choice(TOP_KEYS)
        value = key_value(rng, key)
        line = key.encode() + b": " + value
        if re.search(rb"(?m)^%s:" % key.encode(), text):
            if key in ("roles", "tests", "dimensions", "churn"):
                # Replace a block key: the key line and its indented block.
                text = re.sub(rb"(?ms)^%s:.*?(?=^\S|\Z)" % key.encode(), lambda m: line + b"\n", text, count=1)
            else:
                text = re.sub(rb"(?m)^%s:.*$" % key.encode(), lambda m: line, text, count=1)
        else:
            text = text.replace(b"\nroles:\n", b"\n" + line + b"\nroles:\n", 1)
        return text, "%s: %s" % (key, value[:60].decode("utf-8", "replace")), line_of(text, line)
    if where == "churn":
        key = rng.choice(CHURN_KEYS)
        value = key_value(rng, key)
        name = "unit" if key == "unit_churn" else key
        line = b"  " + name.encode() + b": " + value
        if b"\nchurn:\n" in text:
            text = text.replace(b"\nchurn:\n", b"\nchurn:\n" + line + b"\n", 1)
        else:
            text = text.replace(b"\nroles:\n", b"\nchurn:\n" + line + b"\nroles:\n", 1)
        return text, "churn.%s: %s" % (name, value[:60].decode("utf-8", "replace")), line_of(text, line)
    roles = re.findall(rb"(?m)^  (\w+):\n", text.split(b"\ntests:")[0].split(b"\ndimensions:")[0])
    if where == "role":
        role = rng.choice(roles)
        key = rng.choice(ROLE_KEYS)
        value = key_value(rng, key)
        line = b"    " + key.encode() + b": " + value
        start = text.find(b"\n  %s:\n" % role) + len(b"\n  %s:\n" % role)
        block_end = re.compile(rb"(?m)^  \S|^\S").search(text, start)
        block = text[start:block_end.start() if block_end else len(text)]
        existing = re.search(rb"(?m)^    %s:.*\n(?:      .*\n)*" % key.encode(), block)
        if existing:
            block = block[:existing.start()] + line + b"\n" + block[existing.end():]
        else:
            block = line + b"\n" + block
        text = text[:start] + block + text[start + len(text[start:block_end.start() if block_end else len(text)]):]
        return text, "roles.%s.%s: %s" % (role.decode(), key, value[:60].decode("utf-8", "replace")), line_of(text, line)
    if where == "field":
        fields = [m for m in re.finditer(rb"(?m)^      (\w+): (.*?)(\s+#.*)?$", text)]
        m = rng.choice(fields)
        name, spec = m.group(1), m.group(2)
        key = rng.choice(FIELD_KEYS)
        value = key_value(rng, key)
        if rng.random() < 0.2:
            new_spec = value  # the field itself gets the odd value
            what = "field %s: %s" % (name.decode(), value[:60].decode("utf-8", "replace"))
        else:
            if spec.startswith(b"{"):
                inner = re.sub(rb"(^|, )%s: (\{[^}]*\}|[^,}]*)" % key.encode(), b"", spec[1:-1]).lstrip(b", ")
            else:
                inner = (b"column: " + spec) if re.match(rb"^\w+$", spec) else (b"expr: " + spec)
                if key in ("column", "expr", "value"):
                    inner = b""
            new_spec = b"{" + (inner + b", " if inner else b"") + key.encode() + b": " + value + b"}"
            what = "field %s {%s: %s}" % (name.decode(), key, value[:60].decode("utf-8", "replace"))
        new = b"      " + name + b": " + new_spec
        text = text[:m.start()] + new + text[m.end():]
        return text, what, line_of(text, new)
    key = rng.choice(TEST_KEYS)
    value = key_value(rng, key)
    base = {"test": b"not_null", "role": b"subscriptions", "field": b"amount"}
    base[key] = value
    line = b"  - {" + b", ".join(k.encode() + b": " + v for k, v in base.items()) + b"}"
    if b"\ntests:\n" in text:
        text = text.replace(b"\ntests:\n", b"\ntests:\n" + line + b"\n", 1)
    else:
        text = text + b"tests:\n" + line + b"\n"
    return text, "tests[0].%s: %s" % (key, value[:60].decode("utf-8", "replace")), line_of(text, line)


# A user query's limits in the mapping family's runs: an endless recursive CTE is stopped well
# inside the per-run timeout (the binary's default, 60 s, would read as a hang).
QUERY_LIMITS_ENV = {"SYNTHAUDIT_QUERY_SECONDS": "3", "SYNTHAUDIT_QUERY_MEMORY_MB": "512"}
# Refusals whose cause is the data, which `profile check` does not read: a table, file or column
# the mapping names that the input lacks, a query naming a table, column or function the database
# lacks, a filter keeping no row, dates spanning too long, a query stopped at its time or memory
# limit. Any other refusal after `profile check` passed is check-accepted-audit-refused.
DATA_REFUSALS = re.compile(
    r"lacks? what the .{1,80} profile requires|which no input holds|no input holds table '|"
    r"has no column '|^synthaudit: dimension \S+ lacks |"
    r"query fails: no such (?:table|column|function)|keeps none of the [\d,]+ rows|no dates to take a window from|"
    r" spans .* months\); an audit window is at most|"
    r"its time limit \(SYNTHAUDIT_QUERY_SECONDS|MiB of SQLite memory, its limit \(SYNTHAUDIT_QUERY_MEMORY_MB")

MAPPING_KINDS = ["expr"] * 4 + ["structure"] * 3 + ["query"] * 2 + ["keys"] * 4
# The first cases cycle over every (example, kind) pair, so that a short budget sees them all.
MAPPING_ORDER = ["expr", "keys", "structure", "query"]


def family_mapping(case):
    ctx, rng = case.ctx, case.rng
    name = EXAMPLES[case.index % len(EXAMPLES)]
    ex = dict(ctx.examples[name], name=name)
    kind = MAPPING_ORDER[case.index % len(MAPPING_ORDER)] if case.index < 4 * len(EXAMPLES) * len(MAPPING_ORDER) else rng.choice(MAPPING_KINDS)
    flags = set()
    if kind == "expr":
        text, what, line, sig = expression_mapping(rng, ex)
        case.hang_signature = sig
    elif kind == "structure":
        text, what, line, flags = structure_mapping(rng, ex)
        case.hang_signature = ("mapping", "structure") + tuple(sorted(str(f) for f in flags))
    elif kind == "query":
        text, what, line, qkind = query_mapping(rng, ex, case)
        case.hang_signature = ("mapping", "query", qkind)
    else:
        text, what, line = keys_mapping(rng, ex)
    case.env = dict(ctx.env, **QUERY_LIMITS_ENV)
    mapping_name = rng.choice(["m.yaml", "m.yaml", "mapping.yml", "my map.yaml"])
    (case.dir / mapping_name).write_bytes(text)
    case.title = "%s: %s" % (name, what)
    if kind == "query":
        shutil.copyfile(ex["db"], case.dir / "x.db")
        inputs, input_names = "x.db", ["x.db"]
    else:
        shutil.copytree(ex["folder"], case.dir / "dataset")
        inputs, input_names = "dataset", example_files(name)
    case.protect(case.dir / inputs, "input")
    case.protect(case.dir / mapping_name, "input")
    check = case.run(["profile", "check", mapping_name], names=[mapping_name], bands_check=True, memory_note=True)
    target = Target(case, case.dir / "out", "report")
    audit = case.run(["audit", inputs, "--profile", mapping_name, "--out", "out", "--quiet"],
                     names=[mapping_name] + input_names + [inputs], memory_note=True)
    target.check(audit)
    case.verify(audit)
    mapping_contract(case, check, audit, mapping_name, line, input_names)
    if kind == "query" and qkind == "endless" and not audit.timed_out and audit.rc is not None and audit.rc >= 0:
        # Stopped at its time limit; `SELECT x FROM c` lacks the role's (or dimension's) columns and is refused first.
        said = audit.stderr.decode("utf-8", "replace")
        if audit.rc != 65 or not ("its time limit" in said or re.search(r"lacks? what the .{1,80} profile requires|lacks column '", said)):
            case.violation("query-limit-missed", "exit %d for an endless query (expected 65 and its time limit, %s s)"
                           % (audit.rc, QUERY_LIMITS_ENV["SYNTHAUDIT_QUERY_SECONDS"]), audit)
    if audit.rc in (0, 1) and not audit.timed_out:
        report_numbers(case, audit, case.dir / "out")
    if "equivalent" in flags:
        same_report(case, audit, case.dir / "out", ex["report_dir"], ex["exit"], parts=("metrics", "checks", "integrity"))


def mapping_contract(case, check, audit, mapping_name, line, input_names):
    """profile check says 0 or 65, the audit 0, 1 or 65; a 65 naming the mapping gives its line; both agree."""
    for run, allowed in ((check, (0, 65)), (audit, (0, 1, 65))):
        if not run.timed_out and run.rc is not None and run.rc >= 0 and run.rc in DOCUMENTED_EXITS and run.rc not in allowed:
            case.violation("mapping-unexpected-exit", "exit %d for a hostile mapping (expected %s)"
                           % (run.rc, " or ".join(map(str, allowed))), run)
    said = audit.stderr.decode("utf-8", "replace")
    names_mapping = mapping_name in said
    # A refusal caused by the data (DATA_REFUSALS), or by what a query of it returned, is no
    # disagreement: profile check does not read the data.
    names_data = bool(DATA_REFUSALS.search(said)) or "query of " in said
    if audit.rc == 65 and names_mapping and line is not None:
        if not re.search(r"%s:\d+|line \d+" % re.escape(mapping_name), said):
            case.violation("mapping-error-no-line", "the error names %s without ':LINE' or 'line N'" % mapping_name, audit)
    if check.timed_out or audit.timed_out:
        return
    if check.rc == 0 and audit.rc == 65 and names_mapping and not names_data:
        case.violation("check-accepted-audit-refused", "profile check passed (exit 0), the audit refused the mapping", audit)
    if check.rc == 65 and audit.rc in (0, 1):
        case.violation("check-refused-audit-accepted", "profile check refused the mapping (exit 65), the audit ran it (exit %d)"
                       % audit.rc, check)


# ----------------------------------------------------------------------------------------------
# Family: values (hostile cells in the examples' typed fields, read plainly and through an expression)

BAD_AMOUNTS = ["0x1A", "$10", "1,000.00", "1_000", "NaN", "nan", "inf", "-inf", "Infinity", "1e309", "-1e309", "", "  ",
               "abc", "1.2.3", "--1", "1e", "12a", "\u0661\u0662", "\uff11\uff12", "1 000", "+-1", "(10)", "10%", "\x00"]
ODD_AMOUNTS = ["-0", "1e-320", "9" * 40, "-" + "9" * 40, "0.000000001", " 12", "12 ", "+12", "1E2", "-0.0", "00012"]
BAD_EPOCHS = ["1e20", "-1e20", "NaN", "nan", "inf", "99999999999999999999", "2024-03-05", "abc", "1.5.0", "", " ", "0x10",
              "1,700,000,000"]
# Year 0 (0000-01-01) and year 10000 (10000-01-01) in the field's unit: -62167219200 seconds is
# 1968 read as milliseconds, a valid time.
EPOCH_OUT_OF_RANGE = {"epoch_s": ["253402300800", "-62167219200"],
                      "epoch_ms": ["253402300800000", "-62167219200000", "1e23", "-1e23"]}
ODD_EPOCHS = ["0", "-1", "1700000000.5", " 1700000000", "01700000000", "+1700000000", "1.7e9"]
BAD_TIMES = {
    "%m/%d/%Y": ["02/30/2024", "13/01/2024", "00/10/2024", "01/01/0000", "01/01/10000", "2024-03-05", "03/05/2024 24:00:00",
                 "05.03.2024", "abc", "", " ", "1e20", "NaN", "03/05/24", "3/5/2024x", "99/99/9999", "\x00"],
    "%d-%m-%Y": ["30-02-2024", "01-13-2024", "00-01-2024", "01-01-0000", "01-01-10000", "2024-03-05", "05-03-2024 24:00:00",
                 "03/05/2024", "abc", "", " ", "1e20", "NaN", "5-3-24x", "99-99-9999", "\x00"],
}
ODD_TIMES = {"%m/%d/%Y": ["3/5/2024", " 03/05/2024", "03/05/2024 ", "02/29/2024", "12/31/9999", "01/01/0001"],
             "%d-%m-%Y": ["5-3-2024", " 05-03-2024", "05-03-2024 ", "29-02-2024", "31-12-9999", "01-01-0001"]}
BAD_KEYS = ["", " ", "\x00"]
ODD_KEYS = ["k" * 10_000, "\x1b[31mkey\x07", "key\x01", "a\x7fb", "\u202ekey", "key\u2028x", "'", "\"", "key\r", "é" * 3000]
BOOLEANS = ["TRUE", "True", "yes", "on", "1", "t", "y", "", "  true", "true ", "false", "0", "no", "off", "\x00", "tru"]


def time_field(example, role, column, fmt, nullable, key=None):
    """A time field, plainly and through coalesce(column, column)."""
    key = key or {"subscribers": "signup", "churn_events": "time", "payments": "time", "events": "time"}.get(role)
    quoted = ('"%s"' % fmt) if "%" in fmt else fmt
    original = "%s: {column: %s, format: %s}" % (key, column, quoted)
    expr = "%s: {expr: \"coalesce(%s, %s)\", format: %s}" % (key, column, column, quoted)
    return {"example": example, "role": role, "column": column, "type": "time", "format": fmt, "nullable": nullable,
            "original": original, "plain": original, "expr": expr}


def plain_field(example, role, column, kind, original, plain, expr, nullable=False):
    return {"example": example, "role": role, "column": column, "type": kind, "nullable": nullable, "original": original,
            "plain": plain, "expr": expr}


VALUE_FIELDS = {
    "single-subscriptions": {"subscriptions.csv": [
        plain_field("single-subscriptions", "subscriptions", "monthly_amount", "amount", "amount: monthly_amount",
                    "amount: monthly_amount", "amount: \"monthly_amount * 1\""),
        time_field("single-subscriptions", "subscriptions", "started", "%m/%d/%Y", False, "start"),
        time_field("single-subscriptions", "subscriptions", "ended", "%m/%d/%Y", True, "end"),
        plain_field("single-subscriptions", "subscriptions", "customer", "key", "subscriber: customer", "subscriber: customer",
                    "subscriber: \"coalesce(customer, customer)\""),
    ]},
    "accounts-churn-events": {
        "accounts.csv": [
            plain_field("accounts-churn-events", "subscribers", "account_id", "key", "id: account_id", "id: account_id",
                        "id: \"coalesce(account_id, account_id)\""),
            time_field("accounts-churn-events", "subscribers", "created_on", "%d-%m-%Y", False)],
        "subscriptions.csv": [
            plain_field("accounts-churn-events", "subscriptions", "arr_amount", "amount", "amount: arr_amount / 12",
                        "amount: {column: arr_amount, unit: per_year}", "amount: arr_amount / 12"),
            plain_field("accounts-churn-events", "subscriptions", "subscription_id", "key", "id: subscription_id",
                        "id: subscription_id", "id: \"coalesce(subscription_id, subscription_id)\""),
            plain_field("accounts-churn-events", "subscriptions", "account_id", "key", "subscriber: account_id",
                        "subscriber: account_id", "subscriber: \"coalesce(account_id, account_id)\""),
            time_field("accounts-churn-events", "subscriptions", "start_date", "%d-%m-%Y", False, "start"),
            time_field("accounts-churn-events", "subscriptions", "end_date", "%d-%m-%Y", True, "end"),
            plain_field("accounts-churn-events", "subscriptions", "is_trial", "boolean", "", None, None)],
        "churn_events.csv": [
            time_field("accounts-churn-events", "churn_events", "churned_on", "%d-%m-%Y", False)],
    },
    "stripe-like": {
        "customers.csv": [
            plain_field("stripe-like", "subscribers", "id", "key", "id: id", "id: id", "id: \"coalesce(id, id)\""),
            time_field("stripe-like", "subscribers", "created", "epoch_s", False)],
        "subscriptions.csv": [
            plain_field("stripe-like", "subscriptions", "plan_amount", "amount", "", None, "(the mapping's expression)"),
            plain_field("stripe-like", "subscriptions", "quantity", "amount", "", None, "(the mapping's expression)"),
            plain_field("stripe-like", "subscriptions", "customer", "key", "subscriber: customer", "subscriber: customer",
                        "subscriber: \"coalesce(customer, customer)\""),
            time_field("stripe-like", "subscriptions", "ended_at", "epoch_s", True, "end")],
        "invoices.csv": [
            plain_field("stripe-like", "payments", "amount_due", "amount", "amount: {column: amount_due, unit: cents}",
                        "amount: {column: amount_due, unit: cents}", "amount: \"amount_due / 100\""),
            plain_field("stripe-like", "payments", "id", "key", "id: id", "id: id", "id: \"coalesce(id, id)\""),
            time_field("stripe-like", "payments", "created", "epoch_s", False)],
        "events.csv": [
            time_field("stripe-like", "events", "occurred_at_ms", "epoch_ms", False)],
    },
}


def mapping_time_formats(mapping):
    """{(role, column): format} of the example mapping's `{column: C, format: F}` fields."""
    formats = {}
    role = None
    for line in mapping.decode("utf-8").splitlines():
        m = re.match(r"^  (\w+):\s*$", line)
        if m:
            role = m.group(1)
            continue
        m = re.match(r"^\s+\w+: \{column: (\w+), format: (\"[^\"]*\"|[\w%]+)\}", line)
        if m and role:
            formats[(role, m.group(1))] = m.group(2).strip('"')
    return formats


def hostile_cell(rng, field, fmt=None):
    """(value, must be flagged); `fmt` is the field's format as the example's mapping gives it."""
    kind = field["type"]
    fmt = fmt or field.get("format")
    if kind == "amount":
        bad, odd = BAD_AMOUNTS, ODD_AMOUNTS
    elif kind == "time" and fmt.startswith("epoch"):
        if fmt not in EPOCH_OUT_OF_RANGE:
            raise ValueError("no out-of-range values for the epoch unit %r" % fmt)
        bad = BAD_EPOCHS + EPOCH_OUT_OF_RANGE[fmt]
        odd = ODD_EPOCHS
    elif kind == "time":
        bad, odd = BAD_TIMES[fmt], ODD_TIMES[fmt]
    elif kind == "key":
        bad, odd = BAD_KEYS, ODD_KEYS
    else:
        return rng.choice(BOOLEANS), False
    if field.get("nullable"):
        bad = [v for v in bad if v.strip()]
    value = rng.choice(bad) if rng.random() < 0.7 else rng.choice(odd)
    return value, value in bad


def family_values(case):
    ctx, rng = case.ctx, case.rng
    name = EXAMPLES[case.index % len(EXAMPLES)]
    ex = ctx.examples[name]
    file = rng.choice(sorted(VALUE_FIELDS[name]))
    field = rng.choice(VALUE_FIELDS[name][file])
    value, bad = hostile_cell(rng, field, ex["time_formats"].get((field["role"], field["column"])))
    header, rows = ex["tables"][file]
    column = header.index(field["column"])
    keep = EXAMPLE_FILTERS.get((name, file))
    eligible = [i for i, r in enumerate(rows) if not keep or r[header.index(keep[0])] not in keep[1]]
    count = rng.choice([1, 1, 2, 3, 5])
    chosen = sorted(rng.sample(eligible, min(count, len(eligible))))
    if field["type"] == "key" and not bad and len(chosen) < 2 and field["original"].startswith("id:"):
        chosen = sorted(rng.sample(eligible, 2))  # the same odd id twice: `unique` fails and shows it in the report
    new_rows = [list(r) for r in rows]
    for i in chosen:
        new_rows[i][column] = value
    source = case.dir / "dataset"
    shutil.copytree(ex["folder"], source)
    os.unlink(source / "mapping.yaml")
    (source / file).write_bytes(write_table(header, new_rows))
    shown = value if len(value) <= 30 else "%r... (%d chars)" % (value[:12], len(value))
    case.title = "%s: %s.%s := %r in %d row%s (%s)" % (name, file, field["column"], shown, len(chosen), "" if len(chosen) == 1 else "s",
                                                       "must be flagged" if bad else "odd")
    case.protect(source, "input")
    variants = []
    if field.get("plain") is not None:
        variants.append(("plain", field["plain"]))
    if field.get("expr") is not None:
        variants.append(("expr", field["expr"]))
    if not variants:
        variants.append(("plain", None))
    verdicts = {}
    for label, spec in variants:
        text = ex["mapping"]
        if spec is not None and spec != field["original"] and field["original"]:
            text = replace_in_role(text, field["role"].encode(), field["original"].encode(), spec.encode())
        mapping_name = "m-%s.yaml" % label
        (case.dir / mapping_name).write_bytes(text)
        out = case.dir / ("out-" + label)
        target = Target(case, out, "report")
        run = case.run(["audit", "dataset", "--profile", mapping_name, "--out", out.name, "--quiet"],
                       names=[file, mapping_name, "dataset"], positional=True)
        target.check(run)
        case.verify(run)
        if run.timed_out or run.rc is None or run.rc < 0:
            continue
        if run.rc not in (0, 1, 65):
            case.violation("values-unexpected-exit", "exit %d for hostile values (expected 0, 1 or 65)" % run.rc, run)
            continue
        tests = set()
        if run.rc in (0, 1):
            report = report_numbers(case, run, out)
            counts = integrity_counts(report) if isinstance(report, dict) else {}
            deltas = {k: v - ex["integrity"].get(k, 0) for k, v in counts.items() if k[0] == file}
            tests = {k[1] for k, d in deltas.items() if d > 0}
            enough = [k for k, d in deltas.items() if d >= len(chosen)]
            if bad and not (run.rc == 1 and enough):
                detail = "exit %d" % run.rc
                if tests:
                    detail += ", failures on %s: %s (fewer than the %d cells)" % (file, ", ".join(
                        "%s.%s +%d" % (k[1], k[2], d) for k, d in sorted(deltas.items()) if d > 0)[:160], len(chosen))
                else:
                    detail += ", no data test on %s counts the %d cell%s" % (file, len(chosen), "" if len(chosen) == 1 else "s")
                case.violation("bad-value-passed", "%s (%s variant)" % (detail, label), run)
        verdicts[label] = (run, run.rc, tuple(sorted(tests)))
    if len(verdicts) == 2:
        (plain_run, plain_rc, plain_tests), (expr_run, expr_rc, expr_tests) = verdicts["plain"], verdicts["expr"]
        if plain_rc != expr_rc or plain_tests != expr_tests:
            case.violation("plain-expr-differ", "read plainly: exit %d%s; through %r: exit %d%s" % (
                plain_rc, " (%s)" % ", ".join(plain_tests) if plain_tests else "", field["expr"].split(": ", 1)[1][:40],
                expr_rc, " (%s)" % ", ".join(expr_tests) if expr_tests else ""), expr_run)


# ----------------------------------------------------------------------------------------------
# Driver

FAMILY_FUNCTIONS = {"csv": family_csv, "sqlite": family_sqlite, "special": family_special, "yaml": family_yaml,
                    "golden": family_golden, "kills": family_kills, "concurrency": family_concurrency,
                    "output": family_output, "argv": family_argv, "mapping": family_mapping, "values": family_values}
FIXED_COUNTS = {"special": len(SPECIAL_FIXED), "golden": len(GOLDEN_FIXED), "output": len(OUTPUT_FIXED), "argv": len(ARGV_FIXED)}


def schedule(families):
    """Case ids in a fixed order: round robin over the families, FAMILY_WEIGHTS cases of each per round."""
    counts = {family: 0 for family in families}
    while True:
        for family in families:
            for _ in range(FAMILY_WEIGHTS.get(family, 1)):
                yield family, counts[family]
                counts[family] += 1


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Fuzz campaign for synthaudit (Documentation/fuzzing.md).")
    parser.add_argument("--bin", default=os.environ.get("SYNTHAUDIT_BIN", str(REPO / ".build/release/synthaudit")),
                        help="the binary (default: $SYNTHAUDIT_BIN or .build/release/synthaudit)")
    parser.add_argument("--seed", type=int, default=1, help="campaign seed (default 1)")
    parser.add_argument("--budget", type=float, help="seconds of cases to run (default 60 when --cases is not given)")
    parser.add_argument("--cases", type=int, help="stop after this many cases")
    parser.add_argument("--families", default=",".join(FAMILIES), help="comma-separated families (default: all)")
    parser.add_argument("--only", help="comma-separated case ids to run (e.g. csv-0012,argv-0003)")
    parser.add_argument("--artifacts", help="save each failing case's inputs and a case.txt here")
    parser.add_argument("--json", help="write every case's result as JSON lines to this file")
    parser.add_argument("--timeout", type=float, default=10.0, help="per-run timeout in seconds (default 10); longer is a hang")
    parser.add_argument("--memory-limit", type=int, default=4, help="address-space limit of each run in GiB (default 4)")
    parser.add_argument("--kill-scale", type=float, default=0.5, help="creators scale of the kill family (default 0.5)")
    parser.add_argument("--verbose", action="store_true", help="print every case and every violation")
    args = parser.parse_args(argv)
    families = [f.strip() for f in args.families.split(",") if f.strip()]
    unknown = [f for f in families if f not in FAMILIES]
    if unknown:
        parser.error("unknown families: %s (known: %s)" % (", ".join(unknown), ", ".join(FAMILIES)))
    args.family_list = families
    if args.only:
        args.only_ids = [i.strip() for i in args.only.split(",") if i.strip()]
        for case_id in args.only_ids:
            if not re.match(r"^[a-z]+-\d+$", case_id) or case_id.rsplit("-", 1)[0] not in FAMILIES:
                parser.error("bad case id %r" % case_id)
        args.family_list = sorted({i.rsplit("-", 1)[0] for i in args.only_ids}, key=FAMILIES.index)
    if args.budget is None and args.cases is None and not args.only:
        args.budget = 60.0
    if not os.access(args.bin, os.X_OK):
        parser.error("no executable at %s (build with: swift build -c release --product synthaudit)" % args.bin)
    args.bin = os.path.abspath(args.bin)
    return args


def save_artifact(ctx, case, directory):
    target = Path(directory) / case.id
    if target.exists():
        shutil.rmtree(target)
    copy_tree_safely(case.dir, target / "files")
    lines = ["case %s (seed %d): %s" % (case.id, ctx.seed, case.title),
             "reproduce: scripts/fuzz/fuzz.py --seed %d --only %s --verbose" % (ctx.seed, case.id),
             "commands run from the case directory (files/ here); the binary's path is not part of them", ""]
    for run in case.runs:
        lines.append("$ %s    # exit %s%s, %.2f s" % (run.command, run.rc, " (timed out)" if run.timed_out else "", run.duration))
        lines += ["  stderr: " + l for l in head_lines(run.stderr, 10)]
    lines.append("")
    for v in case.violations:
        lines.append("VIOLATION %s: %s" % (v["kind"], v["detail"]))
    for note in case.notes:
        lines.append("note: " + note)
    (target / "case.txt").write_text("\n".join(lines) + "\n")


def signature(v):
    """A violation's kind and error line with numbers and names blurred, for deduplication."""
    first = v.get("stderr", [""])[0] if v.get("stderr") else ""
    first = re.sub(r"'[^']*'", "'…'", first)
    first = re.sub(r"'[^']*$", "'…", first)  # a quoted value cut off by its length
    first = re.sub(r"\d+", "N", first)
    return (v["family"], v["kind"], first[:140])


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    ctx = Context(args)
    started = time.monotonic()
    results = []
    interrupted = False
    json_out = open(args.json, "w") if args.json else None
    try:
        print("fuzz: seed %d, families %s; binary sha256 %s (built %s)" % (args.seed, ",".join(args.family_list),
                                                                        ctx.bin_sha[:16], ctx.bin_time))
        ctx.setup(args.family_list)
        print("fuzz: setup %.1f s; scratch in a temporary directory, removed at the end" % (time.monotonic() - started))
        if args.only:
            order = [(i.rsplit("-", 1)[0], int(i.rsplit("-", 1)[1])) for i in args.only_ids]
        else:
            order = schedule(args.family_list)
        case_started = time.monotonic()
        for family, index in order:
            if args.cases is not None and len(results) >= args.cases:
                break
            if args.budget is not None and time.monotonic() - case_started >= args.budget:
                break
            case = Case(ctx, family, index)
            try:
                FAMILY_FUNCTIONS[family](case)
            except Exception as error:  # a bug of the driver, not of the tool: shown, counted apart
                import traceback
                case.violation("driver-error", "%s: %s" % (type(error).__name__, error))
                if args.verbose:
                    traceback.print_exc()
            results.append(case)
            if case.violations and args.artifacts:
                save_artifact(ctx, case, args.artifacts)
            if args.verbose:
                status = "FAIL" if case.violations else "ok"
                print("%-16s %-4s %s" % (case.id, status, printable(case.title)[:150]))
                for run in case.runs:
                    print("    $ %s  -> exit %s%s (%.2f s)" % (run.command[:200], run.rc, " TIMEOUT" if run.timed_out else "", run.duration))
                for v in case.violations:
                    print("    ! %s: %s" % (v["kind"], printable(v["detail"])[:300]))
                for note in case.notes:
                    print("    note: %s" % note)
            if json_out:
                json_out.write(json.dumps({"case": case.id, "title": case.title, "violations": case.violations,
                                           "notes": case.notes,
                                           "runs": [{"command": r.command, "exit": r.rc, "timed_out": r.timed_out,
                                                     "seconds": round(r.duration, 3), "stderr": head_lines(r.stderr, 5)}
                                                    for r in case.runs]}, ensure_ascii=False) + "\n")
            remove(case.dir)
    except KeyboardInterrupt:
        interrupted = True
        print("fuzz: interrupted")
    finally:
        ctx.cleanup()
        if json_out:
            json_out.close()
    return report(results, args, time.monotonic() - started, interrupted)


def report(results, args, elapsed, interrupted):
    print()
    print("%-12s %6s %6s %6s  violations by kind" % ("family", "cases", "passed", "failed"))
    for family in args.family_list:
        cases = [c for c in results if c.family == family]
        kinds = {}
        for c in cases:
            for v in c.violations:
                kinds[v["kind"]] = kinds.get(v["kind"], 0) + 1
        failed = sum(1 for c in cases if c.violations)
        print("%-12s %6d %6d %6d  %s" % (family, len(cases), len(cases) - failed, failed,
                                         ", ".join("%s %d" % kv for kv in sorted(kinds.items())) or "-"))
    groups = {}
    for c in results:
        for v in c.violations:
            groups.setdefault(signature(v), []).append(v)
    if groups:
        print()
        print("distinct violations (family, kind, error line with numbers and quoted names blurred): count, first case")
        for key in sorted(groups):
            items = groups[key]
            v = items[0]
            print("- [%s] %s x%d: %s" % (key[0], key[1], len(items), printable(v["detail"])[:200]))
            print("    case %s: %s" % (v["case"], printable(v.get("title", ""))[:160]))
            if "command" in v:
                print("    $ %s  -> exit %s%s" % (v["command"][:300], v["exit"], " (timeout)" if v.get("timed_out") else ""))
                for line in v["stderr"][:2]:
                    print("      %s" % line[:240])
    failed = sum(1 for c in results if c.violations)
    print()
    print("fuzz: %d cases in %.0f s (seed %d)%s" % (len(results), elapsed, args.seed, ", interrupted" if interrupted else ""))
    print("%d passed, %d failed" % (len(results) - failed, failed))
    return 1 if failed or interrupted else 0


if __name__ == "__main__":
    sys.exit(main())
