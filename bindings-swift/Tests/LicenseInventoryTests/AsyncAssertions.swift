import XCTest

// XCTest's assertions take synchronous autoclosures, where `try await` cannot go. These do the
// same with asynchronous ones (a throw is a failure, as in XCTest), so a test reads
// `await assertEqual(try await session.order(id: id).order.status, .active)`.

/// Evaluates `body`; a throw is recorded as a failure and gives `nil`.
private func value<T>(
    _ body: () async throws -> T, _ message: () -> String, file: StaticString, line: UInt
) async -> T? {
    do {
        return try await body()
    } catch {
        XCTFail("threw \(error)\(message().isEmpty ? "" : " - \(message())")", file: file, line: line)
        return nil
    }
}

func assertEqual<T: Equatable>(
    _ a: @autoclosure () async throws -> T, _ b: @autoclosure () async throws -> T,
    _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line
) async {
    guard let x = await value(a, message, file: file, line: line),
          let y = await value(b, message, file: file, line: line) else { return }
    XCTAssertEqual(x, y, message(), file: file, line: line)
}

func assertNotEqual<T: Equatable>(
    _ a: @autoclosure () async throws -> T, _ b: @autoclosure () async throws -> T,
    _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line
) async {
    guard let x = await value(a, message, file: file, line: line),
          let y = await value(b, message, file: file, line: line) else { return }
    XCTAssertNotEqual(x, y, message(), file: file, line: line)
}

func assertTrue(
    _ a: @autoclosure () async throws -> Bool,
    _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line
) async {
    guard let x = await value(a, message, file: file, line: line) else { return }
    XCTAssertTrue(x, message(), file: file, line: line)
}

func assertFalse(
    _ a: @autoclosure () async throws -> Bool,
    _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line
) async {
    guard let x = await value(a, message, file: file, line: line) else { return }
    XCTAssertFalse(x, message(), file: file, line: line)
}

func assertNil<T>(
    _ a: @autoclosure () async throws -> T?,
    _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line
) async {
    guard let x = await value(a, message, file: file, line: line) else { return }
    XCTAssertNil(x, message(), file: file, line: line)
}

func assertNotNil<T>(
    _ a: @autoclosure () async throws -> T?,
    _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line
) async {
    guard let x = await value(a, message, file: file, line: line) else { return }
    XCTAssertNotNil(x, message(), file: file, line: line)
}

func assertGreaterThan<T: Comparable>(
    _ a: @autoclosure () async throws -> T, _ b: @autoclosure () async throws -> T,
    _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line
) async {
    guard let x = await value(a, message, file: file, line: line),
          let y = await value(b, message, file: file, line: line) else { return }
    XCTAssertGreaterThan(x, y, message(), file: file, line: line)
}

func assertLessThan<T: Comparable>(
    _ a: @autoclosure () async throws -> T, _ b: @autoclosure () async throws -> T,
    _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line
) async {
    guard let x = await value(a, message, file: file, line: line),
          let y = await value(b, message, file: file, line: line) else { return }
    XCTAssertLessThan(x, y, message(), file: file, line: line)
}

func assertLessThanOrEqual<T: Comparable>(
    _ a: @autoclosure () async throws -> T, _ b: @autoclosure () async throws -> T,
    _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line
) async {
    guard let x = await value(a, message, file: file, line: line),
          let y = await value(b, message, file: file, line: line) else { return }
    XCTAssertLessThanOrEqual(x, y, message(), file: file, line: line)
}

func assertNoThrow<T>(
    _ a: @autoclosure () async throws -> T,
    _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line
) async {
    _ = await value(a, message, file: file, line: line)
}

/// `XCTUnwrap` of an asynchronous expression.
func unwrap<T>(
    _ a: @autoclosure () async throws -> T?,
    _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line
) async throws -> T {
    let v = try await a()
    return try XCTUnwrap(v, message(), file: file, line: line)
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }

    func asyncCompactMap<T>(_ transform: (Element) async throws -> T?) async rethrows -> [T] {
        var out: [T] = []
        for element in self { if let t = try await transform(element) { out.append(t) } }
        return out
    }

    func asyncFlatMap<S: Sequence>(_ transform: (Element) async throws -> S) async rethrows -> [S.Element] {
        var out: [S.Element] = []
        for element in self { out += try await transform(element) }
        return out
    }

    func asyncFilter(_ keep: (Element) async throws -> Bool) async rethrows -> [Element] {
        var out: [Element] = []
        for element in self where try await keep(element) { out.append(element) }
        return out
    }

    func asyncAllSatisfy(_ test: (Element) async throws -> Bool) async rethrows -> Bool {
        for element in self where !(try await test(element)) { return false }
        return true
    }

    func asyncForEach(_ body: (Element) async throws -> Void) async rethrows {
        for element in self { try await body(element) }
    }

    func asyncContains(where test: (Element) async throws -> Bool) async rethrows -> Bool {
        for element in self where try await test(element) { return true }
        return false
    }

    func asyncFirst(where test: (Element) async throws -> Bool) async rethrows -> Element? {
        for element in self where try await test(element) { return element }
        return nil
    }
}
