"""Fill a PostgreSQL database with a realistic volume for the hot-read plans: 50,000 tickets, 500,000 messages.

    .venv/bin/python benchmarks/seed_volume.py postgresql://postgres@127.0.0.1:5432/whaticket_bench [--reset]

The database must exist; it is migrated to head first. Rows go in with COPY (asyncpg), then ANALYZE. Refuses to
write into a database that already has tickets unless ``--reset`` (which empties the app's tables).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from datetime import UTC, datetime, timedelta

import asyncpg
from sqlalchemy.engine import make_url

from whaticket_adapters.sql.database import normalize_url, upgrade

START = datetime(2025, 1, 1, tzinfo=UTC)
SPAN = timedelta(days=365)
QUEUES = ("Sales", "Support", "Billing", "Onboarding", "Retention")
AGENTS = 40
TAGS = ("vip", "billing issue", "follow-up", "complaint", "new customer", "returning", "urgent", "wholesale")
TABLES = (
    "ticket_tags",
    "contact_tags",
    "tags",
    "messages",
    "tickets",
    "user_queues",
    "whatsapp_queues",
    "refresh_tokens",
    "users",
    "queues",
    "contacts",
    "whatsapps",
    "quick_answers",
    "settings",
)


def _message_counts(rnd: random.Random, tickets: int, messages: int) -> list[int]:
    """Messages per ticket summing exactly to ``messages``: one long conversation (ticket 1, a tenth of them, at
    most 5,000) and the rest spread unevenly around the mean."""
    long_one = min(5_000, messages // 10)
    mean = (messages - long_one) // max(tickets - 1, 1)
    counts = [long_one] + [rnd.randint(1, max(2 * mean - 1, 1)) for _ in range(tickets - 1)]
    diff = messages - sum(counts)
    while diff:
        i = rnd.randrange(1, tickets)
        if diff > 0:
            counts[i], diff = counts[i] + 1, diff - 1
        elif counts[i] > 1:
            counts[i], diff = counts[i] - 1, diff + 1
    return counts


def _dsn(url: str) -> str:
    return normalize_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def seed(url: str, tickets: int, messages: int, reset: bool, seed_value: int) -> None:
    rnd = random.Random(seed_value)
    await upgrade(url)
    conn = await asyncpg.connect(_dsn(url))
    try:
        if await conn.fetchval("SELECT count(*) FROM tickets") and not reset:
            raise SystemExit("the database already holds tickets; pass --reset to empty it first")
        await conn.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
        started = time.perf_counter()

        await conn.copy_records_to_table(
            "whatsapps",
            columns=["id", "name", "status", "is_default", "greeting_message", "farewell_message", "updated_at"],
            records=[(1, "Main", "CONNECTED", True, "", "", START), (2, "Second", "CONNECTED", False, "", "", START)],
        )
        await conn.copy_records_to_table(
            "queues",
            columns=["id", "name", "color", "greeting_message"],
            records=[(i + 1, name, f"#00000{i + 1}", "") for i, name in enumerate(QUEUES)],
        )
        users = [(1, "Admin", "admin@example.com", "x", "admin", 0, START)]
        user_queues = []
        for agent in range(2, AGENTS + 2):
            users.append((agent, f"Agent {agent}", f"agent{agent}@example.com", "x", "user", 0, START))
            for queue_id in rnd.sample(range(1, len(QUEUES) + 1), 2):
                user_queues.append((agent, queue_id))
        await conn.copy_records_to_table(
            "users",
            columns=["id", "name", "email", "password_hash", "role", "token_version", "created_at"],
            records=users,
        )
        await conn.copy_records_to_table("user_queues", columns=["user_id", "queue_id"], records=user_queues)

        contacts = [
            (
                i,
                f"Customer {i} {rnd.choice(('Silva', 'Souza', 'Costa', 'Lima'))}",
                f"55{11000000000 + i}",
                "[]",
                False,
                START,
            )
            for i in range(1, tickets + 1)
        ]
        await conn.copy_records_to_table(
            "contacts", columns=["id", "name", "number", "extra_info", "is_group", "created_at"], records=contacts
        )

        ticket_rows = []
        message_rows = []
        message_id = 0
        for ticket_id, count in enumerate(_message_counts(rnd, tickets, messages), start=1):
            roll = rnd.random()
            status = "pending" if roll < 0.1 else "open" if roll < 0.3 else "closed"
            queue_id = rnd.choice((None, 1, 2, 3, 4, 5))
            user_id = rnd.randint(2, AGENTS + 1) if status == "open" else None
            created = START + SPAN * rnd.random()
            at = created
            for n in range(count):
                message_id += 1
                at += timedelta(seconds=rnd.randint(5, 600))
                from_me = n % 2 == 1
                message_rows.append(
                    (
                        message_id,
                        ticket_id,
                        ticket_id,
                        1,
                        from_me,
                        f"message {n} about order {rnd.randint(1000, 99999)}",
                        "read" if from_me else "delivered",
                        f"WA{message_id}",
                        False,
                        False,
                        0,
                        at,
                    )
                )
            closed_at = at if status == "closed" else None
            ticket_rows.append(
                (
                    ticket_id,
                    ticket_id,
                    1,
                    status,
                    queue_id,
                    user_id,
                    0 if status == "closed" else rnd.randint(0, 5),
                    f"message {count - 1}",
                    at,
                    False,
                    created,
                    at,
                    closed_at,
                    0,
                )
            )
        await conn.copy_records_to_table(
            "tickets",
            columns=[
                "id",
                "contact_id",
                "whatsapp_id",
                "status",
                "queue_id",
                "user_id",
                "unread_messages",
                "last_message",
                "last_message_at",
                "is_group",
                "created_at",
                "updated_at",
                "closed_at",
                "bot_attempts",
            ],
            records=ticket_rows,
        )
        await conn.copy_records_to_table(
            "messages",
            columns=[
                "id",
                "ticket_id",
                "contact_id",
                "whatsapp_id",
                "from_me",
                "body",
                "ack",
                "wa_message_id",
                "is_edited",
                "is_deleted",
                "delivery_attempts",
                "created_at",
            ],
            records=message_rows,
        )
        # Tags as a helpdesk uses them: about a quarter of the tickets carry one or two, a tenth of the contacts one.
        await conn.copy_records_to_table(
            "tags",
            columns=["id", "name", "color"],
            records=[(i + 1, name, f"#1{i:05d}") for i, name in enumerate(TAGS)],
        )
        ticket_tags = {
            (ticket_id, tag_id)
            for ticket_id in range(1, tickets + 1)
            if rnd.random() < 0.25
            for tag_id in rnd.sample(range(1, len(TAGS) + 1), rnd.choice((1, 1, 2)))
        }
        await conn.copy_records_to_table("ticket_tags", columns=["ticket_id", "tag_id"], records=sorted(ticket_tags))
        contact_tags = [(c, rnd.randint(1, len(TAGS))) for c in range(1, tickets + 1) if rnd.random() < 0.1]
        await conn.copy_records_to_table("contact_tags", columns=["contact_id", "tag_id"], records=contact_tags)
        for table in ("whatsapps", "queues", "users", "contacts", "tickets", "messages", "tags"):
            await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        await conn.execute("ANALYZE")
        elapsed = time.perf_counter() - started
        counts = {t: await conn.fetchval(f"SELECT count(*) FROM {t}") for t in ("tickets", "messages", "contacts")}
        print(f"seeded {counts} in {elapsed:.1f}s into {make_url(_dsn(url)).database}")
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", help="PostgreSQL URL of an existing database")
    parser.add_argument("--tickets", type=int, default=50_000)
    parser.add_argument("--messages", type=int, default=500_000)
    parser.add_argument("--reset", action="store_true", help="empty the app's tables first")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    asyncio.run(seed(args.url, args.tickets, args.messages, args.reset, args.seed))


if __name__ == "__main__":
    main()
