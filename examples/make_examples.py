#!/usr/bin/env python3
"""Writes the foreign-shaped example datasets under examples/ (deterministic: seeded).

    python3 examples/make_examples.py

- single-subscriptions/subscriptions.csv: one file, one row per subscription (customer, plan,
  started, ended, monthly amount), US dates, plan names of their own.
- accounts-churn-events/: accounts.csv, subscriptions.csv and churn_events.csv, dates as
  DD-MM-YYYY, several subscriptions open at once per account (add-ons), 14-day trials at MRR 0
  flagged is_trial, arr_amount beside mrr_amount, and churn recorded in its own table while the
  churned accounts' subscriptions are left open (as many billing exports do).
"""
import calendar
import csv
import datetime as dt
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))


def write(path, header, rows):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def single_subscriptions():
    rng = random.Random(7)
    plans = [("Basic", 19, 49), ("Team", 99, 249), ("Business", 499, 1499)]
    rows = []
    start_window = dt.date(2023, 1, 1)
    as_of = dt.date(2024, 6, 30)
    for number in range(1, 241):
        customer = f"C{number:04d}"
        started = start_window + dt.timedelta(days=rng.randrange(0, 540))
        plan = rng.choices(range(3), weights=[6, 3, 1])[0]
        while True:
            name, low, high = plans[plan]
            amount = round(rng.uniform(low, high), 2)
            length = int(rng.expovariate(1 / 300)) + 15
            ended = started + dt.timedelta(days=length)
            if ended > as_of:
                rows.append([customer, name, started.strftime("%m/%d/%Y"), "", f"{amount:.2f}"])
                break
            rows.append([customer, name, started.strftime("%m/%d/%Y"), ended.strftime("%m/%d/%Y"), f"{amount:.2f}"])
            # A third change plan the day the last one ends; the others leave.
            if rng.random() < 0.33 and ended < as_of:
                plan = max(0, min(2, plan + rng.choice([-1, 1])))
                started = ended
                continue
            break
    write(os.path.join(HERE, "single-subscriptions", "subscriptions.csv"),
          ["customer", "plan", "started", "ended", "monthly_amount"], rows)


def accounts_churn_events():
    rng = random.Random(11)
    as_of = dt.date(2024, 12, 31)
    accounts, subscriptions, churn = [], [], []
    plans = [("starter", 30), ("growth", 120), ("scale", 600)]
    number = 0
    for index in range(1, 301):
        account = f"acct-{index:03d}"
        created = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(0, 700))
        accounts.append([account, created.strftime("%d-%m-%Y"), rng.choice(["DE", "FR", "US", "GB", "BR"])])
        # A 14-day trial at MRR 0, then (for most) the paid plan and perhaps an add-on open beside it.
        number += 1
        trial_end = created + dt.timedelta(days=14)
        subscriptions.append([f"sub-{number:04d}", account, "trial", created.strftime("%d-%m-%Y"), trial_end.strftime("%d-%m-%Y"),
                              "0.00", "0.00", "true"])
        if rng.random() < 0.15:
            continue
        plan, price = plans[rng.choices(range(3), weights=[5, 3, 1])[0]]
        mrr = price * rng.choice([1, 1, 2, 3])
        number += 1
        subscriptions.append([f"sub-{number:04d}", account, plan, trial_end.strftime("%d-%m-%Y"), "", f"{mrr:.2f}", f"{mrr * 12:.2f}", "false"])
        if rng.random() < 0.4:
            addon_start = trial_end + dt.timedelta(days=rng.randrange(10, 200))
            if addon_start < as_of:
                number += 1
                seats = 10 * rng.randrange(1, 5)
                subscriptions.append([f"sub-{number:04d}", account, "seats", addon_start.strftime("%d-%m-%Y"), "", f"{seats:.2f}",
                                      f"{seats * 12:.2f}", "false"])
        # Churn: recorded here only; the subscriptions stay open in the export.
        life = int(rng.expovariate(1 / 420)) + 20
        churned = trial_end + dt.timedelta(days=life)
        if churned <= as_of:
            churn.append([account, churned.strftime("%d-%m-%Y"), rng.choice(["price", "missing_feature", "switched", "budget"])])
    folder = os.path.join(HERE, "accounts-churn-events")
    write(os.path.join(folder, "accounts.csv"), ["account_id", "created_on", "country"], accounts)
    write(os.path.join(folder, "subscriptions.csv"),
          ["subscription_id", "account_id", "plan_name", "start_date", "end_date", "mrr_amount", "arr_amount", "is_trial"], subscriptions)
    write(os.path.join(folder, "churn_events.csv"), ["account_id", "churned_on", "reason"], churn)


def stripe_like():
    """customers, subscriptions and invoices as a Stripe export has them: epoch seconds, amounts
    in cents, price ids, yearly and monthly intervals, a trial before the first period, and
    invoices that fail and are retried."""
    rng = random.Random(23)
    epoch = dt.datetime(1970, 1, 1)
    as_of = dt.datetime(2024, 12, 31, 23, 59, 59)

    def seconds(moment):
        return str(int((moment - epoch).total_seconds()))

    prices = [("price_basic_m", 2900, "month"), ("price_pro_m", 9900, "month"), ("price_pro_y", 99000, "year"),
              ("price_ent_m", 49900, "month")]
    customers, subscriptions, invoices = [], [], []
    invoice_number = 0
    for index in range(1, 201):
        customer = f"cus_{index:05d}"
        created = dt.datetime(2023, 1, 1) + dt.timedelta(seconds=rng.randrange(0, 600 * 86_400))
        customers.append([customer, f"{customer}@example.com", seconds(created), rng.choice(["smb", "mid", "smb", "ent"])])
        price, cents, interval = prices[rng.choices(range(4), weights=[5, 3, 1, 1])[0]]
        quantity = rng.choice([1, 1, 1, 2, 5])
        trial = rng.random() < 0.5
        start = created + dt.timedelta(hours=rng.randrange(0, 48))
        paid_from = start + dt.timedelta(days=14) if trial else start
        life = dt.timedelta(days=int(rng.expovariate(1 / 500)) + 1)
        ended = paid_from + life if paid_from + life <= as_of else None
        # Invoices: one per period from the first paid day; a failed one is retried two days later, paid or not.
        period = paid_from
        step = (lambda moment: moment.replace(year=moment.year + 1)) if interval == "year" else \
            (lambda moment: (moment.replace(day=1) + dt.timedelta(days=32)).replace(day=min(moment.day, 28)))
        while period <= as_of and (ended is None or period < ended):
            invoice_number += 1
            amount = cents * quantity
            if rng.random() < 0.08:
                invoices.append([f"in_{invoice_number:06d}", customer, f"sub_{index:05d}", seconds(period), str(amount), "0", "uncollectible"])
                retry = period + dt.timedelta(days=2, hours=rng.randrange(0, 24))
                if retry <= as_of and rng.random() < 0.6:
                    invoice_number += 1
                    invoices.append([f"in_{invoice_number:06d}", customer, f"sub_{index:05d}", seconds(retry), str(amount), str(amount), "paid"])
            else:
                invoices.append([f"in_{invoice_number:06d}", customer, f"sub_{index:05d}", seconds(period), str(amount), str(amount), "paid"])
            period = step(period)
        status = "canceled" if ended else ("trialing" if trial and paid_from > as_of else "active")
        current_start = max(paid_from, period - (dt.timedelta(days=365) if interval == "year" else dt.timedelta(days=30)))
        subscriptions.append([f"sub_{index:05d}", customer, status, seconds(start), seconds(paid_from) if trial else "",
                              seconds(current_start), seconds(period), seconds(ended) if ended else "", seconds(ended) if ended else "",
                              price, str(cents), interval, str(quantity)])
    # Product usage, its own stream (the files above stay as they are): in each month a customer
    # has a paid subscription, logins and API calls with probability 0.7, at epoch milliseconds.
    usage = random.Random(29)
    events = []
    for row in subscriptions:
        customer, paid_from = row[1], int(row[4] or row[3])
        ended = int(row[8]) if row[8] else int(seconds(as_of))
        moment = (epoch + dt.timedelta(seconds=paid_from)).replace(day=1, hour=0, minute=0, second=0)
        while int(seconds(moment)) <= ended:
            if usage.random() < 0.7:
                days = calendar.monthrange(moment.year, moment.month)[1]
                for _ in range(usage.randrange(1, 6)):
                    at = int(seconds(moment)) * 1000 + usage.randrange(0, days * 86_400_000)
                    if paid_from * 1000 <= at <= ended * 1000:
                        events.append([f"ev_{len(events) + 1:06d}", customer, str(at), usage.choice(["login", "login", "api_call"])])
            moment = (moment + dt.timedelta(days=32)).replace(day=1)
    folder = os.path.join(HERE, "stripe-like")
    os.makedirs(folder, exist_ok=True)
    write(os.path.join(folder, "events.csv"), ["id", "customer", "occurred_at_ms", "kind"], events)
    write(os.path.join(folder, "prices.csv"), ["id", "product", "unit_amount", "interval", "currency"],
          [[price, price.split("_")[1], str(cents), interval, "usd"] for price, cents, interval in prices])
    write(os.path.join(folder, "customers.csv"), ["id", "email", "created", "segment"], customers)
    write(os.path.join(folder, "subscriptions.csv"),
          ["id", "customer", "status", "start_date", "trial_end", "current_period_start", "current_period_end", "canceled_at", "ended_at",
           "plan_id", "plan_amount", "plan_interval", "quantity"], subscriptions)
    write(os.path.join(folder, "invoices.csv"), ["id", "customer", "subscription", "created", "amount_due", "amount_paid", "status"], invoices)


if __name__ == "__main__":
    single_subscriptions()
    accounts_churn_events()
    stripe_like()
