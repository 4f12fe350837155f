import Foundation

/// Thrown if the Rust side ever sent text that is not a UUID (it sends hyphenated UUIDs only).
struct MalformedUuidError: Error, CustomStringConvertible {
    let text: String
    var description: String { "the library sent '\(text)' where a UUID was expected" }
}

/// Lifts the hyphenated UUID text the Rust side sends; used by the generated converters
/// (see `[bindings.swift.custom_types.Uuid]` in uniffi.toml).
func liftUuid(_ text: String) throws -> UUID {
    guard let uuid = UUID(uuidString: text) else { throw MalformedUuidError(text: text) }
    return uuid
}
