/// The version of synthaudit, recorded in manifests and reports and printed by `--version`.
public let synthauditVersion = "0.2.0"
