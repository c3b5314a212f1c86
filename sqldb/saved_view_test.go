package sqldb_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
)

// TestSavedViews stores, lists, changes and deletes saved views: a user lists their own
// views and the organization's shared ones, never another user's private one nor another
// organization's, and one owner's names are unique.
func TestSavedViews(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		alice, bob := b.user(t, "alice@example.com"), b.user(t, "bob@example.com")
		fab := b.org(t, "fabrikam", alice.ID)
		con := b.org(t, "contoso", bob.ID)
		p := b.period(t, fab.ID, "Q3")
		at := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
		mine := &cairn.SavedView{OrgID: fab.ID, OwnerID: alice.ID, Name: " At risk ", CreatedAt: at, UpdatedAt: at,
			Filter: cairn.ViewFilter{PeriodIDs: []int64{p.ID}, Status: "at_risk", Type: cairn.ItemKeyResult, Level: cairn.LevelTeam, Source: cairn.FilterSourceAzureDevOps, Q: "checkout"}}
		must(t, b.db.CreateView(ctx, mine))
		if mine.ID == 0 || mine.Name != "At risk" {
			t.Fatalf("stored view %+v", mine)
		}
		shared := &cairn.SavedView{OrgID: fab.ID, OwnerID: bob.ID, Name: "Everything", Shared: true, CreatedAt: at, UpdatedAt: at}
		must(t, b.db.CreateView(ctx, shared))
		bobs := &cairn.SavedView{OrgID: fab.ID, OwnerID: bob.ID, Name: "Bob's", CreatedAt: at, UpdatedAt: at}
		must(t, b.db.CreateView(ctx, bobs))
		elsewhere := &cairn.SavedView{OrgID: con.ID, OwnerID: alice.ID, Name: "Contoso", Shared: true, CreatedAt: at, UpdatedAt: at}
		must(t, b.db.CreateView(ctx, elsewhere))

		got, err := b.db.ViewByID(ctx, fab.ID, mine.ID)
		must(t, err)
		if !reflect.DeepEqual(got, mine) {
			t.Fatalf("by id = %+v, want %+v", got, mine)
		}
		_, err = b.db.ViewByID(ctx, con.ID, mine.ID)
		wantCode(t, err, cairn.ENOTFOUND)

		list, err := b.db.ListViews(ctx, fab.ID, alice.ID)
		must(t, err)
		var names []string
		for _, v := range list {
			names = append(names, v.Name)
		}
		if !reflect.DeepEqual(names, []string{"At risk", "Everything"}) {
			t.Fatalf("alice lists %v, want her view and the shared one", names)
		}

		dup := &cairn.SavedView{OrgID: fab.ID, OwnerID: alice.ID, Name: "At risk", CreatedAt: at, UpdatedAt: at}
		wantCode(t, b.db.CreateView(ctx, dup), cairn.ECONFLICT)
		// Another owner may use the name.
		same := &cairn.SavedView{OrgID: fab.ID, OwnerID: bob.ID, Name: "At risk", CreatedAt: at, UpdatedAt: at}
		must(t, b.db.CreateView(ctx, same))

		mine.Shared, mine.Name, mine.Filter = true, "Risky", cairn.ViewFilter{OwnerID: bob.ID}
		mine.UpdatedAt = at.Add(time.Hour)
		must(t, b.db.UpdateView(ctx, mine))
		got, err = b.db.ViewByID(ctx, fab.ID, mine.ID)
		must(t, err)
		if !got.Shared || got.Name != "Risky" || got.Filter.OwnerID != bob.ID || got.Filter.Status != "" || !got.UpdatedAt.Equal(mine.UpdatedAt) {
			t.Fatalf("updated view %+v", got)
		}
		list, err = b.db.ListViews(ctx, fab.ID, bob.ID)
		must(t, err)
		if len(list) != 4 {
			t.Fatalf("bob lists %d views, want his three and alice's shared one", len(list))
		}
		wrong := *bobs
		wrong.OrgID = con.ID
		wantCode(t, b.db.UpdateView(ctx, &wrong), cairn.ENOTFOUND)
		wantCode(t, b.db.DeleteView(ctx, con.ID, bobs.ID), cairn.ENOTFOUND)
		must(t, b.db.DeleteView(ctx, fab.ID, bobs.ID))
		_, err = b.db.ViewByID(ctx, fab.ID, bobs.ID)
		wantCode(t, err, cairn.ENOTFOUND)

		bad := &cairn.SavedView{OrgID: fab.ID, OwnerID: alice.ID, Name: "Bad", Filter: cairn.ViewFilter{Source: "jira"}, CreatedAt: at, UpdatedAt: at}
		wantCode(t, b.db.CreateView(ctx, bad), cairn.EINVALID)
	})
}
