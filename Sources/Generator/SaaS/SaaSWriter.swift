import TableIO

/// Writes a ``SaaSDataset`` to a new SQLite database file.
public enum SaaSWriter {
    /// Creates the schema at `path` (which must not hold a database yet) and inserts every row
    /// in one transaction. Money is stored as dollars rounded to cents. With `create` false the
    /// file must exist already (a staged output's empty file), and is never made anew.
    public static func write(_ dataset: SaaSDataset, to path: String, create: Bool = true) throws {
        let db = try SQLiteConnection(path: path, mode: create ? .create : .readWrite)
        try db.execute("""
            PRAGMA page_size = 4096;
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            PRAGMA foreign_keys = ON;
            """)
        try db.transaction {
            try db.execute(SaaSSchema.tables)
            let insertCustomer = try db.prepare("INSERT INTO day06_customers VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
            for customer in dataset.customers {
                try insertCustomer.execute([
                    .text(customer.id), .text(customer.email), .text(customer.signup.description),
                    .text(customer.currentTier.name), dollars(customer.currentMRRCents),
                    .text(customer.isChurned ? "churned" : "active"),
                ])
            }
            let insertSubscription = try db.prepare("INSERT INTO day06_subscriptions VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
            for customer in dataset.customers {
                for subscription in customer.subscriptions {
                    try insertSubscription.execute([
                        .text(subscription.id), .text(customer.id), .text(subscription.start.description),
                        subscription.end.map { .text($0.description) } ?? .null,
                        dollars(subscription.mrrCents), .text(subscription.tier.name),
                    ])
                }
            }
            let insertMovement = try db.prepare("INSERT INTO day06_mrr_movements VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
            for movement in dataset.movements {
                try insertMovement.execute([
                    .text(movement.month.firstDay.description), dollars(movement.newCents),
                    dollars(movement.expansionCents), dollars(movement.contractionCents),
                    dollars(movement.churnCents), dollars(movement.netCents),
                ])
            }
            try db.execute(SaaSSchema.indexes)
            try db.execute(SaaSSchema.mrrSummaryView)
            try db.execute(SaaSSchema.churnByCohortView)
            try db.execute(SaaSSchema.retentionCurvesView)
            try db.execute(SaaSSchema.customerHealthView)
        }
    }

    /// Cents as a SQLite real in dollars (the nearest double to the two-decimal value).
    static func dollars(_ cents: Int) -> SQLiteValue {
        .real(Double(cents) / 100)
    }
}
