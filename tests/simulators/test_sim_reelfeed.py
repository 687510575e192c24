"""reelfeed speaks docs/legacy-systems.md section 3 over real SFTP with a pinned host key."""

from __future__ import annotations

import csv
import io
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import paramiko
import pytest

from simulators.reelfeed import ReelfeedSimulator

SITE = "DE0001"


@pytest.fixture
def sim() -> Iterator[ReelfeedSimulator]:
    with ReelfeedSimulator(
        seed=1,
        cinemas=2,
        screens=3,
        shows_per_day=3,
        days=2,
        snapshot_seconds=0.2,
        poll_seconds=0.05,
    ) as s:
        yield s


def connect(
    sim: ReelfeedSimulator,
    *,
    password: str | None = None,
    key: paramiko.PKey | None = None,
    pinned: paramiko.PKey | None = None,
) -> paramiko.SSHClient:
    client = paramiko.SSHClient()
    pin = pinned or sim.host_key
    client.get_host_keys().add(f"[{sim.host}]:{sim.port}", pin.get_name(), pin)
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.connect(
        sim.host,
        sim.port,
        username=sim.username,
        password=password if key is None else None,
        pkey=key,
        look_for_keys=False,
        allow_agent=False,
        timeout=5,
    )
    return client


@pytest.fixture
def sftp(sim: ReelfeedSimulator) -> Iterator[paramiko.SFTPClient]:
    client = connect(sim, password=sim.password)
    channel = client.open_sftp()
    yield channel
    channel.close()
    client.close()


def read_csv(sftp: paramiko.SFTPClient, path: str) -> tuple[bytes, list[list[str]]]:
    with sftp.open(path) as f:
        raw = f.read()
    rows = list(csv.reader(io.StringIO(raw.decode("latin-1"), newline=""), delimiter=";"))
    return raw, rows


def first_show(sim: ReelfeedSimulator) -> str:
    return sim.show_id(SITE, 10000)


def drop(
    sftp: paramiko.SFTPClient,
    request_id: str,
    action: str,
    show: str = "",
    seats: str = "",
    minutes: str = "",
    ref: str = "",
    raw: bytes | None = None,
) -> None:
    body = (
        raw
        if raw is not None
        else (
            "RequestId;Action;SiteCode;ShowID;Seats;HoldMinutes;OrderRef\r\n"
            f"{request_id};{action};{SITE};{show};{seats};{minutes};{ref}\r\n"
        ).encode("latin-1")
    )
    with sftp.open(f"/inbound/req_{request_id}.csv.tmp", "wb") as f:
        f.write(body)
    sftp.posix_rename(f"/inbound/req_{request_id}.csv.tmp", f"/inbound/req_{request_id}.csv")


def ack(sftp: paramiko.SFTPClient, request_id: str, timeout: float = 3.0) -> list[str]:
    deadline = time.monotonic() + timeout
    path = f"/ack/ack_{request_id}.csv"
    while time.monotonic() < deadline:
        try:
            raw, rows = read_csv(sftp, path)
        except FileNotFoundError:
            time.sleep(0.02)
            continue
        assert raw.endswith(b"\r\n") and rows[0] == ["RequestId", "Result", "OrderRef", "Detail"]
        sftp.remove(path)  # consume it, as Marquee does
        return rows[1]
    raise AssertionError(f"no ack for {request_id}")


def test_auth_and_host_key_pinning(sim: ReelfeedSimulator, tmp_path: Path) -> None:
    client_key = paramiko.ECDSAKey.generate()
    with pytest.raises(paramiko.AuthenticationException):
        connect(sim, key=client_key)
    sim.sftp.authorized_keys.append(client_key)
    by_key = connect(sim, key=client_key)
    assert "outbound" in by_key.open_sftp().listdir("/")
    by_key.close()
    with pytest.raises(paramiko.AuthenticationException):
        connect(sim, password="wrong")
    with pytest.raises(paramiko.SSHException):  # a client pinning another key refuses
        connect(sim, password=sim.password, pinned=paramiko.ECDSAKey.generate())
    assert sim.host_key_fingerprint.startswith("SHA256:")
    assert sim.known_hosts_line.startswith(f"[127.0.0.1]:{sim.port} ecdsa-sha2-nistp256 ")


def test_catalog_files(sim: ReelfeedSimulator, sftp: paramiko.SFTPClient) -> None:
    names = sftp.listdir("/outbound")
    assert not [n for n in names if n.endswith(".tmp")]
    assert {"sites.csv", "films.csv", "auditoria.csv", "layout_DE0002_3.csv"} <= set(names)
    raw, sites = read_csv(sftp, "/outbound/sites.csv")
    assert b"M\xfcnchen" in raw and b"\r\n" in raw  # Latin-1, CRLF
    assert sites[0] == ["SiteCode", "SiteName", "Town", "Country", "TZ", "Currency", "Lang"]
    assert sites[1] == ["DE0001", "Reelfeed Mitte", "Berlin", "DE", "Europe/Berlin", "EUR", "de"]

    _, films = read_csv(sftp, "/outbound/films.csv")
    rows = [r for r in films[1:] if r[0] == "RF10025"]
    assert rows[0][1:3] == ["Fräulein Öztürks Bären", "de"]  # original language first
    assert [r[2] for r in rows] == ["de", "en"]

    _, auditoria = read_csv(sftp, "/outbound/auditoria.csv")
    assert auditoria[1] == ["DE0001", "1", "Saal 1", "2D|3D"]

    layouts = [read_csv(sftp, f"/outbound/layout_DE0001_{n}.csv")[1] for n in (1, 2, 3)]
    assert layouts[0][0] == ["Row", "SeatNo", "RowIdx", "ColIdx", "Category", "Flags", "Group"]
    seats = [r for lay in layouts for r in lay[1:]]
    flags = {f for r in seats for f in r[5].split("|") if f}
    assert flags == {"W", "C", "H", "B"}
    assert {r[0] for r in seats} & {"I", "O"} == set()
    row_a = [r for r in layouts[0][1:] if r[2] == "0"]
    assert [int(r[1]) for r in row_a] == list(range(len(row_a), 0, -1))  # right to left
    assert any(r[6] for r in seats)  # sofa groups

    schedule = next(n for n in names if n.startswith("schedule_"))
    _, shows = read_csv(sftp, f"/outbound/{schedule}")
    assert shows[0] == [
        "ShowID",
        "SiteCode",
        "FilmCode",
        "Aud",
        "Start",
        "Minutes",
        "Lang",
        "Format",
        "Prices",
    ]
    assert len(shows) - 1 == 2 * 3 * 3 * 2  # sites x screens x shows x days
    show = shows[1]
    assert show[0] == f"{show[2]}|{show[4]}|{show[3]}" == first_show(sim)
    assert show[4].endswith("0900") and len(show[4]) == 12
    code, category, price = show[8].split(",")[0].split(":")
    assert (code, category) == ("ERW", "PARKETT") and price == "11.00"


def test_box_office_sale_appears_in_the_next_snapshot(
    sim: ReelfeedSimulator, sftp: paramiko.SFTPClient
) -> None:
    show = first_show(sim)
    sim.box_office.sell(SITE, show, [(1, 1, 3)])
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline and not sim.snapshots:
        time.sleep(0.02)
    assert sim.snapshots, "the background loop wrote no snapshot"
    raw, rows = read_csv(sftp, f"/outbound/{sim.snapshots[0].name}")
    assert rows[0] == ["SiteCode", "ShowID", "RowIdx", "ColIdx", "Status"]
    status = {(r[2], r[3]): r[4] for r in rows[1:]}
    assert status[("1", "3")] == "S" and status[("0", "2")] == "A"
    assert "X" in status.values()  # the broken seat / house seats
    assert {r[1] for r in rows[1:]} == {show}  # only the show that changed

    sim.box_office.release(SITE, show, [(1, 1, 3)])
    path = sim.write_snapshot_now() or sim.snapshots[-1]
    assert path.name > sim.snapshots[0].name  # names sort in time order
    _, rows = read_csv(sftp, f"/outbound/{path.name}")
    assert {(r[2], r[3]): r[4] for r in rows[1:]}[("1", "3")] == "A"
    assert sim.write_snapshot_now() is None  # nothing changed since


def test_hold_confirm_cancel_by_request_files(
    sim: ReelfeedSimulator, sftp: paramiko.SFTPClient
) -> None:
    show = first_show(sim)
    drop(sftp, "r1", "HOLD", show, "1:3|1:4", "8", "MQ-1")
    assert ack(sftp, "r1") == ["r1", "OK", "MQ-1", ""]
    assert sim.seat_status(SITE, show, (1, 1, 3)) == "held"

    drop(sftp, "r2", "HOLD", show, "1:4|1:5", "8", "MQ-2")
    assert ack(sftp, "r2") == ["r2", "UNAVAILABLE", "MQ-2", "1:4"]
    assert sim.seat_status(SITE, show, (1, 1, 5)) == "free"

    drop(sftp, "r3", "CONFIRM", show, "1:3|1:4", "", "MQ-1")
    assert ack(sftp, "r3") == ["r3", "OK", "MQ-1", ""]
    assert sim.seat_status(SITE, show, (1, 1, 4)) == "sold"

    drop(sftp, "r4", "CANCEL", show, "", "", "MQ-1")
    assert ack(sftp, "r4")[1] == "OK"
    assert sim.seat_status(SITE, show, (1, 1, 4)) == "free"

    drop(sftp, "r5", "HOLD", "RF99999|202601010900|1", "1:3", "8", "MQ-5")
    assert ack(sftp, "r5")[1] == "UNKNOWN_SHOW"


def test_a_request_dropped_twice_is_applied_once(
    sim: ReelfeedSimulator, sftp: paramiko.SFTPClient
) -> None:
    show = first_show(sim)
    drop(sftp, "dup", "HOLD", show, "2:3", "8", "MQ-D")
    first = ack(sftp, "dup")
    assert first[1] == "OK"
    drop(sftp, "rel", "RELEASE", show, "", "", "MQ-D")
    assert ack(sftp, "rel")[1] == "OK"
    events = sim.state.last_seq
    drop(sftp, "dup", "HOLD", show, "2:3", "8", "MQ-D")  # the same file again
    assert ack(sftp, "dup") == first  # answered the same way ...
    assert sim.seat_status(SITE, show, (1, 2, 3)) == "free"  # ... and not held again
    assert sim.state.last_seq == events


def test_expired_hold_cannot_be_confirmed(
    sim: ReelfeedSimulator, sftp: paramiko.SFTPClient
) -> None:
    show = first_show(sim)
    drop(sftp, "e1", "HOLD", show, "3:3", "1", "MQ-E")
    assert ack(sftp, "e1")[1] == "OK"
    sim.advance_clock(61)
    drop(sftp, "e2", "CONFIRM", show, "3:3", "", "MQ-E")
    assert ack(sftp, "e2")[1] == "EXPIRED"
    assert sim.seat_status(SITE, show, (1, 3, 3)) == "free"


@pytest.mark.parametrize(
    "raw",
    [
        b"",  # empty
        b"RequestId;Action;SiteCode\r\n",  # truncated header
        b"RequestId;Action;SiteCode;ShowID;Seats;HoldMinutes;OrderRef\r\nbad;HOLD;DE0001\r\n",
        "\ufeffRequestId;Action;SiteCode;ShowID;Seats;HoldMinutes;OrderRef\r\n".encode(),  # BOM
    ],
)
def test_malformed_request_files_get_error_acks(
    sim: ReelfeedSimulator, sftp: paramiko.SFTPClient, raw: bytes
) -> None:
    drop(sftp, "bad", "HOLD", raw=raw)
    row = ack(sftp, "bad")
    assert row[:2] == ["bad", "ERROR"] and row[3]
    assert sim.state.last_seq == 0


def test_bad_fields_get_error_acks_and_change_nothing(
    sim: ReelfeedSimulator, sftp: paramiko.SFTPClient
) -> None:
    show = first_show(sim)
    for rid, action, seats, minutes in [
        ("b1", "HOLD", "1:3|0:99", "8"),
        ("b2", "HOLD", "1:3", "many"),
        ("b3", "SELL", "1:3", "8"),
        ("b4", "CONFIRM", "1:3", ""),
    ]:
        drop(sftp, rid, action, show, seats, minutes, "MQ-B" if action != "CONFIRM" else "")
        assert ack(sftp, rid)[1] == "ERROR"
    assert sim.state.last_seq == 0
    assert sftp.listdir("/inbound") == []  # processed requests are consumed


def test_error_rate_and_down(sim: ReelfeedSimulator, sftp: paramiko.SFTPClient) -> None:
    show = first_show(sim)
    sim.set_knobs(error_rate=1.0)
    drop(sftp, "k1", "HOLD", show, "1:3", "8", "MQ-K")
    assert ack(sftp, "k1")[1] == "ERROR"
    assert sim.seat_status(SITE, show, (1, 1, 3)) == "free"
    sim.set_knobs(error_rate=0.0)
    drop(sftp, "k1", "HOLD", show, "1:3", "8", "MQ-K")  # a retry of an ERROR is applied
    assert ack(sftp, "k1")[1] == "OK"

    sim.set_knobs(down=True)
    with pytest.raises((OSError, EOFError, paramiko.SSHException)):
        sftp.listdir("/outbound")  # the open session was dropped
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((sim.host, sim.port), timeout=2)
    sim.set_knobs(down=False, latency_ms=100)
    client = connect(sim, password=sim.password)
    channel = client.open_sftp()
    started = time.monotonic()
    channel.listdir("/outbound")
    assert time.monotonic() - started >= 0.1
    client.close()


def test_writes_outside_inbound_are_refused(
    sim: ReelfeedSimulator, sftp: paramiko.SFTPClient
) -> None:
    with pytest.raises(PermissionError):
        sftp.open("/outbound/sites.csv", "wb")
    with pytest.raises(PermissionError):
        sftp.open("/../../etc/evil", "wb")
    with sftp.open("/../inbound/x.tmp", "wb") as f:  # `..` stays inside the root
        f.write(b"x")
    assert (sim.root / "inbound" / "x.tmp").exists()
