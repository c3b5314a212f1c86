package progress

// Relation is one row of a link query's result: a link from Source to Target. Root
// rows, which name a starting item without a link, have Source 0.
type Relation struct {
	// Source is the id of the link's source item, or 0 for a root row.
	Source int
	// Target is the id of the link's target item.
	Target int
	// Rel is the link type reference name, such as
	// "System.LinkTypes.Hierarchy-Forward"; empty for root rows.
	Rel string
}

// Descendants returns the item set of the work-items method: the roots and all of
// their descendants through children, recursively.
//
// The order is depth first, each item before its children, roots and children in
// the order given. Every id appears once, so cycles and items reachable along several
// paths are harmless. Ids of 0 or less are skipped.
func Descendants(roots []int, children map[int][]int) []int {
	seen := make(map[int]bool)
	var out, stack []int
	for _, root := range roots {
		stack = append(stack[:0], root)
		for len(stack) > 0 {
			id := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if id <= 0 || seen[id] {
				continue
			}
			seen[id] = true
			out = append(out, id)
			c := children[id]
			for k := len(c) - 1; k >= 0; k-- {
				if !seen[c[k]] {
					stack = append(stack, c[k])
				}
			}
		}
	}
	return out
}

// LinkEnds returns the item set of a link query: both ends of every link row, and
// the target of every root row.
//
// Ids appear once, in the order they are first met (source before target within a
// row). Ids of 0 or less are skipped.
func LinkEnds(rows []Relation) []int {
	seen := make(map[int]bool, len(rows))
	out := make([]int, 0, len(rows))
	add := func(id int) {
		if id > 0 && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	for _, r := range rows {
		add(r.Source)
		add(r.Target)
	}
	return out
}
