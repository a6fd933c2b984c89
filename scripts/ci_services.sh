#!/usr/bin/env bash
# Makes sure the PostgreSQL and Redis that the Kitsu tests' real Zou needs answer on loopback;
# the lake tests use the same PostgreSQL for their catalog (a fresh database per session, made
# with `psql`). Their S3 server (moto) needs nothing here: the tests start it on a free port.
# Starts each only when it does not answer already (commands from the machine's documentation).
set -euo pipefail

# The client tools when installed, else bash's /dev/tcp (a port that accepts, a PING answered).
pg_answers() {
    if command -v pg_isready >/dev/null; then
        pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null
    else
        (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null
    fi
}
redis_answers() {
    if command -v redis-cli >/dev/null; then
        [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]
    else
        local reply=""
        { exec 3<>/dev/tcp/127.0.0.1/6379 && printf 'PING\r\n' >&3 && read -r -t 2 reply <&3; } \
            2>/dev/null
        [[ "$reply" == +PONG* ]]
    fi
}

wait_for() {  # wait_for <what> <check>: poll until the check passes, 30 s at most
    local what=$1 check=$2
    for _ in $(seq 1 150); do
        if "$check"; then return 0; fi
        sleep 0.2
    done
    echo "ci_services: $what does not answer on 127.0.0.1" >&2
    return 1
}

if ! pg_answers; then
    echo "ci_services: starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
    wait_for PostgreSQL pg_answers
fi
if ! redis_answers; then
    echo "ci_services: starting Redis"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/ci.log
    wait_for Redis redis_answers
fi
echo "ci_services: PostgreSQL and Redis answer on 127.0.0.1"
