#!/usr/bin/env python3
"""Detection power of the auditor's anomaly analysis, against a plain baseline.

For each seed, a clean creator-economy dataset is generated (scale 1). Copies of it get one
incident each, written into the CSV files; the ground truth file (anomalies.json) is removed
from every copy, so that the audit works blind. Each copy is audited, and the same files are
run through a baseline written here: per-slice binomial and Poisson tests, Bonferroni over
every slice-point, ranked by p-value. An incident is found by a method when one of its
findings overlaps the incident's window on a series of the incident's kind; its rank is that
finding's place in the method's list.

Incident kinds (the effect is the share of the slice that is hit):
  outage            payment attempts of one category, payment method or tier rank fail, 1-3 days
  missing_revenue   one category's succeeded payments are missing for a month
  churn_wave        pledges of one creator or one category end within a week or two
  engagement        one category's engagement events are missing for two weeks
  duplicate_load    the transactions of one day are loaded a second time, with new ids

The auditor's list: its failing load tests first (duplicate_payments, no_missing_days, dated by
the days their sample keys name), then its incidents (`anomalies.incidents`, the slice scan)
and its anomalies (`anomalies.found`), each in the report's order.

Placement: on billing days (the first days of a month, where most payments fall) or in
mid-month, early (2023) or late (2024) in the window, away from the generator's own
anomalies. Clean copies (no incident) give the false positives per dataset outside the
generator's anomaly windows.

The baseline, plain on purpose:
  - payment failures: for each slice and day, a one-sided binomial test of the day's failed
    attempts against the slice's failure rate on the same kind of day (day 1, 2, 3, 4, or 5 and
    later of the month) over the previous 90 days (rate (F + 0.5) / (N + 1));
  - counts (succeeded payments daily and monthly, pledge endings monthly, engagement events
    daily and weekly): a two-sided Poisson test against the slice's trailing mean (daily: the
    same kind of day over the previous 90 days; weekly: the 4 weeks before; monthly: the 3
    months before);
  - Bonferroni at 0.05 over all slice-points of all tests; consecutive significant points of
    one series and slice make one finding, ranked by its smallest p-value.
  Slices: the platform, category, payment method (payments only), tier rank, creator.

Usage:
  detection_power.py --bin SYNTHAUDIT [--seeds 1,2,3] [--effects 0.1,0.4,0.7,1.0]
                     [--kinds outage,...] [--placements billing-early,...] [--clean-seeds 1,...]
                     [--work DIR] [--json FILE] [--markdown FILE]
Prints the table (recall at top 5 / top 10 / anywhere per kind and effect, for the auditor and
the baseline, then false positives per clean dataset); --json writes every incident's outcome.
"""
import argparse
import bisect
import csv
import datetime as dt
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np
from scipy import stats

KINDS = ["outage", "missing_revenue", "churn_wave", "engagement", "duplicate_load"]
PLACEMENTS = ["billing-early", "billing-late", "mid-early", "mid-late"]
# Months free of the generator's own anomalies (SPEC 3.4: August 2023, February 2024, January
# 2024, April-June 2024, September 2024), with 90 days of history before them.
EARLY_MONTHS = [(2023, 4), (2023, 5), (2023, 6), (2023, 10), (2023, 11)]
LATE_MONTHS = [(2024, 3), (2024, 7), (2024, 10), (2024, 11)]
# The series of the auditor (by name) and of the baseline (by test) that can show each kind.
AUDITOR_SERIES = {
    "outage": ("payment_failure", "succeeded_revenue", "payment"),
    "missing_revenue": ("revenue", "mrr", "payment"),
    "churn_wave": ("churn", "mrr"),
    "engagement": ("engagement", "events"),
    "duplicate_load": ("revenue", "payment", "transaction", "duplicate"),
}
# A day not loaded shows on these too.
AUDITOR_SERIES["missing_revenue"] += ("missing_days",)
BASELINE_SERIES = {
    "outage": ("failure_rate", "payments_daily"),
    "missing_revenue": ("payments_daily", "payments_monthly"),
    "churn_wave": ("endings_monthly",),
    "engagement": ("events_daily", "events_weekly"),
    "duplicate_load": ("payments_daily", "payments_monthly"),
}
FIRST_DAY = dt.date(2023, 1, 1)
LAST_DAY = dt.date(2024, 12, 31)
DAYS = (LAST_DAY - FIRST_DAY).days + 1


def day_index(text):
    return (dt.date(int(text[0:4]), int(text[5:7]), int(text[8:10])) - FIRST_DAY).days


def month_index(year, month):
    return (year - 2023) * 12 + month - 1


def month_days(year, month):
    start = (dt.date(year, month, 1) - FIRST_DAY).days
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return start, (nxt - FIRST_DAY).days - 1


# ---------------------------------------------------------------------------------------------
# The dataset: the few columns the injections and the baseline need.

class Dataset:
    def __init__(self, folder):
        self.folder = folder
        self.creator_category = {}
        with open(os.path.join(folder, "creators.csv"), newline="") as f:
            for row in csv.DictReader(f):
                self.creator_category[row["creator_id"]] = row["category"]
        self.tier_rank = {}
        with open(os.path.join(folder, "tiers.csv"), newline="") as f:
            for row in csv.DictReader(f):
                self.tier_rank[row["tier_id"]] = row["tier_rank"]
        self.pledges = {}
        with open(os.path.join(folder, "pledges.csv"), newline="") as f:
            for row in csv.DictReader(f):
                self.pledges[row["pledge_id"]] = row
        self.categories = sorted(set(self.creator_category.values()))

    def slice_of(self, pledge_id):
        """(category, tier rank, creator) of a pledge."""
        pledge = self.pledges.get(pledge_id)
        if pledge is None:
            return None, None, None
        return self.creator_category.get(pledge["creator_id"]), self.tier_rank.get(pledge["tier_id"]), pledge["creator_id"]


def read_lines(path):
    with open(path, newline="") as f:
        header = f.readline()
        return header, f.readlines()


def write_lines(path, header, lines):
    with open(path, "w", newline="") as f:
        f.write(header)
        f.writelines(lines)


def columns(header):
    return {name: index for index, name in enumerate(header.rstrip("\r\n").split(","))}


# ---------------------------------------------------------------------------------------------
# Injections. Each returns the incident's description: kind, window (first and last day
# index), slice (dimension, value) and what was changed.

def choose_window(rng, placement, length, billing_length=None):
    """(first day, last day) of an incident of `length` days."""
    where, when = placement.split("-")
    year, month = rng.choice(EARLY_MONTHS if when == "early" else LATE_MONTHS)
    start, end = month_days(year, month)
    if where == "billing":
        first = start + rng.randrange(0, max(1, 3 - (billing_length or length) + 1))
    else:
        first = start + 11 + rng.randrange(0, 5)
    return first, min(DAYS - 1, first + length - 1)


def transactions_by_slice(data, header, lines):
    cols = columns(header)
    totals = {"category": {}, "payment_method": {}, "tier_rank": {}}
    for line in lines:
        fields = line.rstrip("\r\n").split(",")
        if fields[cols["transaction_type"]] != "pledge_payment":
            continue
        category, rank, _ = data.slice_of(fields[cols["pledge_id"]])
        for dimension, value in (("category", category), ("payment_method", fields[cols["payment_method"]]), ("tier_rank", rank)):
            totals[dimension][value] = totals[dimension].get(value, 0) + 1
    return totals


def pick_value(rng, counts, minimum_share=0.05):
    total = sum(counts.values())
    values = sorted(value for value, count in counts.items() if value and count >= minimum_share * total)
    return rng.choice(values)


def inject_outage(data, out, rng, effect, placement):
    path = os.path.join(out, "transactions.csv")
    header, lines = read_lines(path)
    cols = columns(header)
    dimension = rng.choice(["category", "payment_method", "tier_rank"])
    value = pick_value(rng, transactions_by_slice(data, header, lines)[dimension])
    length = rng.randint(1, 3)
    first, last = choose_window(rng, placement, length)
    changed = 0
    for number, line in enumerate(lines):
        fields = line.rstrip("\r\n").split(",")
        if fields[cols["transaction_type"]] != "pledge_payment" or fields[cols["transaction_status"]] != "succeeded":
            continue
        if not first <= day_index(fields[cols["transaction_at"]]) <= last:
            continue
        category, rank, _ = data.slice_of(fields[cols["pledge_id"]])
        own = {"category": category, "payment_method": fields[cols["payment_method"]], "tier_rank": rank}[dimension]
        if own != value or rng.random() >= effect:
            continue
        fields[cols["transaction_status"]] = "failed"
        fields[cols["failure_reason"]] = "processing_error"
        for fee in ("platform_fee_usd", "processing_fee_usd", "net_amount_usd"):
            fields[cols[fee]] = "0.00"
        lines[number] = ",".join(fields) + "\n"
        changed += 1
    write_lines(path, header, lines)
    return {"window": [first, last], "slice": [dimension, value], "changed": changed}


def inject_missing_revenue(data, out, rng, effect, placement):
    path = os.path.join(out, "transactions.csv")
    header, lines = read_lines(path)
    cols = columns(header)
    value = pick_value(rng, transactions_by_slice(data, header, lines)["category"])
    where, when = placement.split("-")
    year, month = rng.choice(EARLY_MONTHS if when == "early" else LATE_MONTHS)
    start, end = month_days(year, month)
    if where == "mid":  # the 15th to the 14th of the next month
        first = start + 14
        last = month_days(year + (month == 12), month % 12 + 1)[0] + 13
    else:
        first, last = start, end
    kept = []
    removed = 0
    for line in lines:
        fields = line.rstrip("\r\n").split(",")
        if (fields[cols["transaction_type"]] == "pledge_payment" and fields[cols["transaction_status"]] == "succeeded"
                and first <= day_index(fields[cols["transaction_at"]]) <= last
                and data.slice_of(fields[cols["pledge_id"]])[0] == value and rng.random() < effect):
            removed += 1
            continue
        kept.append(line)
    write_lines(path, header, kept)
    return {"window": [first, last], "slice": ["category", value], "changed": removed}


def moment_text(day, seconds):
    moment = dt.datetime.combine(FIRST_DAY, dt.time()) + dt.timedelta(days=day, seconds=seconds)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def inject_churn_wave(data, out, rng, effect, placement):
    length = 10 if placement.startswith("billing") else 14
    first, last = choose_window(rng, placement, length, billing_length=1)
    start_text, end_text = moment_text(first, 0), moment_text(last + 1, 0)
    active = [p for p in data.pledges.values()
              if p["started_at"] < start_text and (not p["ended_at"] or p["ended_at"] >= end_text)]
    by_creator = {}
    for pledge in active:
        by_creator.setdefault(pledge["creator_id"], []).append(pledge)
    if rng.random() < 0.5:
        creators = sorted(c for c, ps in by_creator.items() if len(ps) >= 40)
        value = rng.choice(creators)
        dimension, members = "creator_id", by_creator[value]
    else:
        counts = {}
        for pledge in active:
            category = data.creator_category[pledge["creator_id"]]
            counts[category] = counts.get(category, 0) + 1
        value = pick_value(rng, counts)
        dimension = "category"
        members = [p for p in active if data.creator_category[p["creator_id"]] == value]
    ends = {}
    for pledge in sorted(members, key=lambda p: p["pledge_id"]):
        if rng.random() < effect:
            ends[pledge["pledge_id"]] = moment_text(first, rng.randrange(0, (last - first + 1) * 86_400))
    # The pledges end; their later payments and their pair's later events go.
    path = os.path.join(out, "pledges.csv")
    header, lines = read_lines(path)
    cols = columns(header)
    for number, line in enumerate(lines):
        fields = line.rstrip("\r\n").split(",")
        end = ends.get(fields[cols["pledge_id"]])
        if end is None:
            continue
        fields[cols["ended_at"]] = end
        fields[cols["pledge_status"]] = "churned"
        fields[cols["churn_reason"]] = "voluntary"
        if fields[cols["pause_started_at"]] >= end:
            fields[cols["pause_started_at"]] = ""
        lines[number] = ",".join(fields) + "\n"
    write_lines(path, header, lines)
    path = os.path.join(out, "transactions.csv")
    header, lines = read_lines(path)
    cols = columns(header)
    kept = [line for line in lines
            if not ((end := ends.get(line.split(",", 2)[1])) and line.rstrip("\r\n").split(",")[cols["transaction_at"]] >= end)]
    write_lines(path, header, kept)
    pair_end = {}
    for pledge_id, end in ends.items():
        pledge = data.pledges[pledge_id]
        pair = (pledge["patron_id"], pledge["creator_id"])
        pair_end[pair] = min(end, pair_end.get(pair, end))
    path = os.path.join(out, "engagement_events.csv")
    header, lines = read_lines(path)
    cols = columns(header)
    kept = []
    for line in lines:
        fields = line.rstrip("\r\n").split(",")
        end = pair_end.get((fields[cols["patron_id"]], fields[cols["creator_id"]]))
        if end is None or fields[cols["event_at"]] < end:
            kept.append(line)
    write_lines(path, header, kept)
    return {"window": [first, last], "slice": [dimension, value], "changed": len(ends)}


def inject_engagement(data, out, rng, effect, placement):
    path = os.path.join(out, "engagement_events.csv")
    header, lines = read_lines(path)
    cols = columns(header)
    counts = {}
    for line in lines:
        category = data.creator_category.get(line.split(",", 3)[2])
        counts[category] = counts.get(category, 0) + 1
    value = pick_value(rng, counts)
    first, last = choose_window(rng, placement, 14, billing_length=1)
    kept = []
    removed = 0
    for line in lines:
        fields = line.rstrip("\r\n").split(",")
        if (first <= day_index(fields[cols["event_at"]]) <= last and data.creator_category.get(fields[cols["creator_id"]]) == value
                and rng.random() < effect):
            removed += 1
            continue
        kept.append(line)
    write_lines(path, header, kept)
    return {"window": [first, last], "slice": ["category", value], "changed": removed}


def inject_duplicate_load(data, out, rng, effect, placement):
    path = os.path.join(out, "transactions.csv")
    header, lines = read_lines(path)
    cols = columns(header)
    first, last = choose_window(rng, placement, 1)
    width = len(lines[-1].split(",", 1)[0]) - 3
    next_id = int(lines[-1].split(",", 1)[0][3:]) + 1
    copies = []
    for line in lines:
        fields = line.rstrip("\r\n").split(",")
        if day_index(fields[cols["transaction_at"]]) == first and rng.random() < effect:
            fields[cols["transaction_id"]] = "tx_" + str(next_id).zfill(width)
            next_id += 1
            copies.append(",".join(fields) + "\n")
    write_lines(path, header, lines + copies)
    return {"window": [first, last], "slice": ["load", moment_text(first, 0)[:10]], "changed": len(copies)}


INJECT = {"outage": inject_outage, "missing_revenue": inject_missing_revenue, "churn_wave": inject_churn_wave,
          "engagement": inject_engagement, "duplicate_load": inject_duplicate_load}


def copy_dataset(source, target):
    """A copy without the ground truth: hard links, so that an injection rewrites only its files."""
    os.makedirs(target)
    for name in os.listdir(source):
        if name.endswith(".csv") or name == "manifest.json":
            os.link(os.path.join(source, name), os.path.join(target, name))


# ---------------------------------------------------------------------------------------------
# The auditor's findings.

def key_days(key):
    """The first and last day index of a finding's key: a day (YYYY-MM-DD) or a month (YYYY-MM)."""
    if len(key) == 7:
        return month_days(int(key[0:4]), int(key[5:7]))
    day = day_index(key)
    return day, day


def auditor_findings(binary, folder, report):
    result = subprocess.run([binary, "audit", folder, "--out", report, "--quiet", "--force"], capture_output=True, text=True)
    if result.returncode not in (0, 1):
        raise SystemExit(f"audit of {folder} failed ({result.returncode}): {result.stderr.strip()}")
    with open(os.path.join(report, "report.json")) as f:
        document = json.load(f)
    anomalies = document["anomalies"]
    entries = anomalies.get("incidents", []) + anomalies.get("found", [])
    findings = []
    # A failing load test (a day loaded twice, a day not loaded) is what a user sees first: it
    # comes before the anomalies, dated by the days its sample keys name.
    for test in document.get("integrity", []):
        if test["test"] not in ("duplicate_payments", "no_missing_days") or test["failures"] == 0:
            continue
        days = sorted(day_index(match) for key in test["sample_keys"] for match in re.findall(r"\d{4}-\d{2}-\d{2}", key))
        if days:
            findings.append({"series": [test["test"]], "first": days[0], "last": days[-1], "cause": ["load", test["table"]]})
    for entry in entries:
        window = entry["window"]
        series = entry["series"] if isinstance(entry["series"], list) else [entry["series"]]
        cause = entry.get("root_cause") or {}
        if "conditions" in cause:  # an incident: its cause's last condition names the slice
            conditions = sorted(cause["conditions"].items())
            cause = {"dimension": conditions[-1][0], "value": conditions[-1][1]} if conditions else {}
        findings.append({"series": series, "first": key_days(window[0])[0], "last": key_days(window[1])[1],
                         "cause": [cause.get("dimension"), cause.get("value")]})
    return findings


# ---------------------------------------------------------------------------------------------
# The baseline.

def day_kinds():
    kinds = np.zeros(DAYS, dtype=int)
    for day in range(DAYS):
        kinds[day] = min((FIRST_DAY + dt.timedelta(days=day)).day, 5) - 1
    return kinds


KIND_OF_DAY = day_kinds()
MONTH_OF_DAY = np.array([month_index((FIRST_DAY + dt.timedelta(days=d)).year, (FIRST_DAY + dt.timedelta(days=d)).month)
                         for d in range(DAYS)])


def same_kind_history(matrix, history=90):
    """For each day: the sum of the same kind of day over the previous `history` days, and the
    number of those days (matrix: slices x days)."""
    sums = np.zeros_like(matrix, dtype=float)
    counts = np.zeros(DAYS)
    for day in range(DAYS):
        low = max(0, day - history)
        mask = KIND_OF_DAY[low:day] == KIND_OF_DAY[day]
        if mask.any():
            sums[:, day] = matrix[:, low:day][:, mask].sum(axis=1)
            counts[day] = mask.sum()
    return sums, counts


def trailing(matrix, periods):
    """The sum and count of the `periods` points before each point."""
    sums = np.zeros_like(matrix, dtype=float)
    counts = np.zeros(matrix.shape[1])
    for point in range(matrix.shape[1]):
        low = max(0, point - periods)
        if point > low:
            sums[:, point] = matrix[:, low:point].sum(axis=1)
            counts[point] = point - low
    return sums, counts


def poisson_two_sided(observed, mean):
    low = stats.poisson.cdf(observed, mean)
    high = stats.poisson.sf(observed - 1, mean)
    return np.minimum(1.0, 2 * np.minimum(low, high))


class Tally:
    """Counts per (dimension, value) x point."""

    def __init__(self, points):
        self.points = points
        self.rows = {}

    def add(self, dimension, value, point, amount=1):
        if value is None or value == "" or not 0 <= point < self.points:
            return
        row = self.rows.get((dimension, value))
        if row is None:
            row = self.rows[(dimension, value)] = np.zeros(self.points)
        row[point] += amount

    def matrix(self):
        keys = sorted(self.rows)
        return keys, (np.array([self.rows[k] for k in keys]) if keys else np.zeros((0, self.points)))


def tally_query(con, sql, points, dimensions):
    """Tallies of a query's rows (dimension columns, then point and one or more counts)."""
    tallies = None
    for row in con.execute(sql).fetchall():
        values, point, counts = row[:len(dimensions)], row[len(dimensions)], row[len(dimensions) + 1:]
        if tallies is None:
            tallies = [Tally(points) for _ in counts]
        for dimension, value in zip(dimensions, values):
            for tally, count in zip(tallies, counts):
                tally.add(dimension, value, point, count)
    return tallies or [Tally(points)]


def baseline_findings(folder):
    import duckdb
    con = duckdb.connect()
    for table in ("transactions", "pledges", "creators", "tiers", "engagement_events"):
        con.execute(f"create view {table} as select * from read_csv('{os.path.join(folder, table + '.csv')}', all_varchar = true, header = true)")
    months = int(MONTH_OF_DAY[-1]) + 1
    weeks = (DAYS + 6) // 7
    day = "datediff('day', DATE '2023-01-01', cast(substr({0}, 1, 10) as date))"
    # Each row counts once per slice: grouping sets give the platform, and each dimension alone.
    slices = "grouping sets ((d), (d, category), (d, payment_method), (d, tier_rank), (d, creator_id))"
    payment_rows = f"""
        select {day.format("t.transaction_at")} as d, c.category, t.payment_method, ti.tier_rank, p.creator_id,
               t.transaction_status as status
        from transactions t left join pledges p using (pledge_id) left join tiers ti on ti.tier_id = p.tier_id
             left join creators c on c.creator_id = p.creator_id
        where t.transaction_type = 'pledge_payment' and t.transaction_status in ('succeeded', 'failed')"""
    dimensions = ["platform", "category", "payment_method", "tier_rank", "creator_id"]
    select = "case when grouping(category, payment_method, tier_rank, creator_id) = 15 then 'all' end, category, payment_method, tier_rank, creator_id"
    attempts, failures, payments_daily = tally_query(con, f"""
        select {select}, d, count(*), count(*) filter (where status = 'failed'), count(*) filter (where status = 'succeeded')
        from ({payment_rows}) where d between 0 and {DAYS - 1} group by {slices}""", DAYS, dimensions)
    con.execute(f"create temp table month_of_day as select unnest(range({DAYS})) as d, unnest({MONTH_OF_DAY.tolist()}) as m")
    (payments_monthly,) = tally_query(con, f"""
        select {select}, m, count(*) from ({payment_rows}) join month_of_day using (d) where status = 'succeeded'
        group by grouping sets ((m), (m, category), (m, payment_method), (m, tier_rank), (m, creator_id))""", months, dimensions)
    (endings,) = tally_query(con, f"""
        select case when grouping(category, tier_rank, creator_id) = 7 then 'all' end, category, tier_rank, creator_id, m, count(*)
        from (select {day.format("p.ended_at")} as d, c.category, ti.tier_rank, p.creator_id
              from pledges p left join tiers ti on ti.tier_id = p.tier_id left join creators c on c.creator_id = p.creator_id
              where p.ended_at is not null) join month_of_day using (d)
        group by grouping sets ((m), (m, category), (m, tier_rank), (m, creator_id))""", months,
        ["platform", "category", "tier_rank", "creator_id"])
    event_rows = f"""select {day.format("e.event_at")} as d, c.category, e.creator_id
        from engagement_events e left join creators c on c.creator_id = e.creator_id"""
    (events_daily,) = tally_query(con, f"""
        select case when grouping(category, creator_id) = 3 then 'all' end, category, creator_id, d, count(*)
        from ({event_rows}) where d between 0 and {DAYS - 1} group by grouping sets ((d), (d, category), (d, creator_id))""",
        DAYS, ["platform", "category", "creator_id"])
    (events_weekly,) = tally_query(con, f"""
        select case when grouping(category, creator_id) = 3 then 'all' end, category, creator_id, d // 7, count(*)
        from ({event_rows}) where d between 0 and {DAYS - 1}
        group by grouping sets ((d // 7), (d // 7, category), (d // 7, creator_id))""", weeks, ["platform", "category", "creator_id"])

    tests = []  # (series, keys, p-values: slices x points, point -> (first day, last day))
    day_span = [(d, d) for d in range(DAYS)]
    month_span = [month_days(2023 + m // 12, m % 12 + 1) for m in range(months)]
    week_span = [(7 * w, min(DAYS - 1, 7 * w + 6)) for w in range(weeks)]
    # Failure rate: one-sided binomial against the same kind of day over 90 days.
    keys, n = attempts.matrix()
    f = np.array([failures.rows.get(k, np.zeros(DAYS)) for k in keys])
    history_n, seen = same_kind_history(n)
    history_f, _ = same_kind_history(f)
    rate = (history_f + 0.5) / (history_n + 1)
    p = np.where((n > 0) & (seen > 0) & (history_n > 0), stats.binom.sf(f - 1, n, rate), 1.0)
    tests.append(("failure_rate", keys, p, day_span))
    for name, tally, span, history in (("payments_daily", payments_daily, day_span, "kind"),
                                       ("events_daily", events_daily, day_span, "kind"),
                                       ("payments_monthly", payments_monthly, month_span, 3),
                                       ("endings_monthly", endings, month_span, 3),
                                       ("events_weekly", events_weekly, week_span, 4)):
        keys, counts = tally.matrix()
        if history == "kind":
            sums, seen = same_kind_history(counts)
        else:
            sums, seen = trailing(counts, history)
        mean = np.divide(sums, seen, out=np.zeros_like(sums), where=seen > 0)
        p = np.where((seen > 0) & (mean > 0), poisson_two_sided(counts, np.maximum(mean, 1e-12)), 1.0)
        tests.append((name, keys, p, span))
    total = sum(p.size for _, _, p, _ in tests)
    alpha = 0.05 / total
    findings = []
    for name, keys, p, span in tests:
        for row, key in enumerate(keys):
            significant = np.nonzero(p[row] < alpha)[0]
            run = []
            for point in list(significant) + [None]:
                if run and (point is None or point != run[-1] + 1):
                    findings.append({"series": [name], "first": span[run[0]][0], "last": span[run[-1]][1],
                                     "cause": list(key), "p": float(p[row][run].min())})
                    run = []
                if point is not None:
                    run.append(point)
    findings.sort(key=lambda finding: (finding["p"], finding["series"], finding["first"], finding["cause"]))
    return findings, total


# ---------------------------------------------------------------------------------------------
# Scoring.

def rank_of(incident, findings, series_of_kind):
    first, last = incident["window"]
    names = series_of_kind[incident["kind"]]
    for position, finding in enumerate(findings, start=1):
        if finding["first"] <= last and finding["last"] >= first and any(part in s for s in finding["series"] for part in names):
            dimension, value = incident["slice"]
            return position, finding["cause"][1] == value or (dimension == "tier_rank" and str(finding["cause"][1]) == value)
    return None, False


def generator_windows(folder):
    with open(os.path.join(folder, "anomalies.json")) as f:
        entries = json.load(f)["anomalies"]
    windows = []
    for entry in entries:
        first, last = entry["window"]
        windows.append((key_days(first[:7])[0], key_days(last[:7])[1]))  # the months they touch
    return windows


def outside(finding, windows):
    return not any(finding["first"] <= last and finding["last"] >= first for first, last in windows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", required=True)
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--clean-seeds", default="1,2,3,4,5")
    parser.add_argument("--effects", default="0.1,0.4,0.7,1.0")
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--placements", default=",".join(PLACEMENTS))
    parser.add_argument("--work")
    parser.add_argument("--json")
    parser.add_argument("--markdown")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",") if s]
    clean_seeds = [int(s) for s in args.clean_seeds.split(",") if s]
    effects = [float(e) for e in args.effects.split(",")]
    kinds = args.kinds.split(",")
    placements = args.placements.split(",")
    for kind in kinds:
        if kind not in INJECT:
            raise SystemExit(f"unknown kind {kind}; kinds: {', '.join(KINDS)}")
    work = args.work or tempfile.mkdtemp(prefix="synthaudit-power.")
    os.makedirs(work, exist_ok=True)
    outcomes = []
    clean = []
    for seed in sorted(set(seeds) | set(clean_seeds)):
        source = os.path.join(work, f"seed{seed}")
        if not os.path.exists(os.path.join(source, "anomalies.json")):
            shutil.rmtree(source, ignore_errors=True)
            subprocess.run([args.bin, "generate", "creators", "--seed", str(seed), "--out", source, "--quiet"], check=True)
        windows = generator_windows(source)
        if seed in clean_seeds:
            copy = os.path.join(work, f"seed{seed}-clean")
            shutil.rmtree(copy, ignore_errors=True)
            copy_dataset(source, copy)
            audit = [f for f in auditor_findings(args.bin, copy, copy + "-report") if outside(f, windows)]
            base, _ = baseline_findings(copy)
            clean.append({"seed": seed, "auditor": len(audit), "baseline": len([f for f in base if outside(f, windows)])})
            shutil.rmtree(copy)
            shutil.rmtree(copy + "-report")
        if seed not in seeds:
            continue
        data = Dataset(source)
        for kind in kinds:
            for effect in effects:
                for placement in placements:
                    rng = random.Random(f"{seed}/{kind}/{effect}/{placement}")
                    copy = os.path.join(work, f"seed{seed}-{kind}-{effect}-{placement}")
                    shutil.rmtree(copy, ignore_errors=True)
                    copy_dataset(source, copy)
                    for name in ("transactions.csv", "pledges.csv", "engagement_events.csv"):
                        # Break the hard links of the files an injection rewrites.
                        path = os.path.join(copy, name)
                        os.unlink(path)
                        shutil.copyfile(os.path.join(source, name), path)
                    incident = INJECT[kind](data, copy, rng, effect, placement)
                    incident.update({"seed": seed, "kind": kind, "effect": effect, "placement": placement})
                    audit = auditor_findings(args.bin, copy, copy + "-report")
                    base, tests = baseline_findings(copy)
                    incident["auditor"], incident["auditor_cause"] = rank_of(incident, audit, AUDITOR_SERIES)
                    incident["baseline"], incident["baseline_cause"] = rank_of(incident, base, BASELINE_SERIES)
                    incident["baseline_tests"] = tests
                    outcomes.append(incident)
                    shutil.rmtree(copy)
                    shutil.rmtree(copy + "-report")
                    print(f"  {kind:<16} effect {effect:<4} {placement:<13} seed {seed}: {incident['slice'][0]}={incident['slice'][1]}, "
                          f"{incident['changed']} rows; auditor rank {incident['auditor']}, baseline rank {incident['baseline']}",
                          file=sys.stderr)
    table = render(outcomes, clean, seeds, effects, kinds)
    print(table)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(table + "\n")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"incidents": outcomes, "clean": clean}, f, indent=1, sort_keys=True)
    if not args.work:
        shutil.rmtree(work)


def recall(ranks, limit):
    if not ranks:
        return "-"
    hits = sum(1 for rank in ranks if rank is not None and (limit is None or rank <= limit))
    return f"{100 * hits / len(ranks):.0f}%"


def render(outcomes, clean, seeds, effects, kinds):
    lines = [f"Recall at top 5 / top 10 / anywhere, auditor | baseline; seeds {','.join(map(str, seeds))}, "
             f"{len({o['placement'] for o in outcomes})} placements each.", "",
             "| kind | effect | n | auditor top 5 | top 10 | anywhere | baseline top 5 | top 10 | anywhere |",
             "|---|---|---|---|---|---|---|---|---|"]
    for kind in kinds:
        for effect in effects:
            cell = [o for o in outcomes if o["kind"] == kind and o["effect"] == effect]
            a = [o["auditor"] for o in cell]
            b = [o["baseline"] for o in cell]
            lines.append(f"| {kind} | {effect:.0%} | {len(cell)} | {recall(a, 5)} | {recall(a, 10)} | {recall(a, None)} | "
                         f"{recall(b, 5)} | {recall(b, 10)} | {recall(b, None)} |")
    if clean:
        lines += ["", "Findings per clean dataset outside the generator's own anomaly windows (seed: auditor | baseline): "
                  + ", ".join(f"{c['seed']}: {c['auditor']} | {c['baseline']}" for c in clean)
                  + f"; mean {np.mean([c['auditor'] for c in clean]):.1f} | {np.mean([c['baseline'] for c in clean]):.1f}."]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
