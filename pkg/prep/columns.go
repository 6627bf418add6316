package prep

import (
	"fmt"
	"slices"
)

// oneHot reports, per input column, whether it is a one-hot column.
func (p *Preprocessing) oneHot() []bool {
	var oh []bool
	for _, f := range p.Schema.Features {
		oh = append(oh, slices.Repeat([]bool{f.Categories != nil}, f.Width())...)
	}
	return oh
}

// dateTails reports, per schema column, whether it is a date column's
// part other than its first: a missing date is missing in every part, and
// its first part alone gets a missing indicator.
func (p *Preprocessing) dateTails() []bool {
	var t []bool
	for _, f := range p.Schema.Features {
		t = append(t, slices.Repeat([]bool{false}, f.Width())...)
		if f.Date != "" {
			for k := 1; k < f.Width(); k++ {
				t[len(t)-k] = true
			}
		}
	}
	return t
}

// inputName is the name of the model's input column j.
func (p *Preprocessing) inputName(j int) string {
	names := p.Schema.Names()
	if j < len(names) {
		return names[j]
	}
	if k := j - len(names); k < len(p.Indicators) {
		return "missing indicator of " + names[p.Indicators[k]]
	}
	return fmt.Sprintf("input %d", j)
}
