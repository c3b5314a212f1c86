package datasource

import (
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
)

func TestTypeCacheDue(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC)
	cats := categories{}
	cats.add("User Story", "Active", "InProgress")
	cats.add("User Story", "Closed", "Completed")
	story := func(state string) map[int]*cairn.MirrorItem {
		return map[int]*cairn.MirrorItem{1: {ID: 1, Type: "user story", State: state}}
	}
	for _, tc := range []struct {
		name  string
		cache *typeCache
		items map[int]*cairn.MirrorItem
		want  bool
	}{
		{name: "NoCacheReloads", cache: nil, items: story("Active"), want: true},
		{name: "FreshCacheCoveringItemsServes", cache: &typeCache{FetchedAt: now.Add(-time.Hour), Categories: cats}, items: story("Active"), want: false},
		{name: "DayOldCacheReloads", cache: &typeCache{FetchedAt: now.Add(-25 * time.Hour), Categories: cats}, items: story("Active"), want: true},
		{name: "CacheFromTheFutureReloads", cache: &typeCache{FetchedAt: now.Add(2 * time.Hour), Categories: cats}, items: story("Active"), want: true},
		{name: "UnknownStateReloads", cache: &typeCache{FetchedAt: now.Add(-time.Minute), Categories: cats}, items: story("Resolved"), want: true},
		{name: "UnknownTypeReloads", cache: &typeCache{FetchedAt: now.Add(-time.Minute), Categories: cats},
			items: map[int]*cairn.MirrorItem{2: {ID: 2, Type: "Chore", State: "Active"}}, want: true},
		{name: "RecentlyMissedStateWaits", cache: &typeCache{FetchedAt: now.Add(-time.Minute), Categories: cats, Missing: []string{"user story/resolved"}},
			items: story("Resolved"), want: false},
		{name: "LongMissedStateRetries", cache: &typeCache{FetchedAt: now.Add(-2 * time.Hour), Categories: cats, Missing: []string{"user story/resolved"}},
			items: story("Resolved"), want: true},
		{name: "ItemsWithoutTypeServe", cache: &typeCache{FetchedAt: now, Categories: cats}, items: map[int]*cairn.MirrorItem{3: {ID: 3}}, want: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := tc.cache.due(tc.items, now); got != tc.want {
				t.Fatalf("due = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestTypeCacheHasType(t *testing.T) {
	t.Parallel()
	tc := &typeCache{Types: []string{"bug", "user story"}}
	for _, c := range []struct {
		name  string
		cache *typeCache
		typ   string
		want  bool
	}{
		{"KnownTypeAnyCase", tc, "User Story", true},
		{"UnknownType", tc, "Story", false},
		{"NoCache", nil, "Bug", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := c.cache.hasType(c.typ); got != c.want {
				t.Fatalf("hasType(%q) = %v, want %v", c.typ, got, c.want)
			}
		})
	}
}
