"""`marquee admin create --email ...`: the first administrator of a fresh database.

The password is asked for twice on a terminal, or read from the first line of stdin with
`--password-stdin` (for scripts: `printf '%s\n' "$PASS" | marquee admin create ...`); it never
appears on the command line, where `ps` and shell history would keep it.
"""

from __future__ import annotations

import sys

import typer

app = typer.Typer(no_args_is_help=True)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


@app.command("create")
def create(
    email: str = typer.Option(..., "--email", help="The administrator's sign-in email"),
    name: str | None = typer.Option(None, "--name", help="Display name"),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from the first line of stdin"
    ),
) -> None:
    """Create an administrator account in the database at DATABASE_URL."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from api.security import accounts
    from api.security.passwords import MIN_LENGTH
    from api.security.scopes import Role
    from marquee.bootstrap import build_hub
    from store.users import EmailTaken

    if "@" not in email:
        raise _fail(f"{email!r} is not an email address")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_LENGTH:
        raise _fail(f"the password needs at least {MIN_LENGTH} characters")

    hub = build_hub()
    engine = hub.engine
    try:
        with engine.begin() as conn:
            user = accounts.create_account(
                conn, hub.cipher, email=email, password=password, role=Role.ADMIN, name=name
            )
    except EmailTaken:
        raise _fail(f"an account with the email {email} already exists") from None
    except (OperationalError, ProgrammingError) as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise _fail(
            f"cannot write to the database ({reason}); run `marquee db migrate` first"
        ) from None
    finally:
        engine.dispose()
    typer.echo(f"administrator {email} created ({user.id})")
