package evident

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Parameter is one name=value pair a view or change is configured with.
type Parameter struct {
	Name, Value string
}

// Parameters are the name=value pairs a view or change is configured with, in the order
// given. The typed accessors refuse a value that does not parse with CodeInvalidParameter.
type Parameters struct {
	pairs []Parameter
}

// NewParameters makes parameters from name, value, name, value...; for tests.
func NewParameters(namesAndValues ...string) Parameters {
	if len(namesAndValues)%2 != 0 {
		panic("evident.NewParameters takes names and values in pairs")
	}
	pairs := make([]Parameter, 0, len(namesAndValues)/2)
	for i := 0; i < len(namesAndValues); i += 2 {
		pairs = append(pairs, Parameter{namesAndValues[i], namesAndValues[i+1]})
	}
	return Parameters{pairs: pairs}
}

// Get is the value of name, and whether it was given; the last one wins if it is given twice.
func (p Parameters) Get(name string) (string, bool) {
	for i := len(p.pairs) - 1; i >= 0; i-- {
		if p.pairs[i].Name == name {
			return p.pairs[i].Value, true
		}
	}
	return "", false
}

// String is the value of name, or fallback if it is absent.
func (p Parameters) String(name, fallback string) string {
	if value, ok := p.Get(name); ok {
		return value
	}
	return fallback
}

// Bool is name as exactly "true" or "false", or fallback if it is absent.
func (p Parameters) Bool(name string, fallback bool) (bool, error) {
	raw, ok := p.Get(name)
	switch {
	case !ok:
		return fallback, nil
	case raw == "true":
		return true, nil
	case raw == "false":
		return false, nil
	}
	return false, invalidParameter(name, raw, "provided string was not `true` or `false`")
}

// Int is name as a decimal integer (an optional sign, then digits), or fallback if absent.
func (p Parameters) Int(name string, fallback int64) (int64, error) {
	raw, ok := p.Get(name)
	if !ok {
		return fallback, nil
	}
	value, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return 0, invalidParameter(name, raw, integerError(raw, err))
	}
	return value, nil
}

// Uint is name as a non-negative decimal integer (an optional +, then digits), or fallback
// if absent.
func (p Parameters) Uint(name string, fallback uint64) (uint64, error) {
	raw, ok := p.Get(name)
	if !ok {
		return fallback, nil
	}
	digits := raw
	if len(digits) > 1 && digits[0] == '+' {
		digits = digits[1:]
	}
	value, err := strconv.ParseUint(digits, 10, 64)
	if err != nil {
		return 0, invalidParameter(name, raw, integerError(raw, err))
	}
	return value, nil
}

// Float is name as a decimal floating-point number, or fallback if absent.
func (p Parameters) Float(name string, fallback float64) (float64, error) {
	raw, ok := p.Get(name)
	if !ok {
		return fallback, nil
	}
	if raw == "" {
		return 0, invalidParameter(name, raw, "cannot parse float from empty string")
	}
	value, err := strconv.ParseFloat(raw, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) || strings.ContainsAny(raw, "_xX") {
		return 0, invalidParameter(name, raw, "invalid float literal")
	}
	return value, nil
}

// All is every pair, in the order given.
func (p Parameters) All() []Parameter {
	return append([]Parameter(nil), p.pairs...)
}

// Len is how many pairs there are.
func (p Parameters) Len() int {
	return len(p.pairs)
}

func invalidParameter(name, raw, reason string) *Refusal {
	return Refusef(CodeInvalidParameter, "parameter `%s` is %s: %s", name, Quote(raw), reason)
}

// integerError words a strconv failure as Rust's integer parser does, so that every SDK
// refuses a parameter with the same message.
func integerError(raw string, err error) string {
	switch {
	case raw == "":
		return "cannot parse integer from empty string"
	case errors.Is(err, strconv.ErrRange) && strings.HasPrefix(raw, "-"):
		return "number too small to fit in target type"
	case errors.Is(err, strconv.ErrRange):
		return "number too large to fit in target type"
	}
	return "invalid digit found in string"
}

// Quote writes s in double quotes as Rust's `{:?}` does, so that messages read the same in
// every SDK: \", \\, \n, \r, \t and \0 escaped, other unprintable characters as \u{hex}.
func Quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == 0:
			b.WriteString(`\0`)
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == ' ' || unicode.IsPrint(r) && !(i == 0 && unicode.Is(unicode.Mn, r)):
			b.WriteRune(r)
		default:
			fmt.Fprintf(&b, `\u{%x}`, r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
