package ui_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn"
)

func TestMyTeamOffersEachTeamOfTheUser(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := cairn.NewContext(context.Background(), b.users["admin"])
	member := b.users["member"].ID
	teams := map[string]*cairn.Team{}
	for _, name := range []string{"Payments", "Checkout", "Search"} {
		tm := &cairn.Team{Name: name}
		if name != "Search" {
			tm.MemberIDs = []int64{member}
		}
		if err := b.svc.CreateTeam(ctx, "fabrikam", tm); err != nil {
			t.Fatal(err)
		}
		teams[name] = tm
	}
	for _, title := range []string{"Checkout objective", "Payments objective"} {
		o := &cairn.Objective{PeriodID: b.period, Title: title, OwnerIDs: []int64{member}, TeamID: &teams[strings.Fields(title)[0]].ID}
		if err := b.svc.CreateObjective(ctx, "fabrikam", o); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name, who, path string
		want, dontWant  []string
	}{
		{"the first team by name with a choice of the others", "member", "/o/fabrikam/okrs?team=mine",
			[]string{`data-testid="my-teams"`, `href="/o/fabrikam/okrs?team=` + strconv.FormatInt(teams["Checkout"].ID, 10) + `" aria-current="page">Checkout`, `>Payments</a>`, "Checkout objective"},
			[]string{"Payments objective", ">Search</a>", "Delight shoppers"}},
		{"another of the user's teams keeps the choice", "member", "/o/fabrikam/okrs?team=" + strconv.FormatInt(teams["Payments"].ID, 10),
			[]string{`data-testid="my-teams"`, `aria-current="page">Payments`, "Payments objective"},
			[]string{"Checkout objective"}},
		{"a user in no team is told so and sees everything", "viewer", "/o/fabrikam/okrs?team=mine",
			[]string{`data-testid="no-team"`, "Delight shoppers", "Checkout objective"},
			[]string{`data-testid="my-teams"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := b.signIn(t, tc.who).get(t, tc.path)
			if res.status != 200 {
				t.Fatalf("status %d", res.status)
			}
			for _, w := range tc.want {
				if !strings.Contains(res.body, w) {
					t.Errorf("the page lacks %s", w)
				}
			}
			for _, w := range tc.dontWant {
				if strings.Contains(res.body, w) {
					t.Errorf("the page shows %s", w)
				}
			}
			if !strings.Contains(res.body, `href="/o/fabrikam/okrs?team=mine" aria-current="page"`) {
				t.Error("My team is not marked as the current section")
			}
		})
	}
}
