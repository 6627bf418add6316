package serve

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/go-json-experiment/json/jsontext"
)

// tensorData is the flat "data" array of a request's input, decoded in
// one pass from the token stream (no intermediate values): numbers, with
// null as missing (NaN), or strings, with null as missing (""). Which of
// the two the input must hold is known only from its "datatype", which
// may come after "data"; so nulls are kept in both forms and a mix of
// numbers and strings is an error.
type tensorData struct {
	numbers []float64 // every value when no string was seen
	texts   []string  // every value when no number was seen
	sawNum  bool      // a number was seen
	sawText bool      // a string was seen
	hint    int       // the number of values expected, if known
}

// reset empties d, keeping its slices' memory for the next request.
func (d *tensorData) reset() {
	*d = tensorData{numbers: d.numbers[:0], texts: d.texts[:0]}
}

// UnmarshalJSONFrom decodes the array.
func (d *tensorData) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	if tok.Kind() != '[' {
		return errors.New("want a flat array")
	}
	hint := d.hint
	d.reset()
	for i := 0; dec.PeekKind() != ']'; i++ {
		tok, err := dec.ReadToken()
		if err != nil {
			return err
		}
		switch tok.Kind() {
		case 'n':
			d.numbers = append(d.numbers, math.NaN())
			d.texts = append(d.texts, "")
		case '0':
			if d.sawText {
				return errors.New("an array mixing numbers and strings")
			}
			if !d.sawNum && hint > cap(d.numbers) {
				d.numbers = slices.Grow(d.numbers, hint-len(d.numbers))
			}
			v, err := tok.Float()
			if err != nil {
				return fmt.Errorf("value %d: %v", i, err)
			}
			d.sawNum = true
			d.numbers = append(d.numbers, v)
		case '"':
			if d.sawNum {
				return errors.New("an array mixing numbers and strings")
			}
			if !d.sawText && hint > cap(d.texts) {
				d.texts = slices.Grow(d.texts, hint-len(d.texts))
			}
			d.sawText = true
			d.texts = append(d.texts, tok.String())
		default:
			return fmt.Errorf("value %d: want a number, a string or null, not %v", i, tok.Kind())
		}
	}
	_, err = dec.ReadToken() // ]
	return err
}

// floats returns the values as numbers, or an error if they are strings.
func (d *tensorData) floats(n int) ([]float64, error) {
	return values(d.numbers, n, d.sawText, "data: want a flat array of numbers or null, got strings")
}

// strings returns the values as strings, or an error if they are numbers.
func (d *tensorData) strings(n int) ([]string, error) {
	return values(d.texts, n, d.sawNum, "data: want a flat array of strings, got numbers")
}

// values returns vs if there are n of them and the array held none of the
// other kind (other; else the error wrongKind).
func values[T float64 | string](vs []T, n int, other bool, wrongKind string) ([]T, error) {
	if other {
		return nil, errors.New(wrongKind)
	}
	if len(vs) != n {
		return nil, fmt.Errorf("%d values for %d rows", len(vs), n)
	}
	return vs, nil
}

// inputList is a request's inputs: items[:n], the structs (and their
// slices) of earlier requests reused.
type inputList struct {
	items []requestInput
	n     int
	// room is how many values may still be made room for up front
	// from shapes that come before their data: what the body can hold
	// in all, less what earlier inputs took.
	room int
	// maxRows bounds one input's up-front room (Options.MaxRows).
	maxRows int
}

// UnmarshalJSONFrom decodes the array of inputs.
func (l *inputList) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	if _, err := readKind(dec, '[', "inputs: want an array"); err != nil {
		return err
	}
	l.n = 0
	for dec.PeekKind() != ']' {
		if dec.PeekKind() == 'n' {
			return fmt.Errorf("input %d is null", l.n)
		}
		if l.n == len(l.items) {
			l.items = append(l.items, requestInput{})
		}
		in := &l.items[l.n]
		// Reset, keeping the slices' memory: an input without "data"
		// or "shape" must not see the last request's.
		*in = requestInput{Shape: in.Shape[:0], Data: in.Data}
		in.Data.reset()
		if err := in.decode(dec, &l.room, l.maxRows); err != nil {
			return err
		}
		l.n++
	}
	_, err := dec.ReadToken() // ]
	return err
}

// decode decodes one input object from the token stream, without
// reflection: it is most of a request's bytes. Unknown members are
// skipped, as encoding/json does; the decoder rejects duplicate names.
// When the shape comes before the data, the values get the room the
// shape says up front (maxRows at most, and what is left of *room, which
// it takes), rather than growing to it.
func (in *requestInput) decode(dec *jsontext.Decoder, room *int, maxRows int) error {
	if _, err := readKind(dec, '{', "want an object"); err != nil {
		return err
	}
	for dec.PeekKind() != '}' {
		name, err := dec.ReadToken()
		if err != nil {
			return err
		}
		switch name.String() {
		case "name":
			in.Name, err = readString(dec, "name")
		case "datatype":
			in.Datatype, err = readString(dec, "datatype")
		case "shape":
			in.Shape, err = readShape(dec, in.Shape[:0])
		case "data":
			if len(in.Shape) > 0 && in.Shape[0] > 0 {
				in.Data.hint = int(min(in.Shape[0], int64(maxRows), int64(*room)))
				*room -= in.Data.hint
			}
			err = in.Data.UnmarshalJSONFrom(dec)
			if err != nil {
				err = fmt.Errorf("data: %w", err)
			}
		default: // parameters, or a member of a later protocol version
			err = dec.SkipValue()
		}
		if err != nil {
			return err
		}
	}
	_, err := dec.ReadToken() // }
	return err
}

// readKind reads the next token and checks that it is of kind want; one of
// another kind is the error "msg, not kind".
func readKind(dec *jsontext.Decoder, want jsontext.Kind, msg string) (jsontext.Token, error) {
	tok, err := dec.ReadToken()
	if err == nil && tok.Kind() != want {
		err = fmt.Errorf("%s, not %v", msg, tok.Kind())
	}
	return tok, err
}

// readString reads a string member's value.
func readString(dec *jsontext.Decoder, member string) (string, error) {
	tok, err := dec.ReadToken()
	if err != nil {
		return "", err
	}
	if tok.Kind() != '"' { // not readKind: its message would cost an allocation per call
		return "", fmt.Errorf("%s: want a string, not %v", member, tok.Kind())
	}
	return tok.String(), nil
}

// readShape reads an array of integers, appending to shape.
func readShape(dec *jsontext.Decoder, shape []int64) ([]int64, error) {
	const msg = "shape: want an array of integers"
	if _, err := readKind(dec, '[', msg); err != nil {
		return nil, err
	}
	for dec.PeekKind() != ']' {
		tok, err := readKind(dec, '0', msg)
		if err != nil {
			return nil, err
		}
		v, err := tok.Int()
		if err != nil {
			return nil, fmt.Errorf("shape: %v", err)
		}
		shape = append(shape, v)
	}
	_, err := dec.ReadToken() // ]
	return shape, err
}
