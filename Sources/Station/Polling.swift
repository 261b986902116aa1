/// The station's periodic work (watches, rules): a body run, then a pause, until the task is cancelled.
enum Polling {
    static func every(_ seconds: Double, _ body: () -> Void) async {
        while !Task.isCancelled {
            body()
            try? await Task.sleep(for: .seconds(seconds))
        }
    }
}
