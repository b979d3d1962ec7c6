#!/usr/bin/env python3
"""A SaaS-shaped database N times the default: the customers and subscriptions of a database written
by `synthaudit generate saas` copied N times under new ids, the stored movements multiplied by N, so
that every figure but the counts keeps its value.

    python3 scripts/bench/saas_scaled.py data/day06_saas_metrics.db /tmp/saas100.db 100
    synthaudit audit /tmp/saas100.db --out /tmp/saas100-report
"""
import shutil
import sqlite3
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    source, target, factor = sys.argv[1], sys.argv[2], int(sys.argv[3])
    shutil.copy(source, target)
    db = sqlite3.connect(target)
    db.execute("PRAGMA foreign_keys = OFF")
    customer_columns = [row[1] for row in db.execute("PRAGMA table_info(day06_customers)")]
    subscription_columns = [row[1] for row in db.execute("PRAGMA table_info(day06_subscriptions)")]
    customers = db.execute("SELECT * FROM day06_customers").fetchall()
    subscriptions = db.execute("SELECT * FROM day06_subscriptions").fetchall()
    renamed_customer = {customer_columns.index(name) for name in ("customer_id", "email")}
    renamed_subscription = {subscription_columns.index(name) for name in ("subscription_id", "customer_id")}

    def copy(row, renamed, copy_index):
        return tuple(f"{value}_{copy_index}" if column in renamed else value for column, value in enumerate(row))

    for copy_index in range(1, factor):
        db.executemany(f"INSERT INTO day06_customers VALUES ({','.join('?' * len(customer_columns))})",
                       [copy(row, renamed_customer, copy_index) for row in customers])
        db.executemany(f"INSERT INTO day06_subscriptions VALUES ({','.join('?' * len(subscription_columns))})",
                       [copy(row, renamed_subscription, copy_index) for row in subscriptions])
    movement_columns = [row[1] for row in db.execute("PRAGMA table_info(day06_mrr_movements)") if row[1].endswith("_mrr")]
    db.execute("UPDATE day06_mrr_movements SET " + ", ".join(f"{name} = {name} * {factor}" for name in movement_columns))
    db.commit()
    customers_count = db.execute("SELECT COUNT(*) FROM day06_customers").fetchone()[0]
    subscriptions_count = db.execute("SELECT COUNT(*) FROM day06_subscriptions").fetchone()[0]
    print(f"{target}: {customers_count} customers, {subscriptions_count} subscriptions")


if __name__ == "__main__":
    main()
