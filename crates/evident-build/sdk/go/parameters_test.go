//go:build !wasip1

package evident

import "testing"

func TestTheLastParameterWinsAndBadValuesAreRefused(t *testing.T) {
	p := NewParameters("n", "1", "flag", "maybe", "n", "+2", "big", "99999999999999999999", "neg", "-3", "f", "1e3")
	if v, _ := p.Get("n"); v != "+2" {
		t.Fatal(v)
	}
	if n, err := p.Uint("n", 0); n != 2 || err != nil {
		t.Fatal(n, err)
	}
	if _, err := p.Bool("flag", false); err.(*Refusal).Code != CodeInvalidParameter ||
		err.(*Refusal).Message != "parameter `flag` is \"maybe\": provided string was not `true` or `false`" {
		t.Fatal(err)
	}
	if b, err := p.Bool("absent", true); !b || err != nil {
		t.Fatal(b, err)
	}
	if _, err := p.Int("big", 0); err.(*Refusal).Message != "parameter `big` is \"99999999999999999999\": number too large to fit in target type" {
		t.Fatal(err)
	}
	if _, err := p.Uint("neg", 0); err.(*Refusal).Message != "parameter `neg` is \"-3\": invalid digit found in string" {
		t.Fatal(err)
	}
	if f, err := p.Float("f", 0); f != 1000 || err != nil {
		t.Fatal(f, err)
	}
}

func TestQuoteIsRustsDebug(t *testing.T) {
	for in, want := range map[string]string{
		"bank.":     `"bank."`,
		"a\"b\\c\n": `"a\"b\\c\n"`,
		"\x00\x1b":  `"\0\u{1b}"`,
		"é€":        `"é€"`,
	} {
		if got := Quote(in); got != want {
			t.Errorf("%q: %s, want %s", in, got, want)
		}
	}
}
