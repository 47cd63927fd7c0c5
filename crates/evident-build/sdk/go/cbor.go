package evident

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// cborToJSON converts one CBOR data item (RFC 8949) to JSON, so that a CBOR command decodes
// into the same Go type, through the same json tags, as a JSON one. Byte strings become
// base64 strings (what encoding/json decodes a []byte from), map keys that are numbers or
// booleans become their text, tags are dropped (their content kept), undefined is null, and
// floats keep a decimal point.
// NaN and the infinities, which JSON cannot hold, are refused.
func cborToJSON(data []byte) ([]byte, error) {
	c := cborReader{data: data}
	out, err := c.item(nil, 0)
	if err != nil {
		return nil, err
	}
	if c.position != len(data) {
		return nil, fmt.Errorf("%d bytes after the CBOR item", len(data)-c.position)
	}
	return out, nil
}

// cborMaxDepth bounds nesting, so a hostile command cannot exhaust the stack.
const cborMaxDepth = 128

type cborReader struct {
	data     []byte
	position int
}

var errCBORTruncated = errors.New("the CBOR item is truncated")

func (c *cborReader) take(n uint64) ([]byte, error) {
	if n > uint64(len(c.data)-c.position) {
		return nil, errCBORTruncated
	}
	start := c.position
	c.position += int(n)
	return c.data[start:c.position], nil
}

// head reads an item's initial byte and argument: major type, additional info, argument.
func (c *cborReader) head() (byte, byte, uint64, error) {
	first, err := c.take(1)
	if err != nil {
		return 0, 0, 0, err
	}
	major, info := first[0]>>5, first[0]&0x1f
	var size uint64
	switch {
	case info < 24:
		return major, info, uint64(info), nil
	case info == 24:
		size = 1
	case info == 25:
		size = 2
	case info == 26:
		size = 4
	case info == 27:
		size = 8
	case info == 31:
		return major, info, 0, nil
	default:
		return 0, 0, 0, fmt.Errorf("reserved CBOR additional information %d", info)
	}
	bytes, err := c.take(size)
	if err != nil {
		return 0, 0, 0, err
	}
	var argument uint64
	for _, b := range bytes {
		argument = argument<<8 | uint64(b)
	}
	return major, info, argument, nil
}

// isBreak reports (and consumes) the "break" that ends an indefinite-length item.
func (c *cborReader) isBreak() (bool, error) {
	if c.position >= len(c.data) {
		return false, errCBORTruncated
	}
	if c.data[c.position] == 0xff {
		c.position++
		return true, nil
	}
	return false, nil
}

func (c *cborReader) item(out []byte, depth int) ([]byte, error) {
	if depth > cborMaxDepth {
		return nil, fmt.Errorf("the CBOR item nests deeper than %d", cborMaxDepth)
	}
	major, info, argument, err := c.head()
	if err != nil {
		return nil, err
	}
	indefinite := info == 31
	if indefinite && (major == 0 || major == 1 || major == 6) {
		return nil, fmt.Errorf("CBOR major type %d cannot have an indefinite length", major)
	}
	switch major {
	case 0:
		return strconv.AppendUint(out, argument, 10), nil
	case 1:
		if argument == math.MaxUint64 {
			return append(out, "-18446744073709551616"...), nil
		}
		return append(append(out, '-'), strconv.FormatUint(argument+1, 10)...), nil
	case 2, 3:
		text, err := c.stringBody(major, indefinite, argument)
		if err != nil {
			return nil, err
		}
		if major == 2 {
			quoted, err := json.Marshal(base64.StdEncoding.EncodeToString(text))
			return append(out, quoted...), err
		}
		if !utf8.Valid(text) {
			return nil, errors.New("a CBOR text string is not UTF-8")
		}
		quoted, err := JSON.Encode(string(text))
		return append(out, quoted...), err
	case 4:
		out = append(out, '[')
		for i := uint64(0); indefinite || i < argument; i++ {
			if indefinite {
				if done, err := c.isBreak(); err != nil || done {
					return append(out, ']'), err
				}
			}
			if i > 0 {
				out = append(out, ',')
			}
			if out, err = c.item(out, depth+1); err != nil {
				return nil, err
			}
		}
		return append(out, ']'), nil
	case 5:
		out = append(out, '{')
		for i := uint64(0); indefinite || i < argument; i++ {
			if indefinite {
				if done, err := c.isBreak(); err != nil || done {
					return append(out, '}'), err
				}
			}
			if i > 0 {
				out = append(out, ',')
			}
			if out, err = c.key(out, depth+1); err != nil {
				return nil, err
			}
			out = append(out, ':')
			if out, err = c.item(out, depth+1); err != nil {
				return nil, err
			}
		}
		return append(out, '}'), nil
	case 6:
		return c.item(out, depth+1)
	}
	return c.simple(out, info, argument)
}

// stringBody reads a byte or text string's bytes, joining the chunks of an indefinite one.
func (c *cborReader) stringBody(major byte, indefinite bool, length uint64) ([]byte, error) {
	if !indefinite {
		return c.take(length)
	}
	var joined []byte
	for {
		if done, err := c.isBreak(); err != nil || done {
			return joined, err
		}
		chunkMajor, info, n, err := c.head()
		if err != nil {
			return nil, err
		}
		if chunkMajor != major || info == 31 {
			return nil, errors.New("a chunk of an indefinite CBOR string has another type")
		}
		chunk, err := c.take(n)
		if err != nil {
			return nil, err
		}
		joined = append(joined, chunk...)
	}
}

// key writes a map key as a JSON string: text as it is, numbers and booleans as their text.
func (c *cborReader) key(out []byte, depth int) ([]byte, error) {
	if c.position < len(c.data) && c.data[c.position]>>5 == 3 {
		return c.item(out, depth)
	}
	value, err := c.item(nil, depth)
	if err != nil {
		return nil, err
	}
	if len(value) == 0 || value[0] == '"' || value[0] == '[' || value[0] == '{' || string(value) == "null" {
		return nil, errors.New("a CBOR map key is not a text string, number or boolean")
	}
	quoted, err := JSON.Encode(string(value))
	return append(out, quoted...), err
}

// simple writes major type 7: false, true, null, undefined and floats.
func (c *cborReader) simple(out []byte, info byte, argument uint64) ([]byte, error) {
	var f float64
	switch info {
	case 20:
		return append(out, "false"...), nil
	case 21:
		return append(out, "true"...), nil
	case 22, 23:
		return append(out, "null"...), nil
	case 25:
		f = halfToFloat(uint16(argument))
	case 26:
		f = float64(math.Float32frombits(uint32(argument)))
	case 27:
		f = math.Float64frombits(argument)
	case 31:
		return nil, errors.New("an unexpected CBOR break")
	default:
		return nil, fmt.Errorf("the CBOR simple value %d has no JSON form", argument)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, errors.New("a CBOR float is NaN or infinite, which JSON cannot hold")
	}
	// A float stays a float in JSON (5.0, not 5), so it does not decode as an integer, as
	// it would not from CBOR in the Rust SDK.
	start := len(out)
	out = strconv.AppendFloat(out, f, 'g', -1, 64)
	if !bytes.ContainsAny(out[start:], ".e") {
		out = append(out, ".0"...)
	}
	return out, nil
}

// halfToFloat widens an IEEE 754 half-precision float.
func halfToFloat(half uint16) float64 {
	sign := 1.0
	if half&0x8000 != 0 {
		sign = -1
	}
	exponent := int(half>>10) & 0x1f
	mantissa := float64(half & 0x3ff)
	switch exponent {
	case 0:
		return sign * math.Ldexp(mantissa, -24)
	case 31:
		if mantissa == 0 {
			return math.Inf(int(sign))
		}
		return math.NaN()
	}
	return sign * math.Ldexp(mantissa+1024, exponent-25)
}
