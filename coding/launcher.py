"""Sandbox launcher: a fresh, single-threaded process that isolates one code run.

``coding.sandbox`` starts it as ``python -I -S launcher.py`` with a JSON config on stdin
(never via ``preexec_fn`` in the threaded server). Process tree and jobs::

    server ── launcher L ── init B (pid 1 of a new pid namespace) ── harness C (candidate)
                 └─ helper H (writes L's uid/gid maps, then exits)

* L (namespaces mode) unshares user, mount, pid, net, ipc and uts namespaces; H, still in the
  host namespaces, maps in-namespace uid/gid 65534 to host 65534 (and 0 to 0) when the server
  is root, or 65534 to the server's own uid otherwise. L then enforces the wall clock and an
  aggregate memory cap over all of B's descendants, and kills B when either is exceeded or when
  the server asks (SIGTERM). Killing B, the pid-namespace init, kills every process in it.
* B builds a minimal root on a tmpfs (read-only binds of /usr, /lib*, the Python installation,
  the venv, the suite; a size-capped tmpfs ``/scratch``; a few /dev nodes), pivots into it,
  detaches the old root and forks C. It reaps orphans until C ends, then exits.
* C drops to uid/gid 65534 (no capabilities, no_new_privs), sets rlimits, keeps only fds 0-3
  and executes ``python -I -B /harness.py`` with a clean environment.

Fallback (``rlimits`` mode, when namespaces are unavailable or forced): no namespaces; B is a
new session and child subreaper, C gets the same rlimits, a clean environment and the scratch
folder as working directory, and drops to 65534 only if the server is root. Much weaker: see
docs/sandbox.md.

Status goes to stdout as JSON lines (``{"event": ...}``); stderr carries only our own errors.
Standard library only, and nothing is imported after the root has been switched.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import json
import os
import platform
import resource
import select
import signal
import sys
import time
from typing import Any

SANDBOX_ID = 65534  # nobody / nogroup

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_NOATIME = 1024
MS_NODIRATIME = 2048
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MS_RELATIME = 1 << 21
MNT_DETACH = 2

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38

_SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "riscv64": 41}.get(platform.machine())
_DEV_NODES = ("null", "zero", "full", "random", "urandom")
_RESULTS_FD = 3
_TICK_S = 0.05
_NICE = 10

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [
    ctypes.c_char_p,
    ctypes.c_char_p,
    ctypes.c_char_p,
    ctypes.c_ulong,
    ctypes.c_char_p,
]
_libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
_libc.unshare.argtypes = [ctypes.c_int]
_libc.prctl.argtypes = [
    ctypes.c_int,
    ctypes.c_ulong,
    ctypes.c_ulong,
    ctypes.c_ulong,
    ctypes.c_ulong,
]


class SetupError(Exception):
    """Isolation could not be set up (reported to the server, never a candidate problem)."""


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _b(text: str | None) -> bytes | None:
    return None if text is None else os.fsencode(text)


def mount(
    source: str | None, target: str, fstype: str | None, flags: int, data: str | None
) -> None:
    _check(_libc.mount(_b(source), _b(target), _b(fstype), flags, _b(data)), f"mount {target}")


def unshare(flags: int) -> None:
    _check(_libc.unshare(flags), "unshare")


def prctl(option: int, arg: int) -> None:
    _check(_libc.prctl(option, arg, 0, 0, 0), f"prctl {option}")


def pivot_root(new_root: str, put_old: str) -> None:
    if _SYS_PIVOT_ROOT is None:
        raise OSError(errno.ENOSYS, "pivot_root: unknown syscall number on this machine")
    _check(_libc.syscall(_SYS_PIVOT_ROOT, _b(new_root), _b(put_old)), "pivot_root")


class Status:
    """JSON-lines status channel to the server (the launcher's stdout)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def send(self, event: str, **fields: Any) -> None:
        data = (json.dumps({"event": event, **fields}) + "\n").encode()
        try:
            while data:
                data = data[os.write(self.fd, data) :]
        except OSError:
            pass


# --- namespaces -------------------------------------------------------------------------


def _write_maps(pid: int) -> None:
    """Write the uid/gid maps of ``pid``'s new user namespace (runs in helper H)."""
    uid, gid = os.geteuid(), os.getegid()
    base = f"/proc/{pid}"
    if uid == 0:
        # Root: map 0 (so the setup process B can create files on its tmpfs) and the
        # sandbox id 1:1; the candidate runs as host 65534 in a namespace of its own, so its
        # process count (RLIMIT_NPROC) is not shared with other runs.
        uid_map = f"0 0 1\n{SANDBOX_ID} {SANDBOX_ID} 1\n"
        gid_map = f"0 0 1\n{SANDBOX_ID} {SANDBOX_ID} 1\n"
    else:
        # Unprivileged: only our own ids can be mapped; they appear as 65534 inside.
        with open(f"{base}/setgroups", "w") as f:
            f.write("deny")
        uid_map = f"{SANDBOX_ID} {uid} 1\n"
        gid_map = f"{SANDBOX_ID} {gid} 1\n"
    with open(f"{base}/uid_map", "w") as f:
        f.write(uid_map)
    with open(f"{base}/gid_map", "w") as f:
        f.write(gid_map)


def enter_namespaces() -> None:
    """Unshare all namespaces; a helper in the host namespaces writes our id maps."""
    go_r, go_w = os.pipe()
    done_r, done_w = os.pipe()
    me = os.getpid()
    helper = os.fork()
    if helper == 0:  # H
        os.close(go_w)
        os.close(done_r)
        word = os.read(go_r, 16)
        answer = b"ok"
        if word == b"go":
            try:
                _write_maps(me)
            except OSError as exc:
                answer = f"uid/gid map: {exc}".encode()
        os.write(done_w, answer)
        os._exit(0)
    os.close(go_r)
    os.close(done_w)
    flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
    try:
        unshare(flags)
    except OSError:
        os.write(go_w, b"no")
        os.waitpid(helper, 0)
        raise
    os.write(go_w, b"go")
    answer = os.read(done_r, 4096)
    os.waitpid(helper, 0)
    os.close(go_w)
    os.close(done_r)
    if answer != b"ok":
        raise SetupError(answer.decode(errors="replace"))


def _mount_flags_of(path: str) -> int:
    """The locked per-mount flags of ``path``'s mount, to keep when remounting read-only."""
    f = os.statvfs(path).f_flag
    out = 0
    for st, ms in (
        (os.ST_NOSUID, MS_NOSUID),
        (os.ST_NODEV, MS_NODEV),
        (os.ST_NOEXEC, MS_NOEXEC),
        (os.ST_NOATIME, MS_NOATIME),
        (os.ST_NODIRATIME, MS_NODIRATIME),
        (os.ST_RELATIME, MS_RELATIME),
    ):
        if f & st:
            out |= ms
    return out


def _bind(src: str, target: str, *, readonly: bool, extra: int = MS_NOSUID | MS_NODEV) -> None:
    if os.path.isdir(src):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if not os.path.exists(target):
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT, 0o644))
    try:
        mount(src, target, None, MS_BIND, None)
    except OSError as exc:
        if exc.errno != errno.EINVAL:
            raise
        mount(src, target, None, MS_BIND | MS_REC, None)  # submounts are locked: take them
    flags = MS_REMOUNT | MS_BIND | extra | _mount_flags_of(src) | (MS_RDONLY if readonly else 0)
    mount(None, target, None, flags, None)


def _python_trees(config: dict[str, Any]) -> list[str]:
    """Folders of the Python installation and venv to bind, without nesting duplicates."""
    trees: list[str] = []
    for p in sorted({os.path.realpath(p) for p in config["python_trees"]}, key=len):
        if p.startswith("/usr/") or p == "/usr":
            continue
        if any(p == t or p.startswith(t + "/") for t in trees):
            continue
        trees.append(p)
    return trees


def build_root(config: dict[str, Any], harness_text: bytes) -> None:
    """In B: a minimal read-only root with a writable, size-capped /scratch; pivot into it."""
    root = config["root_dir"]
    limits = config["limits"]
    # No nested user namespaces for the candidate: they would hand it a full capability set
    # (inside the nested namespace) and with it more kernel surface. The limit is per user
    # namespace, so this only affects our own.
    with open("/proc/sys/user/max_user_namespaces", "w") as f:
        f.write("0")
    mount(None, "/", None, MS_REC | MS_PRIVATE, None)
    mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=4m,nr_inodes=4096,mode=0755")
    _bind("/usr", root + "/usr", readonly=True)
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        host = "/" + name
        if os.path.islink(host):
            os.symlink(os.readlink(host), root + host)
        elif os.path.isdir(host):
            _bind(host, root + host, readonly=True)
    for tree in _python_trees(config):
        _bind(tree, root + tree, readonly=True)
    _bind(config["suite_dir"], root + "/suite", readonly=True)
    os.makedirs(root + "/dev")
    for node in _DEV_NODES:
        _bind("/dev/" + node, root + "/dev/" + node, readonly=False, extra=MS_NOSUID | MS_NOEXEC)
    os.makedirs(root + "/etc")
    with open(root + "/etc/passwd", "w") as f:
        f.write(f"nobody:x:{SANDBOX_ID}:{SANDBOX_ID}:nobody:/scratch:/usr/sbin/nologin\n")
    with open(root + "/etc/group", "w") as f:
        f.write(f"nogroup:x:{SANDBOX_ID}:\n")
    with open(root + "/harness.py", "wb") as f:
        f.write(harness_text)
    os.makedirs(root + "/scratch")
    mount(
        "tmpfs",
        root + "/scratch",
        "tmpfs",
        MS_NOSUID | MS_NODEV,
        f"size={int(limits['scratch_mb'])}m,nr_inodes=1024,mode=0700,"
        f"uid={SANDBOX_ID},gid={SANDBOX_ID}",
    )
    with open(root + "/scratch/solution.py", "w", encoding="utf-8") as f:
        f.write(config["code"])
    os.chdir(root)
    pivot_root(".", ".")
    _check(_libc.umount2(b".", MNT_DETACH), "umount old root")
    os.chdir("/")
    mount(None, "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, None)


# --- the candidate process --------------------------------------------------------------


def _count_processes(uid: int) -> int:
    """Processes of ``uid`` right now (fallback mode: RLIMIT_NPROC counts all of them)."""
    n = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as f:
                for line in f:
                    if line.startswith("Uid:"):
                        n += int(line.split()[1]) == uid
                        break
        except OSError:
            continue
    return n


def _set_limits(limits: dict[str, Any], nproc: int) -> None:
    cpu = int(limits["cpu_s"])
    mem = int(limits["memory_mb"]) << 20
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
    resource.setrlimit(resource.RLIMIT_FSIZE, ((int(limits["file_mb"]) << 20),) * 2)
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_MEMLOCK, (0, 0))
    resource.setrlimit(resource.RLIMIT_MSGQUEUE, (0, 0))


def _drop_privileges() -> None:
    with contextlib.suppress(PermissionError):  # unprivileged userns: setgroups denied
        os.setgroups([])
    os.setresgid(SANDBOX_ID, SANDBOX_ID, SANDBOX_ID)
    os.setresuid(SANDBOX_ID, SANDBOX_ID, SANDBOX_ID)


def _arrange_fds(fds: dict[str, int], status: Status) -> None:
    """Keep exactly stdin (/dev/null), the candidate's stdout/stderr and the results pipe.

    The status channel moves to a close-on-exec fd, so setup errors after this point still
    reach the server and nothing of it is left once the harness runs.
    """
    status.fd = fcntl.fcntl(status.fd, fcntl.F_DUPFD_CLOEXEC, 200)
    high = {k: fcntl.fcntl(v, fcntl.F_DUPFD, 100) for k, v in fds.items()}
    devnull = os.open("/dev/null", os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(high["out"], 1)
    os.dup2(high["err"], 2)
    os.dup2(high["results"], _RESULTS_FD)
    os.closerange(_RESULTS_FD + 1, status.fd)
    os.closerange(status.fd + 1, 1 << 16)


def exec_candidate(config: dict[str, Any], mode: str, status: Status) -> None:
    """In C: drop privileges, set limits, exec the harness. Never returns."""
    try:
        limits = config["limits"]
        if mode == "namespaces":
            python, harness, tests, scratch = (
                config["python"],
                "/harness.py",
                "/suite/tests.py",
                "/scratch",
            )
            _drop_privileges()
            nproc = int(limits["processes"])
        else:
            python, harness = config["python"], config["harness_path"]
            tests, scratch = config["suite_dir"] + "/tests.py", config["root_dir"]
            if os.geteuid() == 0:
                _drop_privileges()
            nproc = _count_processes(os.getuid()) + int(limits["processes"])
        prctl(PR_SET_NO_NEW_PRIVS, 1)
        os.chdir(scratch)
        harness_config = {
            "results_fd": _RESULTS_FD,
            "tests": tests,
            "solution": scratch + "/solution.py",
            "cases": config["cases"],
            "limits": limits,
        }
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": scratch,
            "TMPDIR": scratch,
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "NUMEXPR_NUM_THREADS": "1",
            "PYTHONIOENCODING": "utf-8",
        }
        _arrange_fds(config["fds"], status)
        _set_limits(limits, nproc)
        os.setpriority(os.PRIO_PROCESS, 0, _NICE)  # the server's audio work goes first
        argv = [python, "-I", "-B", harness, json.dumps(harness_config)]
        os.execve(python, argv, env)
    except BaseException as exc:
        status.send("setup_error", message=f"starting the candidate process: {exc}")
    os._exit(126)


# --- init (B) and the launcher's wait loop ----------------------------------------------


def run_init(config: dict[str, Any], mode: str, status: Status, harness_text: bytes) -> None:
    """B: set up the root (namespaces mode), fork the candidate, reap until it ends."""
    code = 0
    try:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if mode == "namespaces":
            build_root(config, harness_text)
        else:
            os.setsid()
            prctl(PR_SET_CHILD_SUBREAPER, 1)
            path = os.path.join(config["root_dir"], "solution.py")
            with open(path, "w", encoding="utf-8") as f:
                f.write(config["code"])
            if os.geteuid() == 0:
                os.chown(config["root_dir"], SANDBOX_ID, SANDBOX_ID)
        prctl(PR_SET_DUMPABLE, 0)
        child = os.fork()
        if child == 0:
            exec_candidate(config, mode, status)
        for fd in config["fds"].values():
            os.close(fd)
        while True:
            pid, wstatus, usage = os.wait4(-1, 0)
            if pid == child:
                status.send(
                    "child",
                    exit_code=os.waitstatus_to_exitcode(wstatus),
                    cpu_s=round(usage.ru_utime + usage.ru_stime, 3),
                    maxrss_kb=usage.ru_maxrss,
                )
                break
    except BaseException as exc:
        status.send("setup_error", message=f"{type(exc).__name__}: {exc}")
        code = 125
    os._exit(code)


class _Procfs:
    """Walks a process's descendants through a /proc fd opened before the root switch."""

    def __init__(self) -> None:
        self.fd = os.open("/proc", os.O_RDONLY | os.O_DIRECTORY)
        self.page = os.sysconf("SC_PAGE_SIZE")

    def _read(self, path: str) -> str:
        fd = os.open(path, os.O_RDONLY, dir_fd=self.fd)
        try:
            return os.read(fd, 65536).decode()
        finally:
            os.close(fd)

    def descendants(self, pid: int) -> list[int]:
        out: list[int] = []
        todo = [pid]
        while todo and len(out) < 10_000:
            p = todo.pop()
            try:
                tfd = os.open(f"{p}/task", os.O_RDONLY | os.O_DIRECTORY, dir_fd=self.fd)
                try:
                    tids = os.listdir(tfd)
                finally:
                    os.close(tfd)
                for tid in tids:
                    kids = [int(k) for k in self._read(f"{p}/task/{tid}/children").split()]
                    out.extend(kids)
                    todo.extend(kids)
            except (OSError, ValueError):
                continue
        return out

    def rss(self, pids: list[int]) -> int:
        total = 0
        for p in pids:
            try:
                total += int(self._read(f"{p}/statm").split()[1]) * self.page
            except (OSError, ValueError, IndexError):
                continue
        return total


def supervise(
    init: int, config: dict[str, Any], mode: str, status: Status, procfs: _Procfs
) -> None:
    """L: wait for B, enforcing wall time and the aggregate memory cap; report the end."""
    limits = config["limits"]
    deadline = time.monotonic() + float(limits["wall_s"])
    mem_cap = int(limits["memory_mb"]) << 20
    reason: dict[str, bool] = {"wall": False, "memory": False, "terminated": False}

    me = os.getpid()

    def kill_descendants() -> None:
        if mode != "namespaces":
            # No pid namespace: freeze the whole tree first (a stopped process cannot fork),
            # then kill it. L is a child subreaper, so orphans stay in its tree.
            # The children files of /proc are not exact for processes being created or
            # exiting, so the freeze ends after two scans in a row find nothing new.
            stopped: set[int] = set()
            quiet = 0
            for _ in range(200):
                fresh = [p for p in procfs.descendants(me) if p not in stopped]
                quiet = quiet + 1 if not fresh else 0
                if quiet >= 2:
                    break
                for p in fresh:
                    with contextlib.suppress(OSError):
                        os.kill(p, signal.SIGSTOP)
                stopped.update(fresh)
            for p in stopped:
                with contextlib.suppress(OSError):
                    os.kill(p, signal.SIGKILL)

    def kill_all() -> None:
        kill_descendants()
        with contextlib.suppress(OSError):
            os.kill(init, signal.SIGKILL)

    def on_term(_sig: int, _frame: object) -> None:
        reason["terminated"] = True
        kill_all()

    signal.signal(signal.SIGTERM, on_term)
    pidfd = os.pidfd_open(init)
    killed = False
    peak = 0  # most processes seen at once (a fork bomb that swallows its errors)
    while True:
        left = deadline - time.monotonic()
        if left <= 0 and not killed:
            reason["wall"] = True
            kill_all()
            killed = True
        ready, _, _ = select.select(
            [pidfd], [], [], max(0.0, min(_TICK_S, left)) if not killed else 1.0
        )
        if ready:
            break
        if killed:
            continue
        pids = procfs.descendants(init)
        peak = max(peak, len(pids))
        if procfs.rss(pids) > mem_cap:
            reason["memory"] = True
            kill_all()
            killed = True
    _, wstatus = os.waitpid(init, 0)
    if mode != "namespaces":
        # Processes that outlived the candidate (orphans re-parented to us): kill and reap
        # until none is left. One the freeze missed would otherwise go on forking, and if the
        # server then killed this launcher at its hard deadline, it would outlive the run.
        while True:
            kill_descendants()  # not init: it is reaped, its pid may be reused
            try:
                while os.waitpid(-1, os.WNOHANG)[0]:
                    pass
            except ChildProcessError:
                break
            time.sleep(0.01)
    status.send("exit", init_exit=os.waitstatus_to_exitcode(wstatus), peak_processes=peak, **reason)


def main() -> int:
    config = json.loads(sys.stdin.buffer.read())
    devnull = os.open("/dev/null", os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    status = Status(1)
    with open(config["harness_path"], "rb") as f:
        harness_text = f.read()
    procfs = _Procfs()
    mode = config.get("isolation", "auto")
    if mode != "rlimits":
        try:
            enter_namespaces()
            mode = "namespaces"
        except SetupError as exc:  # half-way into the namespaces: no way back
            status.send("setup_error", message=f"namespaces: {exc}")
            return 1
        except OSError as exc:
            if mode == "namespaces":
                status.send("setup_error", message=f"namespaces unavailable: {exc}")
                return 1
            status.send("fallback", reason=str(exc))
            mode = "rlimits"
    status.send("isolation", mode=mode)
    if mode != "namespaces":
        prctl(PR_SET_CHILD_SUBREAPER, 1)  # orphans of the candidate stay ours to kill
    init = os.fork()
    if init == 0:
        run_init(config, mode, status, harness_text)
    for fd in config["fds"].values():
        os.close(fd)
    supervise(init, config, mode, status, procfs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
