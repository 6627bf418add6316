package main

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/densetrain/densetrain/pkg/csvdata"
)

// flagHint renders a setting that a library message advises
// (csvdata.Hint, named there as a Go field) as the flag that sets it:
// `--na "?"`, `--ignore '"id,code"'`, `--max-categories`, `--strict`.
func flagHint(h csvdata.Hint) string {
	var flag string
	switch h.Field {
	case "NA":
		flag = "--na"
	case "Categorical":
		flag = "--categorical"
	case "Ignore":
		flag = "--ignore"
	case "MaxCategories":
		flag = "--max-categories"
	case "Float64":
		flag = "--precision f64"
	case "Strict":
		flag = "--strict"
	case "Task":
		flag = "--task"
	case "Cache":
		flag = "--cache"
	default: // a setting the command has no flag for
		return csvdata.GoHint("Config", h)
	}
	if h.Value != "" {
		flag += " " + flagValue(h.Value)
	}
	return flag
}

// flagValue quotes an item of a list flag (a column name, a missing-value
// token) for a command line that a user can paste into bash, as parseList reads it:
// quoted as a CSV field when it holds a comma, a quote or a line break
// ("id,code"), then for the shell when it holds
// characters the shell would interpret: in double quotes when that is
// enough ("?"), in single quotes otherwise ('"id,code"'), and as $'…'
// with escapes when it holds control characters, so that it stays on one
// line. A plain name stays plain: id.
func flagValue(s string) string {
	if s == "" || strings.ContainsAny(s, ",\"\r\n") {
		s = `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return shellQuote(s)
}

// shellQuote quotes s for a POSIX shell, as flagValue describes.
func shellQuote(s string) string {
	if !utf8.ValidString(s) {
		return ansiQuote(s)
	}
	plain, double := true, true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x20 || c == 0x7f:
			return ansiQuote(s)
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("_-.,/:@%+=", c) >= 0:
		case strings.IndexByte("$`\\\"!", c) >= 0:
			plain, double = false, false
		default:
			plain = false
		}
	}
	switch {
	case plain && s != "":
		return s
	case double:
		return `"` + s + `"`
	}
	return `'` + strings.ReplaceAll(s, `'`, `'\''`) + `'`
}

// ansiQuote quotes s as bash's $'…', escaping control characters and bytes
// that are not UTF-8.
func ansiQuote(s string) string {
	var b strings.Builder
	b.WriteString("$'")
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\'' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f || r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[0])
		default:
			b.WriteString(s[:n])
		}
		s = s[n:]
	}
	b.WriteByte('\'')
	return b.String()
}
