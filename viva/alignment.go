package viva

import (
	"fmt"
	"regexp"
	"strings"
)

// alignSuffixRE finds the "(weight: 14.29%, Id: 2295776)" that ends each alignment. It is loose
// about what stands inside, so that a bad weight or Id gets its own message.
var alignSuffixRE = regexp.MustCompile(`(?i)\(\s*weight\s*:\s*([^,()]*?)\s*,\s*id\s*:\s*([^()]*?)\s*\)`)

// ParseAlignments reads the "Aligned To (weight, Objective ID)" cell of the Explorer export, such
// as "Drive expansion leveraging our AI offering(weight: 14.29%, Id: 2295776)".
//
// Each alignment ends with its "(weight: W%, Id: N)" suffix, and the text before the suffix, back
// to the previous alignment, is the parent's title; titles may therefore hold parentheses and
// commas of their own. Several alignments may stand one per line or be separated by ";" or ",".
// An empty cell has no alignments. Text that no suffix ends, a weight outside 0–100 % or an Id
// that is not a whole number is an error, as is naming the same parent twice.
func ParseAlignments(cell string) ([]Alignment, error) {
	if strings.TrimSpace(cell) == "" {
		return nil, nil
	}
	matches := alignSuffixRE.FindAllStringSubmatchIndex(cell, -1)
	if matches == nil {
		return nil, fmt.Errorf("cannot read alignment %s: each alignment reads like \"Parent title(weight: 14.29%%, Id: 2295776)\"", quote(cell))
	}
	out := make([]Alignment, 0, len(matches))
	seen := map[int64]bool{}
	prev := 0
	for _, m := range matches {
		title := trimSeparators(cell[prev:m[0]])
		weight, err := parseWeight(cell[m[2]:m[3]])
		if err != nil {
			return nil, fmt.Errorf("alignment to %s: %w", quote(title), err)
		}
		id, err := parseID(cell[m[4]:m[5]])
		if err != nil {
			return nil, fmt.Errorf("alignment to %s: %w", quote(title), err)
		}
		if seen[id] {
			return nil, fmt.Errorf("aligns to Id %d twice", id)
		}
		seen[id] = true
		out = append(out, Alignment{ParentID: id, ParentTitle: title, Weight: &weight})
		prev = m[1]
	}
	if rest := trimSeparators(cell[prev:]); rest != "" {
		return nil, fmt.Errorf("cannot read %s after the last alignment: each alignment ends with \"(weight: W%%, Id: N)\"", quote(rest))
	}
	return out, nil
}

// trimSeparators trims white space, and the separators that may stand between alignments from
// the front.
func trimSeparators(s string) string {
	s = strings.TrimSpace(s)
	for s != "" && (s[0] == ';' || s[0] == ',' || s[0] == '|') {
		s = strings.TrimSpace(s[1:])
	}
	return s
}
