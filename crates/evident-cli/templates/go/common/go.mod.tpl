module {{name}}

go 1.24

// `evident build` supplies the SDK: it builds with a copy of this file that replaces
// evident.dev/evident with the Go SDK it carries, so nothing is downloaded.
require evident.dev/evident v0.0.0
