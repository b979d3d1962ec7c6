/// Embedded word lists for names, e-mail addresses and titles: no network, no data files at run time.
///
/// The lists are part of the dataset contract: changing one changes every dataset's bytes.
public enum WordLists {
    public static let firstNames: [String] = [
        "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
        "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
        "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Betty", "Mark", "Sandra", "Steven", "Ashley",
        "Paul", "Emily", "Andrew", "Donna", "Joshua", "Michelle", "Kenneth", "Carol", "Kevin", "Amanda",
        "Brian", "Melissa", "George", "Deborah", "Timothy", "Stephanie", "Ronald", "Rebecca", "Jason", "Laura",
        "Edward", "Sharon", "Jeffrey", "Cynthia", "Ryan", "Kathleen", "Jacob", "Amy", "Gary", "Angela",
        "Nicholas", "Shirley", "Eric", "Anna", "Jonathan", "Brenda", "Stephen", "Pamela", "Larry", "Emma",
        "Justin", "Nicole", "Scott", "Helen", "Brandon", "Samantha", "Benjamin", "Katherine", "Samuel", "Christine",
        "Aarav", "Priya", "Wei", "Mei", "Hiroshi", "Yuki", "Mateo", "Sofia", "Lucas", "Camila",
        "Noah", "Olivia", "Liam", "Ava", "Ethan", "Isabella", "Leon", "Mia", "Felix", "Hannah",
        "Omar", "Layla", "Ahmed", "Fatima", "Ivan", "Olga", "Pierre", "Chloe", "Lars", "Ingrid",
        "Diego", "Valentina", "Kwame", "Amara", "Raj", "Ananya", "Chen", "Lin", "Jonas", "Elena",
    ]

    public static let lastNames: [String] = [
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
        "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
        "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
        "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
        "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
        "Patel", "Shah", "Kumar", "Singh", "Wang", "Zhang", "Li", "Liu", "Chen", "Yang",
        "Tanaka", "Suzuki", "Sato", "Kim", "Park", "Choi", "Muller", "Schmidt", "Schneider", "Fischer",
        "Weber", "Meyer", "Wagner", "Becker", "Dubois", "Laurent", "Moreau", "Rossi", "Russo", "Ferrari",
        "Silva", "Santos", "Oliveira", "Costa", "Novak", "Kowalski", "Nowak", "Ivanov", "Petrov", "Larsen",
        "Hansen", "Johansson", "Andersen", "Okafor", "Mensah", "Haddad", "Khan", "Ali", "Cohen", "Murphy",
    ]

    /// First halves of company names.
    public static let companyStems: [String] = [
        "acme", "bright", "blue", "cloud", "core", "data", "delta", "echo", "nova", "summit",
        "apex", "vertex", "pixel", "quantum", "rapid", "silver", "stone", "north", "metro", "peak",
        "harbor", "iron", "maple", "cedar", "orbit", "pulse", "signal", "vector", "zen", "atlas",
        "beacon", "bold", "clear", "crest", "ember", "fusion", "granite", "helix", "lumen", "mosaic",
    ]

    /// Second halves of company names.
    public static let companySuffixes: [String] = [
        "corp", "labs", "works", "soft", "systems", "tech", "logic", "ware", "hub", "io",
        "analytics", "digital", "cloud", "stack", "scale", "ly", "ify", "base", "point", "path",
    ]

    public static let topLevelDomains: [String] = ["com", "com", "com", "io", "co", "net", "ai", "dev"]

    /// Lower-case ASCII form of a name for e-mail addresses ("O'Brien" -> "obrien").
    public static func emailPart(_ name: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(name.utf8.count)
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): bytes.append(byte)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): bytes.append(byte + 32)
            default: break
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
