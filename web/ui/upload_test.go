package ui

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
)

// TestUploadsAreTheirOwnersForThirtyMinutes keeps an upload and takes it back: only its user
// in its organization gets it, once, and not after 30 minutes, when its file is gone too.
func TestUploadsAreTheirOwnersForThirtyMinutes(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 8, 15, 12, 0, 0, 0, time.UTC)
	s := newUploads(t.TempDir(), func() time.Time { return now })
	keep := func(t *testing.T) *upload {
		t.Helper()
		up, err := s.save(strings.NewReader("Id,Title\n"), 1<<10, "export.csv")
		if err != nil {
			t.Fatal(err)
		}
		s.keep(up, 7, 3)
		return up
	}
	gone := func(t *testing.T, up *upload, userID, orgID int64) {
		t.Helper()
		if _, err := s.take(up.ID, userID, orgID); cairn.ErrorCode(err) != cairn.ENOTFOUND {
			t.Fatalf("take by user %d in org %d: %v, want not found", userID, orgID, err)
		}
	}
	t.Run("OwnerTakesItOnce", func(t *testing.T) {
		up := keep(t)
		gone(t, up, 8, 3)
		gone(t, up, 7, 4)
		got, err := s.take(up.ID, 7, 3)
		if err != nil || got.Size != 9 || got.Name != "export.csv" {
			t.Fatalf("take: %+v, %v", got, err)
		}
		gone(t, up, 7, 3)
		s.drop(got)
		if _, err := os.Stat(got.path); !os.IsNotExist(err) {
			t.Errorf("the dropped upload's file: %v", err)
		}
	})
	t.Run("ExpiresAfterThirtyMinutes", func(t *testing.T) {
		up := keep(t)
		now = now.Add(uploadTTL - time.Second)
		other := keep(t)
		now = now.Add(time.Second)
		gone(t, up, 7, 3)
		if _, err := os.Stat(up.path); !os.IsNotExist(err) {
			t.Errorf("the expired upload's file is still there: %v", err)
		}
		if _, err := s.take(other.ID, 7, 3); err != nil {
			t.Errorf("a younger upload expired with the older one: %v", err)
		}
	})
	t.Run("TooLargeLeavesNoFile", func(t *testing.T) {
		before, err := os.ReadDir(s.base)
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.save(strings.NewReader(strings.Repeat("x", 1025)), 1<<10, "big.csv")
		if cairn.ErrorCode(err) != cairn.ETOOLARGE || !strings.Contains(cairn.ErrorMessage(err), "larger than 1 KiB") {
			t.Fatalf("save over the limit: %v", err)
		}
		after, err := os.ReadDir(s.base)
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != len(before) {
			t.Errorf("the refused upload left a file: %d files, %d before", len(after), len(before))
		}
	})
}
