module {{name}}

go 1.24

// The Evident Go SDK. `evident build` supplies it without downloading anything: it builds with
// a copy of this file that replaces evident.dev/evident with the SDK it carries, unless this
// file has its own `replace evident.dev/evident => <directory>` (a release copy of the module
// you installed), which it then uses.
require evident.dev/evident v{{sdk_package_version}}
