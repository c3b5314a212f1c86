package datasource

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/auth"
	"github.com/cairn-okr/cairn/azdo"
	"github.com/cairn-okr/cairn/progress"
	"golang.org/x/oauth2"
)

// Store is what the sync engine and the integration service need of the database.
type Store interface {
	cairn.Store
	cairn.IntegrationStore
}

// SyncerConfig configures a Syncer.
type SyncerConfig struct {
	Store   Store
	Sealer  *auth.Sealer
	Clients ClientConfig
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	Log *slog.Logger
	// Overlap is how far before the first sync the changed-since feed starts, to absorb
	// clock skew between Cairn and Azure DevOps; 10 minutes when zero.
	Overlap time.Duration
	// OnSynced, when set, is called after each sync with its report (metrics, tests).
	OnSynced func(r *Report)
	// MirrorCacheItems bounds the mirrored work items kept in memory across connections
	// between syncs; 200,000 when zero, none when negative.
	MirrorCacheItems int
}

// Syncer syncs connections: the engine behind jobs, "sync now" and the demo.
type Syncer struct {
	cfg   SyncerConfig
	mu    sync.Mutex
	locks map[int64]*sync.Mutex
	// mirror is nil when MirrorCacheItems is negative.
	mirror *mirrorCache
}

// NewSyncer returns a Syncer.
func NewSyncer(cfg SyncerConfig) *Syncer {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Overlap <= 0 {
		cfg.Overlap = 10 * time.Minute
	}
	s := &Syncer{cfg: cfg, locks: map[int64]*sync.Mutex{}}
	switch {
	case cfg.MirrorCacheItems == 0:
		s.mirror = newMirrorCache(defaultMirrorCacheItems)
	case cfg.MirrorCacheItems > 0:
		s.mirror = newMirrorCache(cfg.MirrorCacheItems)
	}
	return s
}

// Report is what one connection sync did.
type Report struct {
	ConnectionID int64
	Trigger      string
	StartedAt    time.Time
	FinishedAt   time.Time
	// Calls counts Azure DevOps HTTP attempts by route; CallCount is their total.
	Calls     map[string]int
	CallCount int
	// ItemsFetched is how many work items were fetched in batches.
	ItemsFetched int
	Sources      []SourceReport
	// Deferred reports that Azure DevOps asked Cairn to wait; nothing failed and the
	// sync should run again later.
	Deferred bool
	// Skipped reports that no data source of the connection is active.
	Skipped bool
	// NotDue reports that SyncIfDue found the connection not due (another sync finished
	// since the schedule saw it due): it did nothing.
	NotDue bool
	// Superseded reports that a sync of the connection that started later was applied
	// first, so this one wrote nothing: its values were older.
	Superseded bool
}

// SourceReport is one data source's outcome in a sync.
type SourceReport struct {
	DataSourceID int64
	Value        *float64
	// CheckIn reports that the value changed and a check-in was written.
	CheckIn bool
	Error   *cairn.SyncError
}

// Source returns the report of one data source, or nil.
func (r *Report) Source(id int64) *SourceReport {
	for i := range r.Sources {
		if r.Sources[i].DataSourceID == id {
			return &r.Sources[i]
		}
	}
	return nil
}

func (s *Syncer) lock(id int64) func() {
	s.mu.Lock()
	l := s.locks[id]
	if l == nil {
		l = &sync.Mutex{}
		s.locks[id] = l
	}
	s.mu.Unlock()
	l.Lock()
	return l.Unlock
}

// callCounter counts HTTP attempts by route; the client may call it concurrently.
type callCounter struct {
	mu    sync.Mutex
	calls map[string]int
}

func (c *callCounter) on(route string, _ int) {
	c.mu.Lock()
	c.calls[route]++
	c.mu.Unlock()
}

func (c *callCounter) snapshot() (map[string]int, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := maps.Clone(c.calls)
	n := 0
	for _, v := range m {
		n += v
	}
	return m, n
}

// Sync syncs every active data source of the connection: it refreshes the mirror, computes
// each value with the rules of package progress, and writes check-ins, tasks, state and
// the sync log in one transaction. Failures of Azure DevOps are recorded on the data
// sources with guidance, keeping their last good values; the returned error is for
// failures of Cairn itself, or ENOTFOUND when the connection is gone.
func (s *Syncer) Sync(ctx context.Context, connectionID int64, trigger string) (*Report, error) {
	return s.run(ctx, connectionID, trigger, false)
}

// SyncIfDue syncs the connection only when it is still due (see DueConnections): a sync
// the schedule queued does nothing when another one finished after the schedule looked,
// and reports NotDue.
func (s *Syncer) SyncIfDue(ctx context.Context, connectionID int64, trigger string) (*Report, error) {
	return s.run(ctx, connectionID, trigger, true)
}

func (s *Syncer) run(ctx context.Context, connectionID int64, trigger string, ifDue bool) (*Report, error) {
	unlock := s.lock(connectionID)
	defer unlock()
	rep, err := s.sync(ctx, connectionID, trigger, ifDue)
	if err == nil && s.cfg.OnSynced != nil {
		s.cfg.OnSynced(rep)
	}
	return rep, err
}

// due reports whether the connection is due at now as the schedule sees it: never
// synced, asked for a sync, or its organization's interval has passed since its last
// sync.
func due(plan *cairn.SyncPlan, now time.Time) bool {
	c := plan.Connection
	if c.LastSyncAt == nil || c.SyncRequestedAt != nil || plan.Integration == nil {
		return true
	}
	return now.Sub(*c.LastSyncAt) >= time.Duration(plan.Integration.SyncIntervalMinutes)*time.Minute
}

// apply writes a sync's outcome. A sync that a later one overtook writes nothing and is
// no failure.
func (s *Syncer) apply(ctx context.Context, w *cairn.SyncWrite, rep *Report) error {
	err := s.cfg.Store.ApplySync(ctx, w)
	if errors.Is(err, cairn.ErrSyncSuperseded) {
		rep.Superseded = true
		s.cfg.Log.InfoContext(ctx, "azure devops sync superseded by a later one; its older values were not written",
			slog.Int64("connection", w.ConnectionID), slog.Time("started", w.StartedAt))
		return nil
	}
	return err
}

func (s *Syncer) sync(ctx context.Context, connectionID int64, trigger string, ifDue bool) (*Report, error) {
	start := s.cfg.Now().UTC()
	rep := &Report{ConnectionID: connectionID, Trigger: trigger, StartedAt: start, Calls: map[string]int{}}
	held := s.mirror.get(connectionID)
	var heldVersion int64
	if held != nil {
		heldVersion = held.version
	}
	plan, err := s.cfg.Store.SyncPlan(ctx, connectionID, heldVersion)
	if err != nil {
		return nil, err
	}
	conn := plan.Connection
	// revs is the revision of every mirrored item; cached the mirror's items when this
	// process holds the current mirror.
	revs := plan.MirrorRevs
	var cached map[int]*cairn.MirrorItem
	switch {
	case revs == nil && held != nil:
		cached = held.items
		revs = make(map[int]int, len(cached))
		for id, m := range cached {
			revs[id] = m.Rev
		}
	case revs == nil:
		revs = map[int]int{}
	case held != nil:
		s.mirror.drop(connectionID)
	}
	if ifDue && !due(plan, start) {
		rep.NotDue = true
		rep.FinishedAt = s.cfg.Now().UTC()
		return rep, nil
	}
	w := &cairn.SyncWrite{ConnectionID: connectionID, StartedAt: start, ClearRequest: true, MirrorVersion: conn.MirrorVersion}
	var active []*cairn.PlannedSource
	for _, ps := range plan.Sources {
		if ps.Paused || ps.PeriodClosed || !plan.Integration.Active {
			continue
		}
		active = append(active, ps)
	}
	if len(active) == 0 {
		rep.Skipped = true
		w.FinishedAt = s.cfg.Now().UTC()
		rep.FinishedAt = w.FinishedAt
		return rep, s.apply(ctx, w, rep)
	}
	counter := &callCounter{calls: map[string]int{}}
	var client *azdo.Client
	finish := func() error {
		if client != nil {
			// Record the version negotiated when the server refused the stored one or
			// after an upgrade of Azure DevOps Server, or the one a connection made
			// before versions were recorded turned out to use.
			if v, ok := client.KnownAPIVersion(); ok && v != conn.APIVersion {
				w.APIVersion = v
			}
		}
		w.FinishedAt = s.cfg.Now().UTC()
		if client != nil {
			_, calls := counter.snapshot()
			if err := saveRateLimit(ctx, s.cfg.Store, connectionID, client, calls, w.FinishedAt); err != nil {
				s.cfg.Log.WarnContext(ctx, "could not keep the rate-limit budget", slog.Int64("connection", connectionID), slog.String("err", err.Error()))
			}
		}
		rep.FinishedAt = w.FinishedAt
		rep.Calls, rep.CallCount = counter.snapshot()
		for _, sw := range w.Sources {
			if sw.Run != nil {
				sw.Run.APICalls, sw.Run.APICallCount = rep.Calls, rep.CallCount
			}
		}
		return s.apply(ctx, w, rep)
	}
	// failAll records one error on every active data source and keeps their values. The
	// mirror and the watermark stay as they were, so that the next sync sees every change.
	failAll := func(err error, what string) (*Report, error) {
		w.Upserts, w.Deletes, w.Categories, w.CategoryTypes, w.MirrorFields = nil, nil, nil, nil, nil
		w.WatermarkToken, w.WatermarkTime, w.Sources = "", nil, nil
		rep.Sources = nil
		if errors.Is(err, azdo.ErrThrottled) {
			rep.Deferred = true
			w.ClearRequest = false
			for _, ps := range active {
				w.Sources = append(w.Sources, &cairn.SourceWrite{DataSourceID: ps.ID, OrgID: ps.OrgID, Target: ps.Target,
					Run: &cairn.SyncRun{Trigger: trigger, ItemCount: ps.ItemCount, ValueBefore: ps.Value, ValueAfter: ps.Value}})
			}
			return rep, finish()
		}
		se := classify(err, what, start)
		s.cfg.Log.WarnContext(ctx, "azure devops sync failed", slog.Int64("connection", connectionID),
			slog.String("kind", se.Kind), slog.String("err", err.Error()))
		for _, ps := range active {
			w.Sources = append(w.Sources, &cairn.SourceWrite{DataSourceID: ps.ID, OrgID: ps.OrgID, Target: ps.Target, Error: se,
				Run: &cairn.SyncRun{Trigger: trigger, ItemCount: ps.ItemCount, ValueBefore: ps.Value, ValueAfter: ps.Value, Error: se}})
			rep.Sources = append(rep.Sources, SourceReport{DataSourceID: ps.ID, Value: ps.Value, Error: se})
		}
		return rep, finish()
	}

	cred, err := openCredential(s.cfg.Sealer, conn)
	if err != nil {
		return failAll(err, "the connection")
	}
	if cred.Type == cairn.AuthOAuth {
		cred.onRefresh = func(t *oauth2.Token) { saveToken(ctx, s.cfg.Store, s.cfg.Sealer, s.cfg.Log, conn.ID, t) }
	}
	client, err = s.cfg.Clients.newClient(ctx, conn.OrganizationURL, cred, counter.on, conn.APIVersion)
	if err != nil {
		return failAll(cairn.Internal("build the Azure DevOps client", err), "the connection")
	}
	// Carry on where the last sync's client stopped: Azure DevOps may have asked the
	// identity to wait (Retry-After), and a new client would not know.
	if hold := pendingHold(ctx, s.cfg.Store, connectionID, start); !hold.IsZero() {
		if hold.Sub(start) > maxInlineHold {
			return failAll(fmt.Errorf("the connection's identity must wait until %s, as Azure DevOps asked: %w", hold.Format(time.RFC3339), azdo.ErrThrottled), "the connection")
		}
		client.HoldUntil(hold)
	}
	project := conn.Project
	if conn.ProjectID != "" {
		project = conn.ProjectID
	}

	// 1. Item sets: one query per data source, memberQueries at a time, while 2. asks
	// what changed since the last sync: one reporting call per connection.
	type state struct {
		ps      *cairn.PlannedSource
		members []int
		err     *cairn.SyncError
	}
	ids := make([][]int, len(active))
	errs := make([]error, len(active))
	var (
		changed map[int]int
		token   string
		wmTime  *time.Time
		csErr   error
		wg      sync.WaitGroup
	)
	sem := make(chan struct{}, memberQueries)
	for i, ps := range active {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			ids[i], errs[i] = members(ctx, client, project, ps.DataSource)
		})
	}
	wg.Go(func() { changed, token, wmTime, csErr = s.changedSince(ctx, client, project, conn, start) })
	wg.Wait()
	states := make([]*state, 0, len(active))
	for i, ps := range active {
		st := &state{ps: ps, members: ids[i]}
		if err := errs[i]; err != nil {
			if connectionWide(err) {
				return failAll(err, describe(ps.DataSource))
			}
			st.err = classify(err, describe(ps.DataSource), start)
		}
		states = append(states, st)
	}
	if csErr != nil {
		return failAll(csErr, "the project's work item changes")
	}
	if token != "" || wmTime != nil {
		w.WatermarkToken, w.WatermarkTime = token, wmTime
	}

	// 3. Fetch new and changed items, once each for all data sources.
	var sources []*cairn.DataSource
	for _, st := range states {
		if st.err == nil {
			sources = append(sources, st.ps.DataSource)
		}
	}
	fields := measureFields(sources)
	// A full refresh refetches every item: it catches what the changed-since feed cannot
	// see, such as a renamed type or a removed field.
	full := s.fullRefreshDue(ctx, conn, trigger, start)
	refetchAll := full || !subset(fields, conn.MirrorFields)
	need := map[int]bool{}
	for _, st := range states {
		if st.err != nil {
			continue
		}
		for _, id := range st.members {
			need[id] = true
		}
	}
	var fetch []int
	for id := range need {
		rev, ok := revs[id]
		if !ok || refetchAll {
			fetch = append(fetch, id)
		} else if cr, ok := changed[id]; ok && cr != rev {
			fetch = append(fetch, id)
		}
	}
	sort.Ints(fetch)
	fetched, removedFields, err := fetchItems(ctx, client, project, fetch, fields)
	if err != nil {
		if connectionWide(err) {
			return failAll(err, "the work items")
		}
		return failAll(err, "the work items")
	}
	rep.ItemsFetched = len(fetched)
	items := make(map[int]*cairn.MirrorItem, len(need))
	fetchedSet := make(map[int]bool, len(fetched))
	for _, fw := range fetched {
		m := mirrorItem(fw, fields, conn)
		items[m.ID] = &m
		fetchedSet[m.ID] = true
		w.Upserts = append(w.Upserts, m)
	}
	// Items asked for but not returned were deleted or moved meanwhile.
	gone := map[int]bool{}
	for _, id := range fetch {
		if !fetchedSet[id] {
			gone[id] = true
		}
	}
	var rest []int
	for id := range need {
		if !fetchedSet[id] && !gone[id] {
			rest = append(rest, id)
		}
	}
	if len(rest) > 0 && cached != nil {
		for _, id := range rest {
			if m := cached[id]; m != nil {
				items[id] = m
			}
		}
	} else if len(rest) > 0 {
		ids := rest
		if len(rest) > len(revs)/2 {
			ids = nil // most of the mirror: one scan is cheaper than many IN lists
		}
		ms, err := s.cfg.Store.MirrorItems(ctx, connectionID, ids)
		if err != nil {
			return nil, err
		}
		for i := range ms {
			if need[ms[i].ID] && !fetchedSet[ms[i].ID] {
				items[ms[i].ID] = &ms[i]
			}
		}
	}
	if refetchAll || len(removedFields) > 0 {
		kept := slices.DeleteFunc(slices.Clone(fields), func(f string) bool { return slices.Contains(removedFields, f) })
		w.MirrorFields = kept
	}

	// 4. State categories from the states API, cached per connection: reloaded in full on
	// "Sync now" and once a day, and for one type when an item has a type or state the
	// cache does not know.
	tc := loadTypeCache(ctx, s.cfg.Store, connectionID)
	typesRefreshed := false
	if manual := trigger == cairn.TriggerManual; manual || tc.due(items, start) {
		tc, err = refreshTypeCache(ctx, s.cfg.Store, client, project, connectionID, tc, manual, items, start, s.cfg.Log)
		if err != nil {
			return failAll(err, "the work item types")
		}
		typesRefreshed = true
	}
	cats := tc.Categories

	// 5. Mirror upkeep: drop items no data source holds any more, keeping those of data
	// sources whose query failed so that their last good state survives.
	keep := map[int]bool{}
	for _, st := range states {
		if st.err != nil {
			for _, id := range st.ps.Members {
				keep[id] = true
			}
		}
	}
	for id := range revs {
		if (!need[id] || gone[id]) && !keep[id] {
			w.Deletes = append(w.Deletes, id)
		}
	}
	sort.Ints(w.Deletes)

	// 6. Evaluate each data source and decide what to write.
	for _, st := range states {
		ps := st.ps
		sw := &cairn.SourceWrite{DataSourceID: ps.ID, OrgID: ps.OrgID, Target: ps.Target}
		run := &cairn.SyncRun{Trigger: trigger, ValueBefore: ps.Value, ItemCount: ps.ItemCount}
		sw.Run = run
		w.Sources = append(w.Sources, sw)
		if st.err == nil && slices.Contains(removedFields, ps.Measure) {
			st.err = &cairn.SyncError{Kind: cairn.SyncErrInvalid, At: start,
				Message:  "The field " + ps.Measure + " that this data source measures no longer exists in Azure DevOps.",
				Guidance: "Edit the data source to measure another numeric field, or count work items."}
		}
		if st.err != nil {
			sw.Error, run.Error, run.ValueAfter = st.err, st.err, ps.Value
			rep.Sources = append(rep.Sources, SourceReport{DataSourceID: ps.ID, Value: ps.Value, Error: st.err})
			continue
		}
		var present []int
		for _, id := range st.members {
			if items[id] != nil {
				present = append(present, id)
			}
		}
		ev, err := evaluate(ps.DataSource, ps.MetricKind, items, present, cats)
		if err != nil {
			se := &cairn.SyncError{Kind: cairn.SyncErrInvalid, At: start, Message: "The data source cannot be computed: " + err.Error(),
				Guidance: "Edit the data source: Remaining Work works with number metrics only, and a measured field must be numeric."}
			sw.Error, run.Error, run.ValueAfter = se, se, ps.Value
			rep.Sources = append(rep.Sources, SourceReport{DataSourceID: ps.ID, Value: ps.Value, Error: se})
			continue
		}
		res := ev.Result
		if res.MeasuredCount == 0 && res.ItemCount > 0 && ps.ProgressType != cairn.ProgressAll && !tc.hasType(ps.ProgressType) {
			// Nothing of the progress type, which the cached types lack: it may have been
			// renamed or removed.
			if _, err := client.WorkItemType(ctx, project, ps.ProgressType); errors.Is(err, azdo.ErrNotFound) {
				se := &cairn.SyncError{Kind: cairn.SyncErrInvalid, At: start,
					Message:  fmt.Sprintf("The work item type %q no longer exists in project %q; it may have been renamed.", ps.ProgressType, conn.Project),
					Guidance: "Edit the data source and pick the progress type again."}
				sw.Error, run.Error, run.ValueAfter = se, se, ps.Value
				rep.Sources = append(rep.Sources, SourceReport{DataSourceID: ps.ID, Value: ps.Value, Error: se})
				continue
			}
		}
		add, remove := diff(ps.Members, present)
		sw.AddMembers, sw.RemoveMembers = add, remove
		value := res.Value
		run.ValueAfter, run.ItemCount = &value, res.ItemCount
		for _, id := range present {
			if fetchedSet[id] {
				run.ItemsFetched++
			}
		}
		sw.Success = &cairn.SyncState{Value: value, ItemCount: res.ItemCount, MeasuredCount: res.MeasuredCount,
			CompleteCount: res.CompleteCount, CompleteMeasure: res.CompleteMeasure, TotalMeasure: res.TotalMeasure, Warning: res.Warning}
		sr := SourceReport{DataSourceID: ps.ID, Value: &value}
		if ps.Value == nil || !same(value, ps.Current) {
			sw.CheckIn = &cairn.CheckIn{OrgID: ps.OrgID, Item: ps.Target.Ref(), Value: value, Source: cairn.CheckInAzureDevOps,
				Note: progress.Note(previous(ps.DataSource), res, rule(ps.DataSource, ps.MetricKind), typeLabel(ps.DataSource))}
			sr.CheckIn = true
		}
		if ps.Target.Type == cairn.TargetInitiativeTasks &&
			(ps.Value == nil || sw.CheckIn != nil || len(add) > 0 || len(remove) > 0 || run.ItemsFetched > 0 || typesRefreshed) {
			sw.Tasks = ev.Tasks
			if sw.Tasks == nil {
				sw.Tasks = []*cairn.Task{}
			}
		}
		rep.Sources = append(rep.Sources, sr)
	}
	if err := finish(); err != nil {
		return nil, err
	}
	// Keep the mirror as written for the next sync here, unless another sync changed it
	// meanwhile or a failed data source kept items this sync did not read.
	if w.MirrorVersionAfter != 0 && len(keep) == 0 && !rep.Superseded {
		s.mirror.put(connectionID, w.MirrorVersionAfter, items)
	} else {
		s.mirror.drop(connectionID)
	}
	if full {
		_ = s.cfg.Store.SetSetting(ctx, fullRefreshKey(connectionID), start.Format(time.RFC3339))
	}
	return rep, nil
}

// memberQueries is how many item-set queries of one connection's sync run at once.
const memberQueries = 4

// fullRefreshEvery is how often a connection's mirror is rebuilt from scratch, besides
// "Sync now" and the first sync of a new data source.
const fullRefreshEvery = 24 * time.Hour

func fullRefreshKey(connectionID int64) string {
	return "azdo.full_refresh." + strconv.FormatInt(connectionID, 10)
}

// fullRefreshDue reports whether this sync should refetch everything: when a person asked
// for it, for a new data source, and once a day.
func (s *Syncer) fullRefreshDue(ctx context.Context, conn *cairn.Connection, trigger string, now time.Time) bool {
	if trigger == cairn.TriggerManual || trigger == cairn.TriggerCreate {
		return true
	}
	v, err := s.cfg.Store.Setting(ctx, fullRefreshKey(conn.ID))
	if err != nil {
		return true
	}
	t, err := time.Parse(time.RFC3339, v)
	return err != nil || now.Sub(t) >= fullRefreshEvery
}

// typesOf returns the distinct types of the items.
func typesOf(items map[int]*cairn.MirrorItem) []string {
	set := map[string]string{}
	for _, m := range items {
		if m.Type != "" {
			set[strings.ToLower(m.Type)] = m.Type
		}
	}
	out := make([]string, 0, len(set))
	for _, t := range set {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// saveToken seals a refreshed OAuth token into the connection at once, so that a rotated
// refresh token survives the process.
func saveToken(ctx context.Context, store Store, sealer *auth.Sealer, log *slog.Logger, connectionID int64, t *oauth2.Token) {
	c, err := store.ConnectionForSync(ctx, connectionID)
	if err != nil {
		return
	}
	sealed, err := sealCredential(sealer, c, Credential{Type: cairn.AuthOAuth, OAuth: t})
	if err == nil {
		c.Credential = sealed
		err = store.UpdateConnection(ctx, c)
	}
	if err != nil {
		log.WarnContext(ctx, "could not keep a refreshed Azure DevOps token", slog.Int64("connection", connectionID), slog.String("err", err.Error()))
	}
}

// same reports whether two values are equal up to rounding noise.
func same(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(a)) }

// diff returns the ids in cur but not in prev, and those in prev but not in cur.
func diff(prev, cur []int) (add, remove []int) {
	p := make(map[int]bool, len(prev))
	for _, id := range prev {
		p[id] = true
	}
	c := make(map[int]bool, len(cur))
	for _, id := range cur {
		c[id] = true
		if !p[id] {
			add = append(add, id)
		}
	}
	for _, id := range prev {
		if !c[id] {
			remove = append(remove, id)
		}
	}
	sort.Ints(add)
	sort.Ints(remove)
	return add, remove
}

// changedSince asks which work items of the project changed since the connection's
// watermark, with their newest revision, and returns the watermark to store next.
func (s *Syncer) changedSince(ctx context.Context, c *azdo.Client, project string, conn *cairn.Connection, start time.Time) (map[int]int, string, *time.Time, error) {
	opts := azdo.RevisionsOptions{IncludeLatestOnly: true, Fields: []string{"System.Id"}, MaxPageSize: 1000}
	wmTime := conn.WatermarkTime
	switch {
	case conn.WatermarkToken != "":
		opts.ContinuationToken = conn.WatermarkToken
	case conn.WatermarkTime != nil:
		opts.StartDateTime = *conn.WatermarkTime
	default:
		t := start.Add(-s.cfg.Overlap)
		opts.StartDateTime, wmTime = t, &t
	}
	vals, token, err := c.WorkItemRevisions(ctx, project, opts)
	if err != nil {
		return nil, "", nil, err
	}
	changed := make(map[int]int, len(vals))
	for _, v := range vals {
		rev := v.Rev
		if rev == 0 {
			rev, _ = v.Int("System.Rev")
		}
		if rev > changed[v.ID] {
			changed[v.ID] = rev
		}
	}
	next := conn.WatermarkToken
	if len(vals) > 0 && strings.TrimSpace(token) != "" {
		next = token
	}
	return changed, next, wmTime, nil
}
