package datasource

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/azdo"
)

// The state categories of a connection's project are cached per connection. They come
// only from the states API (GET …/wit/workitemtypes/{type}/states), never from state
// names: a full reload lists the project's types and asks for the states of each, when
// the connection is created or reconnected, on "Sync now" and once a day. When a synced
// item has a type or state the cache does not know, only the states of that item's type
// are asked for again. A regular sync makes no metadata calls.

// typesFreshFor is how long cached state categories are used before a sync reloads them.
const typesFreshFor = 24 * time.Hour

// missRetryEvery is how long a type and state that the last reload did not know (an item
// left in a state its process no longer has) is taken as category-less before the next
// reload tries again.
const missRetryEvery = time.Hour

// typeCache is a connection's cached state categories.
type typeCache struct {
	// FetchedAt is the last full reload.
	FetchedAt time.Time `json:"fetched_at"`
	// CheckedAt is the last reload, full or of some types only; zero means FetchedAt.
	CheckedAt time.Time `json:"checked_at,omitzero"`
	// Categories maps lower-case type and state names to the state's category.
	Categories categories `json:"categories"`
	// Types are the lower-case names of the project's types, with or without states.
	Types []string `json:"types"`
	// Missing are the "type/state" pairs (lower case) of synced items that the reload at
	// CheckedAt did not find.
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

// stale reports whether the cache needs a full reload: it is missing, older than
// typesFreshFor, or from the future.
func (tc *typeCache) stale(now time.Time) bool {
	return tc == nil || now.Sub(tc.FetchedAt) >= typesFreshFor || now.Before(tc.FetchedAt.Add(-time.Hour))
}

// checked is when the cache was last reloaded, fully or in part.
func (tc *typeCache) checked() time.Time {
	if tc.CheckedAt.After(tc.FetchedAt) {
		return tc.CheckedAt
	}
	return tc.FetchedAt
}

// due reports whether a sync must reload the categories to evaluate the items: when the
// cache is missing or stale, or an item's type and state is unknown and was not already
// looked for within missRetryEvery.
func (tc *typeCache) due(items map[int]*cairn.MirrorItem, now time.Time) bool {
	if tc.stale(now) {
		return true
	}
	missed := map[string]bool{}
	if now.Sub(tc.checked()) < missRetryEvery {
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

// fetchStates reads the state categories of the named types into cats, one states call
// per type. Types that do not exist (any more) are skipped; found returns the lower-case
// names of those that do.
func fetchStates(ctx context.Context, c *azdo.Client, project string, types []string, cats categories) (found []string, err error) {
	for _, t := range types {
		states, err := c.States(ctx, project, t)
		if errors.Is(err, azdo.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		delete(cats, strings.ToLower(t))
		for _, st := range states {
			cats.add(t, st.Name, st.Category)
		}
		found = append(found, strings.ToLower(t))
	}
	return found, nil
}

// refreshTypeCache reloads and stores a connection's state categories. A full reload
// (full, or no usable cache in prev) lists the project's types and reads the states of
// each; otherwise only the types of the items' unknown type/state pairs are read again
// and merged into prev. items, when given, name the pairs to remember as missing.
func refreshTypeCache(ctx context.Context, store cairn.Store, c *azdo.Client, project string, connectionID int64,
	prev *typeCache, full bool, items map[int]*cairn.MirrorItem, now time.Time, log *slog.Logger) (*typeCache, error) {
	now = now.UTC()
	var tc *typeCache
	if full || prev.stale(now) {
		ts, err := c.WorkItemTypes(ctx, project)
		if err != nil {
			return nil, err
		}
		names := make([]string, 0, len(ts))
		for _, t := range ts {
			names = append(names, t.Name)
		}
		cats := categories{}
		found, err := fetchStates(ctx, c, project, names, cats)
		if err != nil {
			return nil, err
		}
		sort.Strings(found)
		tc = &typeCache{FetchedAt: now, Categories: cats, Types: found}
	} else {
		tc = &typeCache{FetchedAt: prev.FetchedAt, CheckedAt: now, Categories: categories{}, Types: slices.Clone(prev.Types)}
		for t, sts := range prev.Categories {
			tc.Categories[t] = maps.Clone(sts)
		}
		// The types with a pair the cache lacks, but for pairs already looked for lately.
		recent := map[string]bool{}
		if now.Sub(prev.checked()) < missRetryEvery {
			for _, p := range prev.Missing {
				recent[p] = true
			}
		}
		var need []string
		for _, t := range typesOf(items) {
			if slices.ContainsFunc(prev.Categories.missing(itemsOfType(items, t)), func(p string) bool { return !recent[p] }) {
				need = append(need, t)
			}
		}
		found, err := fetchStates(ctx, c, project, need, tc.Categories)
		if err != nil {
			return nil, err
		}
		for _, t := range found {
			if !slices.Contains(tc.Types, t) {
				tc.Types = append(tc.Types, t)
			}
		}
		sort.Strings(tc.Types)
	}
	tc.Missing = tc.Categories.missing(items)
	if err := saveTypeCache(ctx, store, connectionID, tc); err != nil {
		log.WarnContext(ctx, "could not cache the work item types", slog.Int64("connection", connectionID), slog.String("err", err.Error()))
	}
	return tc, nil
}

// itemsOfType returns the items of a type (case-insensitive).
func itemsOfType(items map[int]*cairn.MirrorItem, typ string) map[int]*cairn.MirrorItem {
	out := map[int]*cairn.MirrorItem{}
	for id, m := range items {
		if strings.EqualFold(m.Type, typ) {
			out[id] = m
		}
	}
	return out
}

// cacheTypes loads the state categories of a connection just verified, so that its
// syncs need no metadata calls. A failure only costs a call at the first sync.
func (s *Service) cacheTypes(ctx context.Context, cl *azdo.Client, c *cairn.Connection) {
	if _, err := refreshTypeCache(ctx, s.cfg.Store, cl, project(c), c.ID, nil, true, nil, s.cfg.Now(), s.cfg.Log); err != nil {
		s.cfg.Log.WarnContext(ctx, "could not load the work item types", slog.Int64("connection", c.ID), slog.String("err", err.Error()))
	}
}
