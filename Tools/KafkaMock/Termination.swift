import Foundation

/// SIGTERM and SIGINT end the process with status 0, as `quit` does: answers are written
/// unbuffered, so nothing is lost, and the cluster lives only in this process.
func installExitOnTermination() {
    signal(SIGTERM, exitOnSignal)
    signal(SIGINT, exitOnSignal)
}

/// A plain function: signal handlers run on whichever thread the signal lands on.
private func exitOnSignal(_ signal: Int32) {
    _exit(0)
}
