module example.com/go-invoice-numbers

go 1.24

// evident build supplies the SDK: it builds with a copy of this file that replaces
// evident.dev/evident with the SDK it carries.
require evident.dev/evident v0.0.0
