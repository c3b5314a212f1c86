package datasource

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/azdo"
)

// The state categories of a connection's project are cached per connection: one
// work-item-types call returns every type with its states, when the connection is
// created or reconnected, on "Sync now", once a day, and when a synced item has a type or
// state the cache does not know. A regular sync then makes no metadata calls.

// typesFreshFor is how long cached state categories are used before a sync reloads them.
const typesFreshFor = 24 * time.Hour

// missRetryEvery is how long a type and state that the last reload did not know (an item
// left in a state its process no longer has) is taken as category-less before the next
// reload tries again.
const missRetryEvery = time.Hour

// typeCache is a connection's cached state categories.
type typeCache struct {
	FetchedAt time.Time `json:"fetched_at"`
	// Categories maps lower-case type and state names to the state's category.
	Categories categories `json:"categories"`
	// Types are the lower-case names of the project's types, with or without states.
	Types []string `json:"types"`
	// Missing are the "type/state" pairs (lower case) of synced items that the reload at
	// FetchedAt did not find.
	Missing []string `json:"missing,omitempty"`
}

func typesKey(connectionID int64) string {
	return "azdo.work_item_types." + strconv.FormatInt(connectionID, 10)
}

func pairKey(typ, state string) string { return strings.ToLower(typ) + "/" + strings.ToLower(state) }

// loadTypeCache returns a connection's cached state categories, or nil when there are
// none or they cannot be read.
func loadTypeCache(ctx context.Context, store cairn.Store, connectionID int64) *typeCache {
	v, err := store.Setting(ctx, typesKey(connectionID))
	if err != nil || v == "" {
		return nil
	}
	var tc typeCache
	if err := json.Unmarshal([]byte(v), &tc); err != nil || tc.Categories == nil {
		return nil
	}
	return &tc
}

// saveTypeCache stores a connection's state categories.
func saveTypeCache(ctx context.Context, store cairn.Store, connectionID int64, tc *typeCache) error {
	data, err := json.Marshal(tc)
	if err != nil {
		return err
	}
	return store.SetSetting(ctx, typesKey(connectionID), string(data))
}

// due reports whether a sync must reload the categories to evaluate the items: when the
// cache is missing or stale, or an item's type and state is unknown and was not already
// looked for within missRetryEvery.
func (tc *typeCache) due(items map[int]*cairn.MirrorItem, now time.Time) bool {
	if tc == nil || now.Sub(tc.FetchedAt) >= typesFreshFor || now.Before(tc.FetchedAt.Add(-time.Hour)) {
		return true
	}
	missed := map[string]bool{}
	if now.Sub(tc.FetchedAt) < missRetryEvery {
		for _, p := range tc.Missing {
			missed[p] = true
		}
	}
	for _, m := range items {
		if m.Type == "" {
			continue
		}
		if _, ok := tc.Categories.of(m.Type, m.State); !ok && !missed[pairKey(m.Type, m.State)] {
			return true
		}
	}
	return false
}

// hasType reports whether the cache knows the work item type.
func (tc *typeCache) hasType(name string) bool {
	return tc != nil && slices.Contains(tc.Types, strings.ToLower(name))
}

// missing returns the sorted type/state pairs of the items that the categories lack.
func (c categories) missing(items map[int]*cairn.MirrorItem) []string {
	set := map[string]bool{}
	for _, m := range items {
		if m.Type == "" {
			continue
		}
		if _, ok := c.of(m.Type, m.State); !ok {
			set[pairKey(m.Type, m.State)] = true
		}
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// fetchCategories reads the state categories of every type of a project with one
// work-item-types call. Only when the server omits a type's states are they asked for
// separately, for the types in need.
func fetchCategories(ctx context.Context, c *azdo.Client, project string, need []string) (categories, []string, error) {
	ts, err := c.WorkItemTypes(ctx, project)
	if err != nil {
		return nil, nil, err
	}
	cats := categories{}
	exists := map[string]bool{}
	names := make([]string, 0, len(ts))
	for _, t := range ts {
		exists[strings.ToLower(t.Name)] = true
		names = append(names, strings.ToLower(t.Name))
		for _, st := range t.States {
			cats.add(t.Name, st.Name, st.Category)
		}
	}
	sort.Strings(names)
	for _, t := range need {
		if !exists[strings.ToLower(t)] || cats[strings.ToLower(t)] != nil {
			continue
		}
		states, err := c.States(ctx, project, t)
		if errors.Is(err, azdo.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		for _, st := range states {
			cats.add(t, st.Name, st.Category)
		}
	}
	return cats, names, nil
}

// refreshTypeCache reloads and stores a connection's state categories; items, when
// given, name the types whose states are needed and the pairs to remember as missing.
func refreshTypeCache(ctx context.Context, store cairn.Store, c *azdo.Client, project string, connectionID int64,
	items map[int]*cairn.MirrorItem, now time.Time, log *slog.Logger) (*typeCache, error) {
	cats, names, err := fetchCategories(ctx, c, project, typesOf(items))
	if err != nil {
		return nil, err
	}
	tc := &typeCache{FetchedAt: now.UTC(), Categories: cats, Types: names, Missing: cats.missing(items)}
	if err := saveTypeCache(ctx, store, connectionID, tc); err != nil {
		log.WarnContext(ctx, "could not cache the work item types", slog.Int64("connection", connectionID), slog.String("err", err.Error()))
	}
	return tc, nil
}

// cacheTypes loads the state categories of a connection just verified, so that its
// syncs need no metadata calls. A failure only costs a call at the first sync.
func (s *Service) cacheTypes(ctx context.Context, cl *azdo.Client, c *cairn.Connection) {
	if _, err := refreshTypeCache(ctx, s.cfg.Store, cl, project(c), c.ID, nil, s.cfg.Now(), s.cfg.Log); err != nil {
		s.cfg.Log.WarnContext(ctx, "could not load the work item types", slog.Int64("connection", c.ID), slog.String("err", err.Error()))
	}
}
