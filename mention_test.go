package cairn_test

import (
	"slices"
	"testing"

	"github.com/cairn-okr/cairn"
)

// TestParseMentions pins how an @ in a comment names a member: by name, email handle or
// email, without regard to case, the longest fit winning, ambiguity naming no one, and
// never inside an email address or a longer word.
func TestParseMentions(t *testing.T) {
	t.Parallel()
	members := []*cairn.Member{
		{UserID: 1, Name: "Ada Lovelace", Email: "ada@example.com"},
		{UserID: 2, Name: "Ada Byron", Email: "byron@example.com"},
		{UserID: 3, Name: "Grace Hopper", Email: "grace.hopper@example.com"},
		{UserID: 4, Name: "Alan", Email: "alan@example.com"},
		{UserID: 5, Name: "Alan", Email: "alan@other.org"},
		{UserID: 6, Name: "Margaret Hamilton", Email: "u-42@" + cairn.UnclaimedDomain, Unclaimed: true},
		{UserID: 7, Name: "Linus", Email: "linus@example.com"},
		{UserID: 8, Name: "Zoë Ångström", Email: "zoe@example.com"},
	}
	type span struct {
		user       int64
		start, end int
	}
	for _, tc := range []struct {
		name string
		text string
		want []span
	}{
		{"Empty", "", nil},
		{"NoAt", "ada did it", nil},
		{"Handle", "Hi @ada, see this", []span{{1, 3, 7}}},
		{"FullName", "@Ada Lovelace: done", []span{{1, 0, 13}}},
		{"CaseInsensitiveAndFullStop", "thanks @ADA LOVELACE.", []span{{1, 7, 20}}},
		{"LongestNameWins", "@Ada Byron and @byron", []span{{2, 0, 10}, {2, 15, 21}}},
		{"HandleWithDot", "ping @grace.hopper please", []span{{3, 5, 18}}},
		{"Possessive", "@Grace Hopper's plan", []span{{3, 0, 13}}},
		{"InsideAnEmailIsNoMention", "write to alan@example.com", nil},
		{"AmbiguousHandleNamesNoOne", "@alan can you", nil},
		{"AmbiguousNameNamesNoOne", "@Alan", nil},
		{"FullEmailDisambiguates", "@alan@other.org can you", []span{{5, 0, 15}}},
		{"UnclaimedByName", "@Margaret Hamilton", []span{{6, 0, 18}}},
		{"UnclaimedPlaceholderIsNoHandle", "@u-42", nil},
		{"LongerWordIsNoMention", "@linusx", nil},
		{"UnderscoreContinues", "@linus_t", nil},
		{"DashBeforeLetterContinues", "@ada-lovelace", nil},
		{"DashBeforeSpaceEnds", "@ada- the rest", []span{{1, 0, 4}}},
		{"AfterPunctuation", "(@ada)", []span{{1, 1, 5}}},
		{"DoubleAt", "@@ada", []span{{1, 1, 5}}},
		{"LineBreakEnds", "@Linus\nnext", []span{{7, 0, 6}}},
		{"Unicode", "merci @zoë ångström!", []span{{8, 6, 22}}},
		{"UnknownName", "@nobody here", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got []span
			for _, m := range cairn.ParseMentions(tc.text, members) {
				got = append(got, span{m.UserID, m.Start, m.End})
				if tc.text[m.Start] != '@' {
					t.Errorf("mention %+v does not start at an @", m)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("ParseMentions(%q) = %v, want %v", tc.text, got, tc.want)
			}
		})
	}
}
