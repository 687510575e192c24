"""CSV files over SFTP (paramiko).

- The server's host key is pinned: the endpoint carries its known_hosts line (or a path to a
  known_hosts file) and any other key is rejected (RejectPolicy), never learned.
- Files are listed by the mapping's folder + glob (names ending in the temp suffix are
  ignored: the POS is still writing them) and opened lazily as streams, so a country-sized
  schedule is read in constant memory; decoding (Latin-1 etc.) is the mapping's source setting.
- Requests are written under a temporary name and renamed when complete, then the answer file
  is awaited (polling) until the read timeout; a missing answer is transient, and re-dropping
  the same request id is safe by the contract (the POS never applies an id twice).
- Files Marquee reports to the POS (`upload`) are written the same way, under a temporary name
  renamed over the old file when complete, so the POS reads the old file or the new one, never
  a half-written one.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import io
import posixpath
import re
import threading
import time
from collections.abc import Iterator
from typing import IO, Any

import paramiko

from adapters.base import AdapterSpec, Payload, RemoteError, Sent, TransientError
from adapters.templates import TemplateError, fill

HASH_LIMIT = 5_000_000  # fingerprint small files by content, large ones by size and time
# Files up to this size are read with plain requests: a prefetch starts a thread and, without a
# size, costs a stat round trip, which is more than a layout file of a few KB takes to read.
PREFETCH_FROM = 64 * 1024
# An uploaded file's name while it is written: a POS that reads `*.csv` does not see it.
UPLOAD_SUFFIX = "part"


class CsvSftpAdapter:
    name = "csv_sftp"

    def __init__(self, spec: AdapterSpec) -> None:
        self.spec = spec
        self.mapping = spec.mapping
        ep = spec.endpoint
        self.host = str(ep.get("host", "127.0.0.1"))
        self.port = int(ep.get("port", 22))
        self.username = str(ep.get("username", ""))
        self.known_hosts_line = ep.get("known_hosts_line")
        self.known_hosts_file = ep.get("known_hosts_file")
        if not (self.known_hosts_line or self.known_hosts_file):
            raise ValueError(
                "a csv_sftp endpoint must pin the host key (known_hosts_line or known_hosts_file)"
            )
        self.ack_poll_seconds = float(ep.get("ack_poll_seconds", 0.05))
        self._client: paramiko.SSHClient | None = None
        self._sftp: paramiko.SFTPClient | None = None
        self._lock = threading.RLock()

    # ------------------------------------------------------------------------------ session
    def _connect(self) -> paramiko.SFTPClient:
        client = paramiko.SSHClient()
        if self.known_hosts_file:
            client.load_host_keys(str(self.known_hosts_file))
        if self.known_hosts_line:
            entry = paramiko.hostkeys.HostKeyEntry.from_line(str(self.known_hosts_line))
            if entry is None:
                raise ValueError("known_hosts_line is not a known_hosts entry")
            for name in entry.hostnames:
                client.get_host_keys().add(name, entry.key.get_name(), entry.key)
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
        pkey = None
        if self.spec.secrets.get("private_key"):
            pkey = paramiko.PKey.from_private_key(io.StringIO(self.spec.secrets["private_key"]))
        try:
            client.connect(
                self.host,
                port=self.port,
                username=self.username,
                password=self.spec.secrets.get("password"),
                pkey=pkey,
                timeout=self.spec.connect_timeout,
                banner_timeout=self.spec.connect_timeout,
                auth_timeout=self.spec.read_timeout,
                allow_agent=False,
                look_for_keys=False,
            )
        except paramiko.BadHostKeyException as exc:
            client.close()
            raise RemoteError(f"SFTP host key mismatch for {self.host}:{self.port}") from exc
        except paramiko.SSHException as exc:
            client.close()
            if "not found in known_hosts" in str(exc):
                raise RemoteError(f"SFTP host {self.host}:{self.port} is not pinned") from exc
            if isinstance(exc, paramiko.AuthenticationException):
                raise RemoteError("SFTP authentication failed") from exc
            raise TransientError(f"SFTP {self.host}:{self.port}: {exc}") from exc
        except (OSError, EOFError) as exc:
            client.close()
            raise TransientError(f"SFTP {self.host}:{self.port}: cannot connect") from exc
        sftp = client.open_sftp()
        sftp.get_channel().settimeout(self.spec.read_timeout)
        self._client, self._sftp = client, sftp
        return sftp

    def sftp(self) -> paramiko.SFTPClient:
        with self._lock:
            if self._sftp is not None and self._client is not None:
                transport = self._client.get_transport()
                if transport is not None and transport.is_active():
                    return self._sftp
                self._drop()
            return self._connect()

    def _drop(self) -> None:
        for closable in (self._sftp, self._client):
            try:
                if closable is not None:
                    closable.close()
            except Exception:  # noqa: BLE001, S110 - closing a dead session may fail; fine
                pass
        self._sftp = self._client = None

    def _io(self, what: str, fn: Any) -> Any:
        """Run an SFTP operation; a dropped session becomes a transient error (and is reset)."""
        with self._lock:
            try:
                return fn(self.sftp())
            except (TransientError, RemoteError):
                raise
            except FileNotFoundError:
                raise
            except (TimeoutError, OSError, EOFError, paramiko.SSHException) as exc:
                self._drop()
                raise TransientError(f"SFTP {what}: {type(exc).__name__}: {exc}") from exc

    # ------------------------------------------------------------------------------ reading
    def fetch(
        self, entity: str, vars: dict[str, Any] | None = None, cursor: str | None = None
    ) -> Iterator[Payload]:
        t = self.mapping.transport(entity)
        vars = dict(vars or {})
        try:
            folder = fill(t.folder or "/", vars)
            glob = fill(t.file_glob or "*", vars)
        except TemplateError as exc:
            raise RemoteError(f"{entity}: {exc}") from exc
        pattern = re.compile(t.filename_vars) if t.filename_vars else None
        try:
            entries = self._io(f"list {folder}", lambda s: s.listdir_attr(folder))
        except FileNotFoundError:
            # A dated export folder that is not there yet: fail rather than import nothing
            # (an empty full export would look like a schedule with no shows).
            raise RemoteError(f"{entity}: folder {folder} does not exist") from None
        listed = [
            e
            for e in entries
            if fnmatch.fnmatch(e.filename, glob) and not e.filename.endswith(t.temp_suffix)
        ]
        if t.select == "newest" and listed:
            listed = [max(listed, key=lambda e: (e.st_mtime or 0, e.filename))]
        names = sorted(e.filename for e in listed)
        attrs = {e.filename: e for e in listed}
        out = []
        for name in names:
            found = {}
            if pattern is not None:
                match = pattern.match(name)
                if match is None:
                    continue
                found = {k: v for k, v in match.groupdict().items() if v is not None}
            path = posixpath.join(folder, name)
            payload = _SftpPayload(self, path, attrs[name], name=name, vars={**vars, **found})
            payload.after_read = (entity, t.after_read, t.archive_folder)
            out.append(payload)
        yield from out

    def _open(self, path: str, size: int | None) -> IO[bytes]:
        def go(s: paramiko.SFTPClient) -> IO[bytes]:
            handle = s.open(path, "rb")
            if size is None or size > PREFETCH_FROM:
                handle.prefetch(size)
            return _Locked(handle, self._lock)

        return self._io(f"open {path}", go)

    def _digest(self, path: str, size: int | None) -> str:
        def digest(s: paramiko.SFTPClient) -> str:
            with s.open(path, "rb") as handle:
                if size is None or size > PREFETCH_FROM:
                    handle.prefetch(size)
                return hashlib.sha256(handle.read()).hexdigest()

        return self._io(f"read {path}", digest)

    # ------------------------------------------------------------------------------ sending
    def send(self, operation: str, rendered: Any) -> Sent:
        folder = rendered.folder or "/"
        final = posixpath.join(folder, rendered.filename)
        temp = final + self.mapping.transport(operation).temp_suffix
        ack = posixpath.join(rendered.ack_folder or folder, rendered.ack_filename)

        def drop(s: paramiko.SFTPClient) -> None:
            # An answer left from an earlier attempt with the same request id (a retry after
            # an error or a timeout) is stale: only the answer to this file may be read.
            # A POS that does not let us delete it: the retry is still sent.
            with contextlib.suppress(FileNotFoundError, PermissionError):
                s.remove(ack)
            with s.open(temp, "wb") as handle:
                handle.write(rendered.body)
            s.posix_rename(temp, final)

        self._io(f"write {final}", drop)
        deadline = time.monotonic() + self.spec.read_timeout
        while True:
            try:
                body = self._io(f"read {ack}", lambda s: _read_all(s, ack))
                return Sent(body)
            except FileNotFoundError:
                pass
            if time.monotonic() >= deadline:
                raise TransientError(
                    f"no answer to {rendered.filename} within {self.spec.read_timeout:.0f}s"
                )
            time.sleep(self.ack_poll_seconds)

    def upload(self, path: str, body: bytes) -> None:
        """Put a whole file at `path`, replacing what is there. A failed upload leaves the
        old file (and perhaps a temp file the next upload overwrites); trying again is safe."""
        temp = f"{path}.{UPLOAD_SUFFIX}"

        def put(s: paramiko.SFTPClient) -> None:
            with s.open(temp, "wb") as handle:
                handle.write(body)
            s.posix_rename(temp, path)

        try:
            self._io(f"upload {path}", put)
        except FileNotFoundError as exc:
            # The folder is missing: retrying at once will not help, people will.
            raise RemoteError(f"SFTP cannot write {path}: no such folder") from exc

    def verify_push(self, entity: str, headers: dict[str, str], body: bytes) -> bool:
        return False  # files are polled, never pushed

    def acknowledge(self, payload: Payload) -> None:
        """Done with a file: leave it (the default: the POS owns its folder and cursors remember
        what was applied), or move it to the archive folder, or delete it, as the entity's
        transport says. Called only after the file's records were applied."""
        entity, action, archive = getattr(payload, "after_read", (None, "leave", None))
        path = getattr(payload, "_path", None)
        if action == "leave" or path is None:
            return
        if action == "delete":
            self._io(f"remove {path}", lambda s: s.remove(path))
            return
        target_folder = fill(archive or posixpath.dirname(path) + "/archive", payload.vars)

        def move(s: paramiko.SFTPClient) -> None:
            with contextlib.suppress(OSError):  # already there
                s.mkdir(target_folder)
            s.posix_rename(path, posixpath.join(target_folder, posixpath.basename(path)))

        self._io(f"move {path}", move)

    def close(self) -> None:
        with self._lock:
            self._drop()


class _SftpPayload(Payload):
    """A listed file whose content fingerprint costs nothing until it is asked for.

    Small files are fingerprinted by a SHA-256 of their bytes, large ones by size and mtime.
    The hash is taken while the file is streamed (a catalog import reads each file once and
    never asks); only a caller that wants the fingerprint before reading (the snapshot poll,
    to skip a file it has applied) pays one extra read.
    """

    def __init__(self, adapter: CsvSftpAdapter, path: str, attr: Any, **kwargs: Any) -> None:
        self._adapter, self._path = adapter, path
        self._fp: str | None = None
        self.after_read: tuple[str | None, str, str | None] = (None, "leave", None)
        size = attr.st_size
        self._hashed = size is not None and size <= HASH_LIMIT
        if not self._hashed:
            self._fp = f"{size}:{attr.st_mtime}"
        super().__init__(opener=self._open_stream, size=size, **kwargs)

    @property  # type: ignore[override]
    def fingerprint(self) -> str | None:
        if self._fp is None and self._hashed:
            self._fp = self._adapter._digest(self._path, self.size)
        return self._fp

    @fingerprint.setter
    def fingerprint(self, value: str | None) -> None:
        if value is not None:  # the dataclass __init__ assigns its default None
            self._fp = value

    def _open_stream(self) -> IO[bytes]:
        raw = self._adapter._open(self._path, self.size)
        if self._fp is not None or not self._hashed:
            return raw
        return _Hashing(raw, self)

    def _hashed_as(self, digest: str) -> None:
        if self._fp is None:
            self._fp = digest


class _Hashing(io.RawIOBase):
    """A stream that hashes what it reads; read to the end, it hands its payload the digest."""

    def __init__(self, raw: io.RawIOBase, payload: _SftpPayload) -> None:
        self._raw, self._payload = raw, payload
        self._sha = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self._raw.readinto(buffer)
        if n and self._sha is not None:
            self._sha.update(memoryview(buffer)[:n])
        elif self._sha is not None:
            self._payload._hashed_as(self._sha.hexdigest())
            self._sha = None  # type: ignore[assignment]
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


def _read_all(s: paramiko.SFTPClient, path: str) -> bytes:
    with s.open(path, "rb") as handle:
        handle.prefetch()
        return handle.read()


class _Locked(io.RawIOBase):
    """A remote file whose reads hold the adapter's lock (paramiko channels are not meant to
    be shared by threads without one)."""

    def __init__(self, handle: Any, lock: threading.RLock) -> None:
        self._handle, self._lock = handle, lock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        with self._lock:
            data = self._handle.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        with self._lock:
            self._handle.close()
        super().close()
