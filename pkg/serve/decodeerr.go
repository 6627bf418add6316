package serve

import (
	"errors"
	"reflect"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// requestError says what is wrong with a request body that does not
// decode, in the request's terms — where (a JSON pointer such as
// /inputs/0/shape) and what was wanted there — never in the server's Go
// types.
func requestError(err error) error {
	var se *jsonv2.SemanticError
	var sy *jsontext.SyntacticError
	switch {
	case errors.As(err, &se):
		where := "" // the whole body
		if se.JSONPointer != "" {
			where = " at " + string(se.JSONPointer)
		}
		if se.Err != nil && !errors.Is(se.Err, jsonv2.ErrUnknownName) {
			var inner *jsonv2.SemanticError
			if !errors.As(se.Err, &inner) {
				return badf("malformed request%s: %v", where, se.Err)
			}
		}
		want, got := kindOfType(se.GoType), kindName(se.JSONKind)
		switch {
		case want != "" && got != "":
			return badf("malformed request%s: want %s, not %s", where, want, got)
		case want != "":
			return badf("malformed request%s: want %s", where, want)
		}
		return badf("malformed request%s", where)
	case errors.As(err, &sy):
		return badf("malformed request: not valid JSON at byte %d: %v", sy.ByteOffset, sy.Err)
	}
	return badf("malformed request: %v", err)
}

// kindOfType names the JSON value a Go type decodes from.
func kindOfType(t reflect.Type) string {
	if t == nil {
		return ""
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return ""
}

// kindName names a JSON kind for a message.
func kindName(k jsontext.Kind) string {
	switch k {
	case '"':
		return "a string"
	case '0':
		return "a number"
	case '[':
		return "an array"
	case '{':
		return "an object"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return ""
}
