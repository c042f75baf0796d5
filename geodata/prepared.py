"""Run a statement as a server-side prepared statement, so PostgreSQL plans it once per connection.

A tile's statement takes well under a millisecond to run but about as long to parse and plan, and a
map asks for dozens of tiles with the same statement text and other numbers. `execute_prepared`
turns the `%(name)s` placeholders into `$1, $2, …`, prepares the text once per database connection
under a name derived from it, and executes it with the values. Each connection keeps at most
MAX_PREPARED statements (the least recently used one is deallocated), because texts that inline
a signed-in reader's countries are many.
"""

import hashlib
import re
from collections import OrderedDict

from django.db import connection

MAX_PREPARED = 64
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def execute_prepared(cursor, sql: str, params: dict) -> None:
    """`cursor.execute(sql, params)`, through a prepared statement of this connection."""
    names: list[str] = []

    def number(match: re.Match) -> str:
        if match.group(1) not in names:
            names.append(match.group(1))
        return f"${names.index(match.group(1)) + 1}"

    positional = _PLACEHOLDER.sub(number, sql).replace("%%", "%")
    statement = "p_" + hashlib.blake2b(positional.encode(), digest_size=10).hexdigest()
    values = [params[name] for name in names]
    execute = f"EXECUTE {statement}" + (f" ({', '.join(['%s'] * len(values))})" if values else "")
    # Preparing goes in the same round trip as the first execution (psycopg2 sends both at once).
    before = []
    prepared = _prepared_on(cursor)
    if prepared.get(statement) is False:  # a first run failed: was the statement prepared before it did?
        cursor.execute("SELECT EXISTS (SELECT FROM pg_prepared_statements WHERE name = %s)", [statement])
        if not cursor.fetchone()[0]:
            del prepared[statement]
    if statement in prepared:
        prepared.move_to_end(statement)
    else:
        if len(prepared) >= MAX_PREPARED:
            oldest, _ = prepared.popitem(last=False)
            before.append(f"DEALLOCATE {oldest}")
        before.append(f"PREPARE {statement} AS {positional.replace('%', '%%') if values else positional}")
    try:
        cursor.execute("; ".join([*before, execute]), values or None)
    except Exception:
        prepared[statement] = False
        raise
    prepared[statement] = True


def _prepared_on(cursor) -> OrderedDict:
    """The statements prepared on the cursor's database session; a new session starts with none."""
    raw = cursor.connection
    held = getattr(connection, "_prepared_statements", None)
    if held is None or held[0] is not raw:
        held = (raw, OrderedDict())
        connection._prepared_statements = held
    return held[1]
