/// The fixed vocabularies of the creator-economy dataset (SPEC section 3.1).
///
/// Every enumeration written to the CSV files is listed here; `Documentation/creators-model.md`
/// documents the sets the seed leaves open (post_type, access_level, payment_method,
/// failure_reason, event_type).
public enum CreatorCatalog {
    /// A category with its seed weight and subcategories.
    public struct Category: Sendable {
        public let name: String
        public let weight: Double
        public let subcategories: [String]
    }

    /// The seed's categories and weights, in the seed's order.
    public static let categories: [Category] = [
        Category(name: "podcasts", weight: 25, subcategories: ["history", "true_crime", "comedy", "interview"]),
        Category(name: "video", weight: 20, subcategories: ["tech_explainers", "gaming", "tutorials", "vlogs"]),
        Category(name: "visual_art", weight: 18, subcategories: ["digital_art", "comics", "illustration", "photography"]),
        Category(name: "education", weight: 15, subcategories: ["programming", "languages", "music_lessons", "fitness"]),
        Category(name: "writing", weight: 10, subcategories: ["fiction", "journalism", "newsletters"]),
        Category(name: "music", weight: 7, subcategories: ["covers", "original_music", "production_tutorials"]),
        Category(name: "games", weight: 5, subcategories: ["game_development", "lets_plays"]),
    ]

    public static let gamesCategory = 6
    public static let videoCategory = 1

    public static let planTypes = ["lite", "pro", "premium"]
    /// Platform fee by plan, in basis points: lite 5%, pro 8%, premium 12%.
    public static let platformFeeBasisPoints = [500, 800, 1_200]
    public static let creatorStatuses = ["active", "paused", "suspended", "deleted"]
    public static let pledgeStatuses = ["active", "paused", "churned", "declined"]
    public static let churnReasons = ["voluntary", "payment_failed", "creator_removed"]
    public static let transactionTypes = ["pledge_payment", "refund", "chargeback"]
    public static let transactionStatuses = ["pending", "succeeded", "failed", "refunded"]
    public static let patronStatuses = ["active", "churned"]
    public static let postTypes = ["text", "image", "video", "audio", "poll"]
    public static let accessLevels = ["public", "patrons_only", "tier_locked"]
    public static let paymentMethods = ["card", "paypal", "apple_pay", "google_pay"]
    public static let paymentMethodWeights: [Double] = [70, 20, 6, 4]
    /// Failure reasons of failed attempts; `processor_unavailable` only during the outage anomaly.
    public static let failureReasons = ["card_declined", "insufficient_funds", "card_expired", "processing_error",
                                        "processor_unavailable"]
    /// Failure reason weights outside the outage and outside December/January.
    public static let failureReasonWeights: [Double] = [45, 30, 15, 10, 0]
    public static let eventTypes = ["view", "like", "comment", "share"]
    public static let eventTypeWeights: [Double] = [60, 25, 11, 4]

    /// Country, currency and weight.
    public static let countries: [(code: String, currency: String, weight: Double)] = [
        ("US", "USD", 45), ("GB", "GBP", 10), ("CA", "CAD", 7), ("DE", "EUR", 7), ("FR", "EUR", 5),
        ("AU", "AUD", 5), ("NL", "EUR", 3), ("ES", "EUR", 3), ("IT", "EUR", 3), ("BR", "BRL", 4),
        ("JP", "JPY", 3), ("MX", "MXN", 2), ("SE", "SEK", 2), ("IN", "INR", 1),
    ]

    /// Tier price points in cents by rank (seed: $2-$5, $7-$15, $20-$50, $75-$150).
    public static let tierPrices: [[Int]] = [
        [200, 300, 400, 500],
        [700, 800, 1_000, 1_200, 1_500],
        [2_000, 2_500, 3_000, 4_000, 5_000],
        [7_500, 10_000, 12_500, 15_000],
    ]
    /// The price points of the largest creators (top 10% by intended size): the usual
    /// $5 / $10 / $25 / $100 ladder, so that the few creators who dominate MRR do not swing it
    /// with a random price draw.
    public static let topTierPrices = [500, 1_000, 2_500, 10_000]
    /// Patron shares by tier rank (seed: 50 / 35 / 12 / 3%).
    public static let tierShares: [Double] = [50, 35, 12, 3]
    public static let tierNames: [[String]] = [
        ["Supporter", "Fan", "Friend", "Backer"],
        ["Insider", "Member", "Regular", "Enthusiast"],
        ["Superfan", "VIP", "Champion", "Producer"],
        ["Patron Saint", "Executive Producer", "Inner Circle", "Legend"],
    ]
    public static let tierPerks: [String] = [
        "early access to every release", "a monthly behind-the-scenes post", "your name in the credits",
        "access to the members-only chat", "a monthly live Q&A", "downloadable extras", "a vote on upcoming topics",
        "exclusive bonus episodes", "high-resolution files", "a personal thank-you note",
    ]

    /// Words for creator names: "{adjective} {noun}" or "{first name}'s {noun}".
    public static let nameAdjectives = [
        "Curious", "Midnight", "Golden", "Quiet", "Wild", "Lucky", "Brave", "Hidden", "Electric", "Velvet",
        "Paper", "Northern", "Crimson", "Little", "Cosmic", "Honest", "Daily", "Rusty", "Silver", "Open",
    ]
    public static let nameNouns: [[String]] = [
        ["Podcast", "Radio", "Hour", "Talks", "Show", "Tapes"],
        ["Channel", "Studio", "Vlog", "Lab", "TV", "Reels"],
        ["Sketchbook", "Canvas", "Gallery", "Ink", "Studio", "Frames"],
        ["Academy", "Classroom", "School", "Lessons", "Workshop", "Guide"],
        ["Letters", "Press", "Notebook", "Dispatch", "Chronicle", "Review"],
        ["Sessions", "Records", "Sound", "Beats", "Band", "Music"],
        ["Games", "Arcade", "Quest", "Plays", "Devlog", "Studio"],
    ]
    /// Words for post titles by category.
    public static let titleTopics: [[String]] = [
        ["episode", "interview", "bonus episode", "listener mailbag", "deep dive", "live recording"],
        ["video", "tutorial", "behind the scenes", "review", "livestream replay", "short"],
        ["sketch", "commission", "process video", "wallpaper", "comic page", "art dump"],
        ["lesson", "worksheet", "lecture", "study guide", "exercise", "office hours"],
        ["chapter", "essay", "newsletter", "short story", "draft", "column"],
        ["demo", "cover", "stem pack", "track", "rehearsal", "live set"],
        ["devlog", "playtest build", "patch notes", "let's play", "concept art", "design notes"],
    ]
    public static let titleQualifiers = [
        "Weekly", "Monthly", "Exclusive", "Early", "Extended", "Uncut", "Members-only", "Special", "New", "Bonus",
    ]
}
