extension BuiltInProfiles {
    /// The built-in profile `name`, parsed.
    public static func mapping(_ name: String) throws -> Mapping? {
        guard let (path, yaml) = text(for: name) else { return nil }
        return try MappingLoader.parse(yaml, path: path, builtIn: true)
    }

    /// The built-in profile whose `detect` names one of `tables`, if any.
    public static func detect(_ tables: Set<String>) throws -> Mapping? {
        for name in names {
            guard let mapping = try mapping(name), mapping.detect.contains(where: tables.contains) else { continue }
            return mapping
        }
        return nil
    }
}
