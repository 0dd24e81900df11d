public enum AlertDBVersion { public static let current = "0.1.0" }
