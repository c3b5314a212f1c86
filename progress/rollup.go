package progress

// Child is one key result or initiative as seen by its parent's roll-up.
type Child struct {
	// Progress is the child's progress as a fraction.
	Progress float64
	// Weight is the child's relative weight. Zero, negative or NaN counts as 1, so
	// that weights default to equal and a forgotten weight never silences a child.
	Weight float64
	// Contributes reports whether the child counts towards its parent. Initiatives
	// may be configured not to.
	Contributes bool
}

// RollUp returns the weighted average progress of the contributing children.
//
// ok is false when no child contributes: the parent then has no progress of its own
// and callers show it as not started. A child whose Progress is NaN or infinite counts
// as 0 so that one broken value cannot poison the whole objective.
func RollUp(children []Child) (progress float64, ok bool) {
	var sum, total float64
	for _, c := range children {
		if !c.Contributes {
			continue
		}
		w := c.Weight
		if !(w > 0) || !finite(w) {
			w = 1
		}
		p := c.Progress
		if !finite(p) {
			p = 0
		}
		sum += w * p
		total += w
		ok = true
	}
	if !ok {
		return 0, false
	}
	return sum / total, true
}
