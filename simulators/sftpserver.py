"""A real SFTP server on loopback (paramiko), serving one directory tree.

Password and public-key authentication, a host key clients pin, paths confined to the root,
writes allowed only under `/inbound` (a POS drop accepts requests there and nowhere else), and
`down`/`up` that really close and reopen the listening socket and every session.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import logging
import os
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import paramiko
from paramiko import SFTPAttributes, SFTPHandle, SFTPServer, SFTPServerInterface
from paramiko.sftp import SFTP_FAILURE, SFTP_NO_SUCH_FILE, SFTP_OK, SFTP_PERMISSION_DENIED

_LOG_CHANNEL = "simulators.sftp"
logging.getLogger(_LOG_CHANNEL).addHandler(logging.NullHandler())
logging.getLogger(_LOG_CHANNEL).propagate = False

WRITABLE = ("/inbound",)  # where clients may create, rename and write files
REMOVABLE = ("/inbound", "/ack", "/outbound")  # where clients may delete what they consumed


def fingerprint(key: paramiko.PKey) -> str:
    """OpenSSH-style SHA256 fingerprint, as `ssh-keygen -lf` prints it."""
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


class _Auth(paramiko.ServerInterface):
    def __init__(self, server: SFTPDropServer) -> None:
        self.server = server

    def get_allowed_auths(self, username: str) -> str:
        return "password,publickey"

    def check_auth_password(self, username: str, password: str) -> int:
        ok = username == self.server.username and password == self.server.password
        return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

    def check_auth_publickey(self, username: str, key: paramiko.PKey) -> int:
        allowed = {k.asbytes() for k in self.server.authorized_keys}
        ok = username == self.server.username and key.asbytes() in allowed
        return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

    def check_channel_request(self, kind: str, chanid: int) -> int:
        if kind == "session":
            return paramiko.OPEN_SUCCEEDED
        return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED


class _Handle(SFTPHandle):
    def stat(self) -> SFTPAttributes | int:
        try:
            return SFTPAttributes.from_stat(os.fstat(self.readfile.fileno()))
        except OSError as exc:
            return SFTPServer.convert_errno(exc.errno)

    def chattr(self, attr: SFTPAttributes) -> int:
        return SFTP_OK


class _RootedSFTP(SFTPServerInterface):
    """File operations confined to the drop's root directory."""

    def __init__(self, server: Any, *args: Any, drop: SFTPDropServer, **kwargs: Any) -> None:
        super().__init__(server, *args, **kwargs)
        self.drop = drop

    # paths -----------------------------------------------------------------------------
    def _virtual(self, path: str) -> str:
        parts: list[str] = []
        for part in path.replace("\\", "/").split("/"):
            if part in ("", "."):
                continue
            if part == "..":
                if parts:
                    parts.pop()
            else:
                parts.append(part)
        return "/" + "/".join(parts)

    def _real(self, path: str) -> str:
        self.drop.delay()
        return str(self.drop.root / self._virtual(path).lstrip("/"))

    def _under(self, path: str, prefixes: tuple[str, ...]) -> bool:
        virtual = self._virtual(path)
        return any(virtual == p or virtual.startswith(p + "/") for p in prefixes)

    def canonicalize(self, path: str) -> str:
        return self._virtual(path)

    # reading ---------------------------------------------------------------------------
    def list_folder(self, path: str) -> list[SFTPAttributes] | int:
        real = self._real(path)
        try:
            out = []
            for name in sorted(os.listdir(real)):
                attr = SFTPAttributes.from_stat(os.lstat(os.path.join(real, name)))
                attr.filename = name
                out.append(attr)
            return out
        except OSError as exc:
            return SFTPServer.convert_errno(exc.errno)

    def stat(self, path: str) -> SFTPAttributes | int:
        try:
            return SFTPAttributes.from_stat(os.stat(self._real(path)))
        except OSError as exc:
            return SFTPServer.convert_errno(exc.errno)

    lstat = stat

    def open(self, path: str, flags: int, attr: SFTPAttributes) -> SFTPHandle | int:
        real = self._real(path)
        writing = flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND)
        if writing and not self._under(path, self.drop.writable):
            return SFTP_PERMISSION_DENIED
        try:
            fd = os.open(real, flags | getattr(os, "O_BINARY", 0), 0o644)
        except OSError as exc:
            return SFTPServer.convert_errno(exc.errno)
        mode = (
            ("ab" if flags & os.O_APPEND else "r+b")
            if flags & os.O_RDWR
            else (("ab" if flags & os.O_APPEND else "wb") if flags & os.O_WRONLY else "rb")
        )
        try:
            f = os.fdopen(fd, mode)
        except OSError as exc:
            os.close(fd)
            return SFTPServer.convert_errno(exc.errno)
        handle = _Handle(flags)
        handle.filename = real
        handle.readfile = f
        handle.writefile = f
        return handle

    # changing --------------------------------------------------------------------------
    def remove(self, path: str) -> int:
        if not self._under(path, self.drop.removable):
            return SFTP_PERMISSION_DENIED
        try:
            os.remove(self._real(path))
        except OSError as exc:
            return SFTPServer.convert_errno(exc.errno)
        return SFTP_OK

    def rename(self, oldpath: str, newpath: str) -> int:
        if not (
            self._under(oldpath, self.drop.movable) and self._under(newpath, self.drop.movable)
        ):
            return SFTP_PERMISSION_DENIED
        try:
            os.replace(self._real(oldpath), self._real(newpath))
        except OSError as exc:
            return SFTPServer.convert_errno(exc.errno)
        self.drop.on_inbound()
        return SFTP_OK

    posix_rename = rename

    def mkdir(self, path: str, attr: SFTPAttributes) -> int:
        drop = self.drop
        virtual = self._virtual(path)
        if not drop.can_mkdir or not self._under(path, drop.movable) or virtual in drop.movable:
            return SFTP_PERMISSION_DENIED
        try:
            os.mkdir(self._real(path))
        except OSError as exc:
            return SFTPServer.convert_errno(exc.errno)
        return SFTP_OK

    def rmdir(self, path: str) -> int:
        return SFTP_PERMISSION_DENIED

    def chattr(self, path: str, attr: SFTPAttributes) -> int:
        return SFTP_OK if os.path.exists(self._real(path)) else SFTP_NO_SUCH_FILE

    def symlink(self, target_path: str, path: str) -> int:
        return SFTP_PERMISSION_DENIED

    def readlink(self, path: str) -> str | int:
        return SFTP_FAILURE


class SFTPDropServer:
    def __init__(
        self,
        root: Path,
        username: str,
        password: str,
        host_key: paramiko.PKey,
        authorized_keys: list[paramiko.PKey],
        host: str = "127.0.0.1",
        port: int = 0,
        delay: Callable[[], None] = lambda: None,
        on_inbound: Callable[[], None] = lambda: None,
        writable: tuple[str, ...] = WRITABLE,
        removable: tuple[str, ...] = REMOVABLE,
        movable: tuple[str, ...] | None = None,
    ) -> None:
        # Folders where clients may write, delete, and rename or make folders (a vendor that
        # lets its reader move files it has read into an archive folder names its export
        # folder in `movable`).
        self.writable, self.removable = writable, removable
        self.movable = writable if movable is None else movable
        self.can_mkdir = movable is not None
        self.root = root
        self.username, self.password = username, password
        self.host_key = host_key
        self.authorized_keys = authorized_keys
        self.host, self.port = host, port
        self.delay = delay
        self.on_inbound = on_inbound
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._transports: list[paramiko.Transport] = []
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._sock is not None

    def start(self) -> None:
        with self._lock:
            if self._sock is not None:
                return
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
            sock.listen(32)
            sock.settimeout(0.05)
            self.port = sock.getsockname()[1]
            self._sock = sock
            self._thread = threading.Thread(
                target=self._accept, args=(sock,), name=f"sim-sftp-{self.port}", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        with self._lock:
            sock, thread = self._sock, self._thread
            self._sock = self._thread = None
            transports, self._transports = self._transports, []
        if sock is not None:
            sock.close()
        if thread is not None:
            thread.join(timeout=5)
        for transport in transports:
            transport.close()
        for transport in transports:
            transport.join(timeout=5)

    def _accept(self, sock: socket.socket) -> None:
        while self._sock is sock:
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(None)
            transport = paramiko.Transport(conn)
            transport.set_log_channel(_LOG_CHANNEL)  # clients hanging up are not errors here
            transport.add_server_key(self.host_key)
            transport.set_subsystem_handler("sftp", SFTPServer, _RootedSFTP, drop=self)
            with self._lock:
                if self._sock is not sock:
                    conn.close()
                    return
                self._transports = [t for t in self._transports if t.is_active()]
                self._transports.append(transport)
            with contextlib.suppress(Exception):  # a client that hangs up mid-handshake
                transport.start_server(event=threading.Event(), server=_Auth(self))
