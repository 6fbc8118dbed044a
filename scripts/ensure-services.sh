#!/usr/bin/env bash
# Starts the local PostgreSQL and Redis the integration tests use, when they are not already answering.
# PG_URL / REDIS_URL-style overrides: TEST_PG_HOST, TEST_PG_PORT, TEST_REDIS_PORT.
set -euo pipefail
pg_host=${TEST_PG_HOST:-127.0.0.1}
pg_port=${TEST_PG_PORT:-5432}
redis_port=${TEST_REDIS_PORT:-6379}

if ! pg_isready -q -h "$pg_host" -p "$pg_port" 2>/dev/null; then
  echo "ensure-services: starting PostgreSQL"
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main start
  else
    echo "ensure-services: PostgreSQL is not running and pg_ctlcluster is missing" >&2
    exit 1
  fi
  for _ in $(seq 1 30); do pg_isready -q -h "$pg_host" -p "$pg_port" && break; sleep 1; done
fi

if ! (exec 3<>"/dev/tcp/127.0.0.1/$redis_port") 2>/dev/null; then
  echo "ensure-services: starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$redis_port" --save "" --appendonly no
  for _ in $(seq 1 30); do (exec 3<>"/dev/tcp/127.0.0.1/$redis_port") 2>/dev/null && break; sleep 0.5; done
fi
echo "ensure-services: PostgreSQL and Redis are up"
