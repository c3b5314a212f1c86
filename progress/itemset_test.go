package progress_test

import (
	"slices"
	"testing"

	"github.com/cairn-okr/cairn/progress"
)

func TestDescendants(t *testing.T) {
	t.Parallel()
	tree := map[int][]int{1: {10, 11}, 10: {100, 101}, 11: {102}, 2: {20}}
	tests := []struct {
		name     string
		roots    []int
		children map[int][]int
		want     []int
	}{
		{"NoRoots", nil, tree, nil},
		{"LeafRootIncluded", []int{100}, tree, []int{100}},
		{"RecursiveDepthFirst", []int{1}, tree, []int{1, 10, 100, 101, 11, 102}},
		{"SeveralRootsInGivenOrder", []int{2, 1}, tree, []int{2, 20, 1, 10, 100, 101, 11, 102}},
		{"RootBelowAnotherRootOnce", []int{1, 10}, tree, []int{1, 10, 100, 101, 11, 102}},
		{"DuplicateRootsOnce", []int{2, 2}, tree, []int{2, 20}},
		{"SharedChildOnce", []int{1}, map[int][]int{1: {2, 3}, 2: {4}, 3: {4}}, []int{1, 2, 4, 3}},
		{"CycleSafe", []int{1}, map[int][]int{1: {2}, 2: {3}, 3: {1}}, []int{1, 2, 3}},
		{"SelfLoopSafe", []int{5}, map[int][]int{5: {5}}, []int{5}},
		{"NilChildren", []int{3, 4}, nil, []int{3, 4}},
		{"NonPositiveIDsSkipped", []int{0, 1}, map[int][]int{1: {-1, 2}}, []int{1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := progress.Descendants(tt.roots, tt.children); !slices.Equal(got, tt.want) {
				t.Errorf("Descendants(%v) = %v, want %v", tt.roots, got, tt.want)
			}
		})
	}
}

func TestLinkEnds(t *testing.T) {
	t.Parallel()
	const fwd = "System.LinkTypes.Hierarchy-Forward"
	tests := []struct {
		name string
		rows []progress.Relation
		want []int
	}{
		{"NoRows", nil, []int{}},
		{"RootRowsTargetOnly", []progress.Relation{{Target: 5}, {Target: 3}}, []int{5, 3}},
		{"BothEndsOfLinks", []progress.Relation{{Target: 1}, {Source: 1, Target: 10, Rel: fwd}, {Source: 1, Target: 11, Rel: fwd}},
			[]int{1, 10, 11}},
		{"SourceNotReturnedAsRootStillCounts", []progress.Relation{{Source: 7, Target: 8, Rel: fwd}}, []int{7, 8}},
		{"Deduplicated", []progress.Relation{{Target: 1}, {Source: 1, Target: 2, Rel: fwd}, {Target: 2}, {Source: 3, Target: 2, Rel: "System.LinkTypes.Related"}},
			[]int{1, 2, 3}},
		{"ZeroTargetSkipped", []progress.Relation{{Source: 4, Target: 0}}, []int{4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := progress.LinkEnds(tt.rows); !slices.Equal(got, tt.want) {
				t.Errorf("LinkEnds(%v) = %v, want %v", tt.rows, got, tt.want)
			}
		})
	}
}
